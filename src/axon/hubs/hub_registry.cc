#include "axon/hubs/hub_registry.h"

#include "axon/hubs/huggingface.h"
#include "axon/hubs/pytorch_hub.h"

namespace mlos::axon {

bool IsHubNamespace(std::string_view model_namespace) {
  return model_namespace == "hf" || model_namespace == "pytorch" || model_namespace == "torch";
}

StatusOr<RemoteModel> ResolveRemoteModel(const ModelRef& ref, const AxonConfig& config,
                                         FormatWanted format) {
  if (ref.namespace_ == "hf") {
    return ResolveHuggingFace(ref, HuggingFaceConfigFromEnvironment(config.hf_endpoint()), format);
  }
  if (ref.namespace_ == "pytorch" || ref.namespace_ == "torch") {
    ASSIGN_OR_RETURN(const PyTorchHubConfig pytorch, PyTorchHubConfigFromEnvironment(config));
    return ResolvePyTorchHub(ref, pytorch, format);
  }
  return InvalidArgument("model id \"" + ref.id() + "\": namespace \"" + ref.namespace_ +
                         "\" is not a hub Axon can install from (supported: hf, pytorch/torch)");
}

}  // namespace mlos::axon
