#include "axon/hubs/hub_registry.h"

#include "axon/hubs/huggingface.h"
#include "axon/hubs/huggingface_search.h"
#include "axon/hubs/kaggle.h"
#include "axon/hubs/modelscope.h"
#include "axon/hubs/pytorch_hub.h"
#include "axon/hubs/registry.h"
#include "axon/hubs/tfhub.h"

namespace mlos::axon {

bool IsHubNamespace(std::string_view model_namespace) {
  for (const std::string_view hub :
       {"hf", "modelscope", "ms", "kaggle", "tfhub", "tf", "pytorch", "torch"}) {
    if (model_namespace == hub) return true;
  }
  return false;
}

bool IsRemoteNamespace(std::string_view model_namespace, const AxonConfig& config) {
  return IsHubNamespace(model_namespace) || !config.registry_url().empty();
}

StatusOr<RemoteModel> ResolveRemoteModel(const ModelRef& ref, const AxonConfig& config,
                                         FormatWanted format) {
  if (ref.namespace_ == "hf") {
    return ResolveHuggingFace(ref, HuggingFaceConfigFromEnvironment(config.hf_endpoint()), format);
  }
  if (ref.namespace_ == "modelscope" || ref.namespace_ == "ms") {
    return ResolveModelScope(
        ref, ModelScopeConfigFromEnvironment(config.values().at("modelscope.endpoint")), format);
  }
  if (ref.namespace_ == "kaggle") {
    return ResolveKaggle(ref, KaggleConfigFromEnvironment(config.values().at("kaggle.endpoint")),
                         format);
  }
  if (ref.namespace_ == "tfhub" || ref.namespace_ == "tf") {
    return ResolveTfHub(ref, TfHubConfigFromEnvironment(config.values().at("tfhub.endpoint")),
                        format);
  }
  if (ref.namespace_ == "pytorch" || ref.namespace_ == "torch") {
    ASSIGN_OR_RETURN(const PyTorchHubConfig pytorch, PyTorchHubConfigFromEnvironment(config));
    return ResolvePyTorchHub(ref, pytorch, format);
  }
  if (!config.registry_url().empty()) return ResolveRegistry(ref, config, format);
  return InvalidArgument("model id \"" + ref.id() + "\": namespace \"" + ref.namespace_ +
                         "\" is not a hub Axon can install from (supported: hf, modelscope/ms, "
                         "kaggle, tfhub/tf, pytorch/torch), and no registry is configured "
                         "(registry.url)");
}

std::vector<SearchSource> HubSearchSources(const AxonConfig& config) {
  std::vector<SearchSource> sources = {
      {"hf", SearchHuggingFace},
  };
  if (!config.registry_url().empty()) sources.push_back({"registry", SearchRegistry});
  return sources;
}

}  // namespace mlos::axon
