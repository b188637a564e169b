#include "axon/hubs/kaggle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "axon/hubs/archive_model.h"
#include "axon/hubs/hub_file_path.h"
#include "axon/hubs/hub_text.h"
#include "axon/hubs/url_encoding.h"

namespace mlos::axon {
namespace {

constexpr char kArchiveName[] = "kaggle-model.tar.gz";
constexpr int kFilesPageSize = 100;

std::string Base64(const std::string& text) {
  std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  encoded.resize(static_cast<size_t>(length));
  return encoded;
}

bool IsVersionNumber(const std::string& text) {
  return !text.empty() && text.size() <= 9 && text.front() != '0' &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string ApiBase(const KaggleConfig& config, const std::string& handle) {
  return config.endpoint + "/api/v1/models/" + PercentEncode(handle, true);
}

std::string HubMessage(const HttpReply& reply) {
  const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  return "";
}

}  // namespace

KaggleConfig KaggleConfigFromEnvironment(const std::string& default_endpoint) {
  KaggleConfig config;
  config.endpoint = WithoutTrailingSlash(EnvironmentOr("KAGGLE_API_ENDPOINT", default_endpoint));
  config.username = EnvironmentOr("KAGGLE_USERNAME", "");
  config.key = EnvironmentOr("KAGGLE_KEY", "");
  config.api_token = EnvironmentOr("KAGGLE_API_TOKEN", "");
  return config;
}

HttpHeaders KaggleAuthHeaders(const KaggleConfig& config) {
  if (!config.username.empty() && !config.key.empty()) {
    return {{"Authorization", "Basic " + Base64(config.username + ":" + config.key)}};
  }
  if (!config.api_token.empty()) return {{"Authorization", "Bearer " + config.api_token}};
  return {};
}

StatusOr<std::string> KaggleHandle(const ModelRef& ref) {
  if (std::count(ref.name.begin(), ref.name.end(), '/') != 3) {
    return InvalidArgument("model id \"" + ref.id() +
                           "\": a Kaggle model is kaggle/<owner>/<model>/<framework>/<variation>"
                           "[@version]");
  }
  if (ref.version != "latest" && !IsVersionNumber(ref.version)) {
    return InvalidArgument("model id \"" + ref.id() + "\": a Kaggle model version is a number (" +
                           "1, 2, ...) or latest, not \"" + ref.version + "\"");
  }
  return ref.name;
}

std::string KaggleInstanceUrl(const KaggleConfig& config, const std::string& handle) {
  return ApiBase(config, handle) + "/get";
}

std::string KaggleFilesUrl(const KaggleConfig& config, const std::string& handle,
                           const std::string& version) {
  return ApiBase(config, handle) + "/" + version +
         "/files?page_size=" + std::to_string(kFilesPageSize);
}

std::string KaggleDownloadUrl(const KaggleConfig& config, const std::string& handle,
                              const std::string& version) {
  return ApiBase(config, handle) + "/" + version + "/download";
}

StatusOr<std::string> ParseKaggleInstanceVersion(const std::string& body, const std::string& url) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  const auto version = json.is_object() ? json.find("versionNumber") : json.end();
  if (!json.is_object() || version == json.end() || !version->is_number_unsigned() ||
      version->get<uint64_t>() == 0) {
    return InvalidArgument("unexpected model instance from " + url +
                           ": no positive \"versionNumber\"");
  }
  return std::to_string(version->get<uint64_t>());
}

StatusOr<KaggleFileList> ParseKaggleFiles(const std::string& body, const std::string& url) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("files") || !json["files"].is_array()) {
    return InvalidArgument("unexpected file list from " + url + ": no \"files\" list");
  }
  KaggleFileList list;
  for (size_t i = 0; i < json["files"].size(); ++i) {
    const nlohmann::json& entry = json["files"][i];
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) {
      return InvalidArgument("unexpected file list from " + url + ": files[" + std::to_string(i) +
                             "] has no \"name\"");
    }
    list.names.push_back(entry["name"].get<std::string>());
  }
  const auto token = json.find("nextPageToken");
  list.complete = token == json.end() || !token->is_string() || token->get<std::string>().empty();
  return list;
}

Status KaggleReplyError(const HttpReply& reply, const std::string& model, bool have_credentials) {
  const std::string hub_says = HubMessage(reply);
  const std::string quoted = hub_says.empty() ? "" : " (Kaggle says: " + hub_says + ")";
  const std::string shown = "HTTP " + std::to_string(reply.status);
  if (reply.status == 401) {
    return FailedPrecondition(
        "Kaggle refused " + model + " (" + shown + ")" + quoted + ": " +
        (have_credentials ? "the credentials in KAGGLE_USERNAME/KAGGLE_KEY (or KAGGLE_API_TOKEN) "
                            "are not valid"
                          : "it needs credentials: set KAGGLE_USERNAME and KAGGLE_KEY (from "
                            "kaggle.com, Settings, API) or KAGGLE_API_TOKEN"));
  }
  if (reply.status == 403) {
    return FailedPrecondition(
        "Kaggle refused access to " + model + " (" + shown + ")" + quoted +
        ": the model's terms must be accepted on its Kaggle page by the account whose credentials "
        "are in KAGGLE_USERNAME/KAGGLE_KEY (or KAGGLE_API_TOKEN), or the model is private");
  }
  if (reply.status == 404) {
    return NotFound("Kaggle has no model " + model + " (" + shown + ")" + quoted +
                    "; private models also answer 404 without valid KAGGLE_USERNAME/KAGGLE_KEY");
  }
  const std::string message = "Kaggle answered " + shown + " for " + model + quoted;
  return reply.status >= 500 ? Unavailable(message) : InvalidArgument(message);
}

StatusOr<RemoteModel> KaggleRemoteModel(const KaggleConfig& config, const ModelRef& ref,
                                        const std::string& version, const KaggleFileList& files,
                                        FormatWanted format) {
  ASSIGN_OR_RETURN(const std::string handle, KaggleHandle(ref));
  const std::string model = "kaggle/" + handle + "@" + version;
  for (const std::string& name : files.names) {
    RETURN_IF_ERROR(CheckHubFilePath(name).WithContext(model));
  }
  const bool has_onnx = std::any_of(files.names.begin(), files.names.end(),
                                    [](const std::string& n) { return n.ends_with(".onnx"); });
  if (files.complete && !has_onnx && HoldsTensorFlowSavedModel(files.names)) {
    return SavedModelCannotBeConverted(model);
  }
  RemoteModel remote;
  remote.source = {"kaggle", handle, ref.version, version};
  remote.format = "onnx";  // what `prepare` finds decides
  remote.files.push_back({kArchiveName, KaggleDownloadUrl(config, handle, version), 0, ""});
  remote.headers = KaggleAuthHeaders(config);
  ArchiveModel archive;
  archive.archive = kArchiveName;
  if (files.complete && files.names.size() == 1) archive.single_file = files.names.front();
  archive.model = model;
  archive.format = format;
  remote.prepare = ArchiveModelPrepare(std::move(archive));
  return remote;
}

StatusOr<RemoteModel> ResolveKaggle(const ModelRef& ref, const KaggleConfig& config,
                                    FormatWanted format) {
  ASSIGN_OR_RETURN(const std::string handle, KaggleHandle(ref));
  FetchOptions options;
  options.headers = KaggleAuthHeaders(config);
  const bool have_credentials = !options.headers.empty();
  std::string version = ref.version;
  if (version == "latest") {
    const std::string url = KaggleInstanceUrl(config, handle);
    ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(url, options));
    if (reply.status != 200) {
      return KaggleReplyError(reply, "kaggle/" + handle, have_credentials);
    }
    ASSIGN_OR_RETURN(version, ParseKaggleInstanceVersion(reply.body, url));
  }
  const std::string url = KaggleFilesUrl(config, handle, version);
  ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(url, options));
  if (reply.status != 200) {
    return KaggleReplyError(reply, "kaggle/" + handle + "@" + version, have_credentials);
  }
  ASSIGN_OR_RETURN(const KaggleFileList files, ParseKaggleFiles(reply.body, url));
  return KaggleRemoteModel(config, ref, version, files, format);
}

}  // namespace mlos::axon
