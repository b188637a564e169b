// PluginConfig: the per-model JSON config a plugin's model_load receives (smi.h).
//
// It is the model's settings that Core does not use itself (ModelSettings::plugin, e.g.
// {"threads": 2}) plus, when the package's manifest declares them and the settings do not
// already, the manifest's tensors, so a plugin whose format cannot tell them (TorchScript) still
// reports a full signature:
//   "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 16]}, ...]
//   "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 4]}, ...]
// The manifest's tensors describe its default execution file (ExecutionFileFor with no role,
// model_source.h), so a model registered with a `role` whose file is another one gets none. An
// unreadable manifest adds nothing (registration has already validated it). Pure.
#pragma once

#include <string>

#include "core/model_settings.h"

namespace mlos::core {

// `role`: the role the model was registered with (empty: none).
std::string PluginConfig(const ModelSettings& settings, const std::string& manifest_yaml,
                         const std::string& role = "");

}  // namespace mlos::core
