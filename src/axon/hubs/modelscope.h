// ModelScope adapter: resolves `modelscope/<owner>/<name>@<revision>` (alias `ms/`) to a
// RemoteModel through ModelScope's HTTP API, as the official `modelscope` client does.
//
// Endpoint: "https://" + MODELSCOPE_DOMAIN (the client's variable; a value that already starts
// with http:// or https:// is taken as the whole endpoint), else axon's modelscope.endpoint
// (default https://www.modelscope.cn). Token: MODELSCOPE_API_TOKEN, sent as the client's session
// cookie `m_session_id` (dropped on a redirect to another host, like Authorization).
//
// Revision "latest" is the default branch, "master"; anything else is a branch, tag or commit.
// Every reply is the envelope {"Code", "Data", "Message", "Success"}:
//   GET /api/v1/models/<owner>/<name>/revisions
//       Data.RevisionMap.{Branches,Tags}: [{"Revision": name, "CommitId": sha}], for the commit
//       the revision points at (recorded as source.commit; a revision that is not listed there is
//       taken as a commit id as given)
//   GET /api/v1/models/<owner>/<name>/repo/files?Revision=<rev>&Recursive=true
//       Data.Files: [{"Name", "Path", "Type": "blob"|"tree", "Size", "Sha256", "Revision"}]
//   GET /api/v1/models/<owner>/<name>/repo?Revision=<rev>&FilePath=<path>   one file
// Every listed name must pass CheckHubFilePath (else the install is refused); the files are chosen
// by SelectModelFiles; each is checked against the listed Size and Sha256.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "axon/download.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "common/status.h"

namespace mlos::axon {

struct ModelScopeConfig {
  std::string endpoint = "https://www.modelscope.cn";  // no trailing '/'
  std::string token{};                                 // empty: anonymous
};

// From MODELSCOPE_DOMAIN (unset or empty: `default_endpoint`, e.g. axon's modelscope.endpoint)
// and MODELSCOPE_API_TOKEN.
ModelScopeConfig ModelScopeConfigFromEnvironment(
    const std::string& default_endpoint = ModelScopeConfig().endpoint);

struct MsFile {
  std::string path{};    // "Path", unchecked
  uint64_t size = 0;     // "Size"; 0 when absent
  std::string sha256{};  // "Sha256", lower-case; empty when absent
};

// `repo` is "owner/name"; `revision` the one to ask for ("master" for latest).
std::string MsRevisionsUrl(const ModelScopeConfig& config, const std::string& repo);
std::string MsFilesUrl(const ModelScopeConfig& config, const std::string& repo,
                       const std::string& revision);
std::string MsFileUrl(const ModelScopeConfig& config, const std::string& repo,
                      const std::string& revision, const std::string& path);

// The commit `revision` points at, from the revisions reply; empty when the revision is not a
// listed branch or tag. InvalidArgument naming `url` for a reply that is not the envelope.
StatusOr<std::string> ParseMsRevisions(const std::string& body, const std::string& url,
                                       const std::string& revision);
// The files ("blob" entries) of the listing; InvalidArgument naming `url` when the reply is not
// the expected JSON (no Data.Files, an entry without Path, a malformed Sha256...).
StatusOr<std::vector<MsFile>> ParseMsFiles(const std::string& body, const std::string& url);

// The error for a reply that is not 200 or whose envelope says it failed: 401/403 explain private
// models and MODELSCOPE_API_TOKEN (FailedPrecondition), 404 says the model or revision does not
// exist (NotFound), 5xx Unavailable, others InvalidArgument; each quotes the hub's Message.
Status MsReplyError(const HttpReply& reply, const std::string& repo, const std::string& revision,
                    bool have_token);

// Checks every listed name, selects the files and builds the RemoteModel (pure; no I/O).
// `commit` is what the revision resolved to (empty: the revision as asked).
StatusOr<RemoteModel> MsRemoteModel(const ModelScopeConfig& config, const ModelRef& ref,
                                    const std::string& commit, const std::vector<MsFile>& files,
                                    FormatWanted format = FormatWanted::kAuto);

// Asks ModelScope (FetchUrl) and returns the model to download.
StatusOr<RemoteModel> ResolveModelScope(const ModelRef& ref, const ModelScopeConfig& config,
                                        FormatWanted format = FormatWanted::kAuto);

}  // namespace mlos::axon
