// Hub registry: which model-id namespaces name a hub, and the adapter that resolves each. A new
// hub adds its namespace(s) and its Resolve function here; the installer needs nothing else.
#pragma once

#include <string_view>

#include "axon/config.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "common/status.h"

namespace mlos::axon {

// True iff `model_namespace` belongs to a hub ("hf").
bool IsHubNamespace(std::string_view model_namespace);

// Asks the hub of `ref`'s namespace what to download (configuration from the environment, as
// the hub's official client reads it, over axon's `config`). InvalidArgument for a namespace that
// is no hub. `format` is what the install must yield (remote_model.h).
StatusOr<RemoteModel> ResolveRemoteModel(const ModelRef& ref, const AxonConfig& config,
                                         FormatWanted format = FormatWanted::kAuto);

}  // namespace mlos::axon
