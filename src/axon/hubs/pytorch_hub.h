// PyTorch Hub adapter: resolves `pytorch/<repo>/<entry>[@ref]` (repository pytorch/<repo>, e.g.
// pytorch/vision/resnet50) or `pytorch/<owner>/<repo>/<entry>[@ref]` (namespace `torch` alike)
// to a RemoteModel, speaking the protocol torch.hub speaks:
//
// - GitHub's API (GET <api>/repos/<owner>/<repo> for the default branch when the ref is "latest",
//   GET <api>/repos/<owner>/<repo>/commits/<ref> for the commit a branch, tag or sha names; the
//   token in GITHUB_TOKEN, as torch.hub reads it, is sent to the API only);
// - the repository's source archive at that commit, GET <github>/<owner>/<repo>/zipball/<commit>
//   (GitHub redirects it to codeload), downloaded by DownloadFiles into a private temporary
//   folder and unpacked by ExtractPackageArchive (no "..", absolute paths or links);
// - the entry point in its hubconf.py, run by the torch converter (torch_converter.h) with the
//   network off, which reports the entry points and the weight URL the entry downloads through
//   torch.hub (load_state_dict_from_url / download_url_to_file) and the sha256 prefix torch.hub
//   checks (the `name-<hexprefix>.ext` rule of its HASH_REGEX when check_hash is asked).
//
// The RemoteModel's files are those weights (downloaded by the installer: resumable, retried,
// into the staging folder as weights/<file name>); its `prepare` (pytorch_conversion.h) checks
// the hash prefix, builds the model with them and converts it to ONNX or TorchScript.
//
// Settings: pytorch.github_endpoint (AXON_PYTORCH_GITHUB_ENDPOINT wins; default
// https://github.com), pytorch.github_api_endpoint (AXON_PYTORCH_GITHUB_API_ENDPOINT;
// https://api.github.com), pytorch.weights_mirror (AXON_PYTORCH_WEIGHTS_MIRROR; empty: weights
// come from their own URLs, else https://host/path is fetched from <mirror>/host/path),
// AXON_PYTORCH_ENTRY_KWARGS (a JSON object of keyword arguments for the entry point instead of
// the pretrained defaults), AXON_PYTORCH_INPUT_SHAPE (e.g. "1,3,299,299": the input the model is
// exported for, first dimension the dynamic batch; default: derived from the first layer).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "axon/config.h"
#include "axon/download.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "common/status.h"

namespace mlos::axon {

struct PyTorchHubConfig {
  std::string github_endpoint = "https://github.com";  // no trailing '/'
  std::string github_api_endpoint = "https://api.github.com";
  std::string weights_mirror{};  // empty: none
  std::string github_token{};    // empty: anonymous
  std::string entry_kwargs_json{};     // empty: pretrained defaults
  std::vector<int64_t> input_shape{};  // empty: derived
  int parallel_files = 4;
  int part_mib = 16;
};

// From the environment over axon's configuration; InvalidArgument for a malformed
// AXON_PYTORCH_ENTRY_KWARGS or AXON_PYTORCH_INPUT_SHAPE.
StatusOr<PyTorchHubConfig> PyTorchHubConfigFromEnvironment(const AxonConfig& config);

// The GitHub repository and entry point a model id names.
struct PyTorchHubEntry {
  std::string owner{};
  std::string repo{};
  std::string entry{};
  std::string FullRepo() const { return owner + "/" + repo; }
};

// "vision/resnet50" -> pytorch/vision, resnet50; "owner/repo/entry" -> owner/repo, entry.
// InvalidArgument for other shapes, naming both accepted forms.
StatusOr<PyTorchHubEntry> ParsePyTorchHubEntry(const ModelRef& ref);

std::string GitHubRepoApiUrl(const PyTorchHubConfig& config, const PyTorchHubEntry& entry);
std::string GitHubCommitApiUrl(const PyTorchHubConfig& config, const PyTorchHubEntry& entry,
                               const std::string& ref);
std::string GitHubZipballUrl(const PyTorchHubConfig& config, const PyTorchHubEntry& entry,
                             const std::string& commit);

// "default_branch" of GET /repos/<owner>/<repo>; "sha" (40 hex) of GET .../commits/<ref>.
// InvalidArgument naming `url` when the reply is not that.
StatusOr<std::string> ParseGitHubDefaultBranch(const std::string& body, const std::string& url);
StatusOr<std::string> ParseGitHubCommitSha(const std::string& body, const std::string& url);

// The error for a GitHub API reply that is not 200: 404 (and 422 for an unknown ref) NotFound,
// 403/429 with the rate limit spent Unavailable advising GITHUB_TOKEN, 401/403 otherwise
// FailedPrecondition, 5xx Unavailable, others InvalidArgument.
Status GitHubReplyError(const HttpReply& reply, const std::string& what);

// Where to download a weight URL: the URL itself, or <mirror>/<host>/<path> with a mirror.
// InvalidArgument unless it is an http:// or https:// URL with a host.
StatusOr<std::string> WeightDownloadUrl(const PyTorchHubConfig& config, const std::string& url);

// "weights/<last path segment of url>" (query and fragment dropped); it must pass
// CheckHubFilePath.
StatusOr<std::string> WeightPackagePath(const std::string& url);

// torch.hub's check: OK when there is no prefix or `sha256` starts with it; InvalidArgument
// naming `url`, the prefix and the digest otherwise, and for a prefix that is not lower-case hex.
Status CheckWeightHashPrefix(const std::string& url, const std::string& sha256,
                             const std::optional<std::string>& hash_prefix);

// The formats to try, in order, for `format`: auto: onnx, torchscript; onnx; torchscript;
// native: torchscript (PyTorch's own runtime format).
std::vector<std::string> ConversionFormats(FormatWanted format);

// "1,3,224,224" -> {1, 3, 224, 224}; InvalidArgument unless 1 to 8 positive integers.
StatusOr<std::vector<int64_t>> ParseInputShape(const std::string& text);

// Asks GitHub, fetches and unpacks the repository, runs the entry's discovery; returns the
// weights to download and the conversion as `prepare`.
StatusOr<RemoteModel> ResolvePyTorchHub(const ModelRef& ref, const PyTorchHubConfig& config,
                                        FormatWanted format = FormatWanted::kAuto);

}  // namespace mlos::axon
