// Hugging Face adapter: resolves `hf/<org>/<name>@<revision>` to a RemoteModel through the Hub's
// HTTP API, as the official client does.
//
// Endpoint from HF_ENDPOINT (else axon's hf.endpoint, default https://huggingface.co), token from
// HF_TOKEN (sent as `Authorization: Bearer`). Revision "latest" is the repository's default branch;
// anything else is a branch, tag or commit, passed to the Hub as given. The model info (GET
// /api/models/<repo>[/revision/<rev>]?blobs=true) gives the commit the revision resolved to and
// every file with its size and, for LFS files, its sha256; downloads are pinned to that commit (GET
// /<repo>/resolve/<commit>/<path>, which redirects LFS files to their storage). Every file name the
// Hub lists must pass CheckHubFilePath, or the install is refused; the files are chosen by
// SelectModelFiles.
#pragma once

#include <string>
#include <vector>

#include "axon/download.h"
#include "axon/hubs/file_selection.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "common/status.h"

namespace mlos::axon {

struct HuggingFaceConfig {
  std::string endpoint = "https://huggingface.co";  // no trailing '/'
  std::string token{};                              // empty: anonymous
};

// From HF_ENDPOINT (unset or empty: `default_endpoint`, e.g. axon's config key hf.endpoint) and
// HF_TOKEN (unset or empty: anonymous).
HuggingFaceConfig HuggingFaceConfigFromEnvironment(
    const std::string& default_endpoint = HuggingFaceConfig().endpoint);

// What the model info API says about one revision.
struct HfSibling {
  std::string path{};     // rfilename, unchecked
  uint64_t size = 0;      // lfs.size, else size; 0 when absent
  std::string sha256{};   // lfs.sha256; empty for files stored in git
  std::string blob_id{};  // blobId of a file stored in git (its git blob sha1); empty for LFS
};

struct HfModelInfo {
  std::string id{};
  std::string commit{};  // "sha": 40 hex digits
  bool gated = false;    // "gated" is false or a mode ("auto", "manual")
  bool is_private = false;
  std::vector<HfSibling> siblings{};
};

// `repo` is "org/name". The model info URL for `revision` ("latest": the default branch).
std::string HfModelInfoUrl(const HuggingFaceConfig& config, const std::string& repo,
                           const std::string& revision);
// The download URL of `path` at `commit`, each path segment percent-encoded.
std::string HfResolveUrl(const HuggingFaceConfig& config, const std::string& repo,
                         const std::string& commit, const std::string& path);

// Parses the model info reply; InvalidArgument naming `url` when it is not the expected JSON
// (no 40-hex sha, siblings without rfilename, a malformed lfs sha256...).
StatusOr<HfModelInfo> ParseHfModelInfo(const std::string& body, const std::string& url);

// The error for a model info reply that is not 200: 401/403 explain gated/private repositories
// and HF_TOKEN (FailedPrecondition), 404 says the repository or revision does not exist
// (NotFound), others name the status (Unavailable for 5xx, InvalidArgument otherwise).
Status HfReplyError(const HttpReply& reply, const std::string& repo, const std::string& revision,
                    bool have_token);

// Checks every listed name, selects the files and builds the RemoteModel (pure; no I/O).
StatusOr<RemoteModel> HfRemoteModel(const HuggingFaceConfig& config, const ModelRef& ref,
                                    const HfModelInfo& info,
                                    FormatWanted format = FormatWanted::kAuto);

// Asks the Hub (FetchUrl) and returns the model to download.
StatusOr<RemoteModel> ResolveHuggingFace(const ModelRef& ref, const HuggingFaceConfig& config,
                                         FormatWanted format = FormatWanted::kAuto);

}  // namespace mlos::axon
