// Where the torchscript plugin finds the TorchScript archive of a model.
#pragma once

#include <string>

#include "common/status.h"

namespace mlos::plugins::torchscript {

// `path` itself when it is a file; for a directory, its one *.pt file. InvalidArgument, naming the
// path, when the path does not exist or a directory holds no or several .pt files.
StatusOr<std::string> ResolveTorchScriptFile(const std::string& path);

}  // namespace mlos::plugins::torchscript
