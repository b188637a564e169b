// RemoteModel: what a hub adapter hands the installer. Every hub (Hugging Face, ModelScope, ...)
// answers a model id with the same thing: the resolved revision, the files to download with what
// the hub declares about them, and which of them run the model. The installer downloads, checks,
// reads the graph and stores; adapters only speak their hub's protocol.
//
// A hub that serves something other than ready-to-run model files (an archive to unpack, a
// checkpoint to convert) also supplies `prepare`, which turns the verified downloads into the
// package's files; the installer hashes what it returns and builds the manifest from it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "axon/download.h"
#include "axon/progress.h"
#include "common/manifest.h"
#include "common/status.h"

namespace mlos::axon {

// `axon install --format`: what the install must yield. kAuto: ONNX where the hub holds it or it
// can be converted, else TorchScript; kOnnx / kTorchScript: only that; kNative: the format the hub
// holds, without conversion (a PyTorch checkpoint: TorchScript, the PyTorch plugin's format).
enum class FormatWanted { kAuto, kOnnx, kTorchScript, kNative };

// "auto", "onnx", "torchscript", "native"; InvalidArgument names the accepted values.
StatusOr<FormatWanted> ParseFormatWanted(std::string_view text);
const char* FormatWantedName(FormatWanted format);

struct RemoteFile {
  std::string path{};    // package path; passed CheckHubFilePath
  std::string url{};     // where to GET it (pinned to the resolved commit where the hub allows)
  uint64_t size = 0;     // declared by the hub; 0: not declared
  std::string sha256{};  // declared by the hub (lower-case hex); empty: not declared
  std::string git_blob_sha1{};  // git's blob id, declared by the hub; empty: not declared
};

// The package made by a RemoteModel's `prepare`: every file under `dir`, none hashed yet.
struct PreparedPackage {
  std::string dir{};                 // folder holding the files (the staging or the work folder)
  std::vector<std::string> files{};  // package paths relative to `dir`, every file of the package
  std::string format{};              // "onnx" or "torchscript"
  std::string framework{};           // the source framework ("pytorch"); empty: same as format
  std::vector<ManifestExecutionFile> execution_files{};
};

// Called after every file of `files` is downloaded into `staging` (same package paths) and
// verified. It may read `staging` but must not change it (a failed install resumes from it); it
// writes what it makes under `work_dir`, an empty folder of the store's tmp/ the installer removes
// afterwards. Errors fail the install and name what could not be prepared and why.
using PrepareFn = std::function<StatusOr<PreparedPackage>(
    const std::string& staging, const std::string& work_dir, Progress& progress)>;

struct RemoteModel {
  ManifestSource source{};  // hub, repo, revision as asked, commit it resolved to
  std::string format{};     // "onnx" or "torchscript"
  std::vector<ManifestExecutionFile> execution_files{};
  std::vector<RemoteFile> files{};  // every file of the package, execution files included
  HttpHeaders headers{};            // sent with every download (e.g. Authorization)
  PrepareFn prepare{};  // empty: `files` are the package as downloaded, `format` runs them
};

}  // namespace mlos::axon
