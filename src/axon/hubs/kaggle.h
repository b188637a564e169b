// Kaggle Models adapter: resolves `kaggle/<owner>/<model>/<framework>/<variation>@<version>` to a
// RemoteModel through the Kaggle API v1, as the official `kagglehub` client does.
//
// Endpoint from KAGGLE_API_ENDPOINT (else axon's kaggle.endpoint, default https://www.kaggle.com).
// Credentials: KAGGLE_USERNAME and KAGGLE_KEY (HTTP Basic, as kagglehub), else KAGGLE_API_TOKEN
// (Bearer); none: anonymous, enough for public models. Version "latest" is the instance's newest
// version; anything else must be a version number. Routes (under <endpoint>/api/v1/models/
// <owner>/<model>/<framework>/<variation>):
//   GET /get                            the instance: "versionNumber" is the newest version
//   GET /<version>/files?page_size=N    {"files": [{"name", "size"}], "nextPageToken"}
//   GET /<version>/download             the version's files as one tar.gz (usually a redirect to
//                                       storage; a one-file version may answer the file itself)
// The version is recorded as source.commit. Listed names must pass CheckHubFilePath; a listing
// that shows a TensorFlow SavedModel without ONNX is refused before anything is downloaded. The
// archive is downloaded as one file and unpacked by ArchiveModelPrepare (archive_model.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "axon/download.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "common/status.h"

namespace mlos::axon {

struct KaggleConfig {
  std::string endpoint = "https://www.kaggle.com";  // no trailing '/'
  std::string username{};                           // with key: HTTP Basic
  std::string key{};
  std::string api_token{};  // without username/key: Bearer
};

// From KAGGLE_API_ENDPOINT (unset or empty: `default_endpoint`), KAGGLE_USERNAME, KAGGLE_KEY and
// KAGGLE_API_TOKEN.
KaggleConfig KaggleConfigFromEnvironment(
    const std::string& default_endpoint = KaggleConfig().endpoint);

// The Authorization header the credentials give; empty for anonymous access.
HttpHeaders KaggleAuthHeaders(const KaggleConfig& config);

// "owner/model/framework/variation" of `ref`; InvalidArgument for another shape or a version that
// is neither "latest" nor a positive number.
StatusOr<std::string> KaggleHandle(const ModelRef& ref);

std::string KaggleInstanceUrl(const KaggleConfig& config, const std::string& handle);
std::string KaggleFilesUrl(const KaggleConfig& config, const std::string& handle,
                           const std::string& version);
std::string KaggleDownloadUrl(const KaggleConfig& config, const std::string& handle,
                              const std::string& version);

// "versionNumber" of the instance reply, as text; InvalidArgument naming `url` otherwise.
StatusOr<std::string> ParseKaggleInstanceVersion(const std::string& body, const std::string& url);

struct KaggleFileList {
  std::vector<std::string> names{};  // unchecked
  bool complete = true;              // false: more pages ("nextPageToken")
};
StatusOr<KaggleFileList> ParseKaggleFiles(const std::string& body, const std::string& url);

// 401: credentials missing or wrong; 403: the model's terms not accepted or no access
// (FailedPrecondition); 404 NotFound; 5xx Unavailable; else InvalidArgument.
Status KaggleReplyError(const HttpReply& reply, const std::string& model, bool have_credentials);

// Checks the listed names, refuses a SavedModel-only listing, builds the RemoteModel (pure).
StatusOr<RemoteModel> KaggleRemoteModel(const KaggleConfig& config, const ModelRef& ref,
                                        const std::string& version, const KaggleFileList& files,
                                        FormatWanted format = FormatWanted::kAuto);

// Asks Kaggle (FetchUrl) and returns the model to download.
StatusOr<RemoteModel> ResolveKaggle(const ModelRef& ref, const KaggleConfig& config,
                                    FormatWanted format = FormatWanted::kAuto);

}  // namespace mlos::axon
