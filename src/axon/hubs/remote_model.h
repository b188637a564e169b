// RemoteModel: what a hub adapter hands the installer. Every hub (Hugging Face, ModelScope, ...)
// answers a model id with the same thing: the resolved revision, the files to download with what
// the hub declares about them, and which of them run the model. The installer downloads, checks,
// reads the graph and stores; adapters only speak their hub's protocol.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "axon/download.h"
#include "common/manifest.h"

namespace mlos::axon {

struct RemoteFile {
  std::string path{};    // package path; passed CheckHubFilePath
  std::string url{};     // where to GET it (pinned to the resolved commit where the hub allows)
  uint64_t size = 0;     // declared by the hub; 0: not declared
  std::string sha256{};  // declared by the hub (lower-case hex); empty: not declared
};

struct RemoteModel {
  ManifestSource source{};  // hub, repo, revision as asked, commit it resolved to
  std::string format{};     // "onnx" or "torchscript"
  std::vector<ManifestExecutionFile> execution_files{};
  std::vector<RemoteFile> files{};  // every file of the package, execution files included
  HttpHeaders headers{};            // sent with every download (e.g. Authorization)
};

}  // namespace mlos::axon
