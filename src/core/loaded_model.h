// LoadedModel: one model loaded through its plugin, and the two things Core does with it:
// load it (LoadModel) and run one request on it (Execute).
//
// A LoadedModel is shared (std::shared_ptr) by the model manager and every request running on
// it, so a model is unloaded only when its last user lets go, never under a running request. It
// keeps its Plugin alive, so the plugin instance is destroyed after its models (smi.h).
// Execute may be called concurrently on one LoadedModel (smi.h lets the plugin serialise).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/api/inference_request.h"
#include "core/api/inference_response.h"
#include "core/model_signature.h"
#include "core/plugin_host.h"
#include "mlos/smi_cpp.h"

namespace mlos::core {

struct LoadedModel {
  std::shared_ptr<const Plugin> plugin;  // declared first: destroyed after `model`
  smi::Model model;
  ModelSignature signature;
};

// The Status for an SMI failure: the code mapped to its StatusCode, the plugin's message kept.
Status StatusFromSmi(smi_status code, std::string_view message);

// Loads `path` with `plugin` and reads its signature. Errors carry the plugin's message.
StatusOr<std::shared_ptr<LoadedModel>> LoadModel(std::shared_ptr<const Plugin> plugin,
                                                 const std::string& path,
                                                 const std::string& settings_json);

// Runs one request. `output_names` lists the outputs wanted (empty: all). Returns the outputs
// in the order they were named (all: the order the signature declares them). String inputs are
// passed in the SMI STRING layout. A plugin that breaks the output contract is an Internal error
// naming the plugin and the output, for this request only: an allocation that is not a dense
// tensor (unknown dtype, byte size not matching the shape), an output the model does not declare
// or the request did not ask for, one allocated twice, a dtype, rank or fixed dimension other than
// the signature's, a wanted output never produced, or malformed string bytes.
StatusOr<std::vector<OutputTensor>> Execute(const LoadedModel& model,
                                            const std::vector<NamedTensor>& inputs,
                                            const std::vector<std::string>& output_names = {});

}  // namespace mlos::core
