#include "axon/hubs/hub_registry.h"

#include "axon/hubs/huggingface.h"

namespace mlos::axon {

bool IsHubNamespace(std::string_view model_namespace) { return model_namespace == "hf"; }

StatusOr<RemoteModel> ResolveRemoteModel(const ModelRef& ref, const AxonConfig& config,
                                         FormatWanted format) {
  if (ref.namespace_ == "hf") {
    return ResolveHuggingFace(ref, HuggingFaceConfigFromEnvironment(config.hf_endpoint()), format);
  }
  return InvalidArgument("model id \"" + ref.id() + "\": namespace \"" + ref.namespace_ +
                         "\" is not a hub Axon can install from (supported: hf)");
}

}  // namespace mlos::axon
