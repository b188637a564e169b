#include "axon/hubs/modelscope.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "axon/hubs/file_selection.h"
#include "axon/hubs/hub_file_path.h"
#include "axon/hubs/hub_text.h"
#include "axon/hubs/url_encoding.h"

namespace mlos::axon {
namespace {

constexpr char kDefaultRevision[] = "master";

std::string RevisionToAsk(const std::string& version) {
  return version == "latest" ? kDefaultRevision : version;
}

StatusOr<std::string> RepoOf(const ModelRef& ref) {
  if (std::count(ref.name.begin(), ref.name.end(), '/') != 1) {
    return InvalidArgument("model id \"" + ref.id() +
                           "\": a ModelScope model is modelscope/<owner>/<name>[@revision]");
  }
  return ref.name;
}

// The envelope's "Data" when the reply says it succeeded; else an error quoting its Message.
StatusOr<nlohmann::json> EnvelopeData(const std::string& body, const std::string& url) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) {
    return InvalidArgument("unexpected reply from " + url + ": not a JSON object");
  }
  const auto success = json.find("Success");
  if (success != json.end() && success->is_boolean() && !success->get<bool>()) {
    const auto message = json.find("Message");
    return InvalidArgument("ModelScope answered " + url + " with an error" +
                           (message != json.end() && message->is_string()
                                ? ": " + message->get<std::string>()
                                : std::string()));
  }
  const auto data = json.find("Data");
  if (data == json.end() || !data->is_object()) {
    return InvalidArgument("unexpected reply from " + url + ": no \"Data\" object");
  }
  return *data;
}

std::string HubMessage(const HttpReply& reply) {
  const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  if (body.is_object() && body.contains("Message") && body["Message"].is_string()) {
    return body["Message"].get<std::string>();
  }
  return "";
}

// The envelope's own Code when the HTTP status is 200 but Success is false (ModelScope answers
// some errors that way); the HTTP status otherwise.
long EffectiveStatus(const HttpReply& reply) {
  if (reply.status != 200) return reply.status;
  const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  if (body.is_object() && body.contains("Success") && body["Success"].is_boolean() &&
      !body["Success"].get<bool>() && body.contains("Code") && body["Code"].is_number_integer()) {
    const long code = body["Code"].get<long>();
    if (code >= 400 && code < 600) return code;
  }
  return reply.status;
}

HttpHeaders AuthHeaders(const ModelScopeConfig& config) {
  if (config.token.empty()) return {};
  return {{"Cookie", "m_session_id=" + config.token}};
}

}  // namespace

ModelScopeConfig ModelScopeConfigFromEnvironment(const std::string& default_endpoint) {
  ModelScopeConfig config;
  const std::string domain = EnvironmentOr("MODELSCOPE_DOMAIN", "");
  if (domain.empty()) {
    config.endpoint = default_endpoint;
  } else if (domain.starts_with("http://") || domain.starts_with("https://")) {
    config.endpoint = domain;
  } else {
    config.endpoint = "https://" + domain;
  }
  config.endpoint = WithoutTrailingSlash(config.endpoint);
  config.token = EnvironmentOr("MODELSCOPE_API_TOKEN", "");
  return config;
}

std::string MsRevisionsUrl(const ModelScopeConfig& config, const std::string& repo) {
  return config.endpoint + "/api/v1/models/" + PercentEncode(repo, true) + "/revisions";
}

std::string MsFilesUrl(const ModelScopeConfig& config, const std::string& repo,
                       const std::string& revision) {
  return config.endpoint + "/api/v1/models/" + PercentEncode(repo, true) +
         "/repo/files?Revision=" + PercentEncode(revision, false) + "&Recursive=true";
}

std::string MsFileUrl(const ModelScopeConfig& config, const std::string& repo,
                      const std::string& revision, const std::string& path) {
  return config.endpoint + "/api/v1/models/" + PercentEncode(repo, true) +
         "/repo?Revision=" + PercentEncode(revision, false) +
         "&FilePath=" + PercentEncode(path, false);
}

StatusOr<std::string> ParseMsRevisions(const std::string& body, const std::string& url,
                                       const std::string& revision) {
  ASSIGN_OR_RETURN(const nlohmann::json data, EnvelopeData(body, url));
  const auto map = data.find("RevisionMap");
  if (map == data.end() || !map->is_object()) {
    return InvalidArgument("unexpected reply from " + url + ": no \"RevisionMap\"");
  }
  for (const char* kind : {"Branches", "Tags"}) {
    const auto list = map->find(kind);
    if (list == map->end() || !list->is_array()) continue;  // null when there are none
    for (const nlohmann::json& entry : *list) {
      if (!entry.is_object() || !entry.contains("Revision") || !entry["Revision"].is_string() ||
          entry["Revision"].get<std::string>() != revision) {
        continue;
      }
      const auto commit = entry.find("CommitId");
      if (commit == entry.end() || !commit->is_string() || commit->get<std::string>().empty()) {
        return InvalidArgument("unexpected reply from " + url + ": revision \"" + revision +
                               "\" has no CommitId");
      }
      return commit->get<std::string>();
    }
  }
  return std::string();
}

StatusOr<std::vector<MsFile>> ParseMsFiles(const std::string& body, const std::string& url) {
  ASSIGN_OR_RETURN(const nlohmann::json data, EnvelopeData(body, url));
  const auto files = data.find("Files");
  if (files == data.end() || !files->is_array()) {
    return InvalidArgument("unexpected reply from " + url + ": no \"Files\" list");
  }
  std::vector<MsFile> result;
  for (size_t i = 0; i < files->size(); ++i) {
    const nlohmann::json& entry = (*files)[i];
    const std::string where = "Files[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("Path") || !entry["Path"].is_string()) {
      return InvalidArgument("unexpected reply from " + url + ": " + where + " has no \"Path\"");
    }
    if (entry.contains("Type") && entry["Type"] == "tree") continue;
    MsFile file;
    file.path = entry["Path"].get<std::string>();
    if (const auto size = entry.find("Size"); size != entry.end() && size->is_number_unsigned()) {
      file.size = size->get<uint64_t>();
    }
    if (const auto sha = entry.find("Sha256"); sha != entry.end() && !sha->is_null()) {
      std::string digest = sha->is_string() ? sha->get<std::string>() : "";
      std::transform(digest.begin(), digest.end(), digest.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (!digest.empty() && !IsLowerHex(digest, 64)) {
        return InvalidArgument("unexpected reply from " + url + ": " + where + " (" + file.path +
                               "): Sha256 is not 64 hex digits");
      }
      file.sha256 = std::move(digest);
    }
    result.push_back(std::move(file));
  }
  return result;
}

Status MsReplyError(const HttpReply& reply, const std::string& repo, const std::string& revision,
                    bool have_token) {
  const long status = EffectiveStatus(reply);
  const std::string hub_says = HubMessage(reply);
  const std::string quoted = hub_says.empty() ? "" : " (ModelScope says: " + hub_says + ")";
  const std::string shown = "HTTP " + std::to_string(status);
  if (status == 401 || status == 403) {
    const std::string advice =
        have_token ? "the token in MODELSCOPE_API_TOKEN does not grant access to it"
                   : "set MODELSCOPE_API_TOKEN to an access token of an account that may read it";
    return FailedPrecondition("ModelScope refused access to " + repo + " (" + shown + ")" + quoted +
                              ": the model is private or needs an agreement; " + advice);
  }
  if (status == 404) {
    return NotFound("ModelScope has no model " + repo + " with revision \"" + revision + "\" (" +
                    shown + ")" + quoted +
                    "; private models also answer 404 without a valid MODELSCOPE_API_TOKEN");
  }
  const std::string message =
      "ModelScope answered " + shown + " for " + repo + "@" + revision + quoted;
  return status >= 500 ? Unavailable(message) : InvalidArgument(message);
}

StatusOr<RemoteModel> MsRemoteModel(const ModelScopeConfig& config, const ModelRef& ref,
                                    const std::string& commit, const std::vector<MsFile>& files,
                                    FormatWanted format) {
  ASSIGN_OR_RETURN(const std::string repo, RepoOf(ref));
  const std::string revision = RevisionToAsk(ref.version);
  const std::string pinned = commit.empty() ? revision : commit;
  std::vector<std::string> paths;
  for (const MsFile& file : files) {
    if (Status path_ok = CheckHubFilePath(file.path); !path_ok.ok()) {
      return path_ok.WithContext("modelscope/" + repo + "@" + pinned);
    }
    paths.push_back(file.path);
  }
  ASSIGN_OR_RETURN(const FileSelection selection,
                   SelectModelFiles(paths, "modelscope/" + repo, format));

  RemoteModel model;
  model.source = {"modelscope", repo, ref.version, pinned};
  model.format = selection.format;
  model.execution_files = selection.execution_files;
  for (const std::string& path : selection.files) {
    const auto file =
        std::find_if(files.begin(), files.end(), [&](const MsFile& f) { return f.path == path; });
    model.files.push_back(
        {path, MsFileUrl(config, repo, revision, path), file->size, file->sha256});
  }
  model.headers = AuthHeaders(config);
  return model;
}

StatusOr<RemoteModel> ResolveModelScope(const ModelRef& ref, const ModelScopeConfig& config,
                                        FormatWanted format) {
  ASSIGN_OR_RETURN(const std::string repo, RepoOf(ref));
  const std::string revision = RevisionToAsk(ref.version);
  FetchOptions options;
  options.headers = AuthHeaders(config);
  const bool have_token = !config.token.empty();

  const std::string revisions_url = MsRevisionsUrl(config, repo);
  ASSIGN_OR_RETURN(const HttpReply revisions, FetchUrl(revisions_url, options));
  if (EffectiveStatus(revisions) != 200) {
    return MsReplyError(revisions, repo, revision, have_token);
  }
  ASSIGN_OR_RETURN(std::string commit, ParseMsRevisions(revisions.body, revisions_url, revision));

  const std::string files_url = MsFilesUrl(config, repo, revision);
  ASSIGN_OR_RETURN(const HttpReply listing, FetchUrl(files_url, options));
  if (EffectiveStatus(listing) != 200) return MsReplyError(listing, repo, revision, have_token);
  ASSIGN_OR_RETURN(const std::vector<MsFile> files, ParseMsFiles(listing.body, files_url));
  // A revision that is no branch or tag but lists files is a commit id, pinned as given.
  if (commit.empty()) commit = revision;
  return MsRemoteModel(config, ref, commit, files, format);
}

}  // namespace mlos::axon
