// Where the ONNX plugin finds a model and how it reads its configuration.
#pragma once

#include <string>

#include "common/status.h"
#include "engine/session.h"

namespace mlos::plugins::onnx {

// `path` itself when it is a file; for a directory, its model.onnx, else its only *.onnx file.
// NotFound when nothing fits; InvalidArgument when a directory holds several candidates.
StatusOr<std::string> ResolveModelFile(const std::string& path);

// Parses a JSON object {"threads": N}; other keys are ignored (they belong to the host). A missing
// "threads" keeps `defaults` (the plugin's shared thread pool); a model given "threads" gets a
// pool of its own of that size. InvalidArgument names what is wrong.
StatusOr<engine::SessionOptions> ParseSessionOptions(const std::string& config_json,
                                                     const engine::SessionOptions& defaults);

}  // namespace mlos::plugins::onnx
