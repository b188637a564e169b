// PluginConfig: the per-model JSON config a plugin's model_load receives (smi.h).
//
// It is the model's settings that Core does not use itself (ModelSettings::plugin, e.g.
// {"threads": 2}) plus, when the package's manifest declares them and the settings do not
// already, the manifest's tensors, so a plugin whose format cannot tell them (TorchScript) still
// reports a full signature:
//   "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 16]}, ...]
//   "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 4]}, ...]
// An unreadable manifest adds nothing (registration has already validated it). Pure.
#pragma once

#include <string>

#include "core/model_settings.h"

namespace mlos::core {

std::string PluginConfig(const ModelSettings& settings, const std::string& manifest_yaml);

}  // namespace mlos::core
