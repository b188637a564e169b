// Hub registry: which model-id namespaces name a hub, and the adapter that resolves each. A new
// hub adds its namespace(s) and its Resolve function here, and its search function to
// HubSearchSources; the installer and `axon search` need nothing else. Ids whose namespace is no
// hub go to the local registry when `registry.url` is configured (hubs/registry.h).
#pragma once

#include <string_view>
#include <vector>

#include "axon/config.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "axon/search.h"
#include "common/status.h"

namespace mlos::axon {

// True iff `model_namespace` belongs to a hub ("hf").
bool IsHubNamespace(std::string_view model_namespace);

// True iff an id in `model_namespace` is installed over the network: a hub's namespace, or any
// namespace when a registry is configured.
bool IsRemoteNamespace(std::string_view model_namespace, const AxonConfig& config);

// Asks the hub of `ref`'s namespace what to download (configuration from the environment, as
// the hub's official client reads it, over axon's `config`); a namespace that is no hub goes to
// the configured registry. InvalidArgument for a namespace that is no hub without a registry.
// `format` is what the install must yield (remote_model.h).
StatusOr<RemoteModel> ResolveRemoteModel(const ModelRef& ref, const AxonConfig& config,
                                         FormatWanted format = FormatWanted::kAuto);

// What `axon search` asks besides the installed models: every hub with a search function, and
// the registry when one is configured.
std::vector<SearchSource> HubSearchSources(const AxonConfig& config);

}  // namespace mlos::axon
