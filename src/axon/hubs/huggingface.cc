#include "axon/hubs/huggingface.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "axon/hubs/hub_file_path.h"
#include "axon/hubs/url_encoding.h"

namespace mlos::axon {
namespace {

constexpr char kDefaultBranchRevision[] = "latest";

std::string EnvironmentOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? std::string(value) : std::move(fallback);
}

bool IsHex(std::string_view text, size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

uint64_t SizeField(const nlohmann::json& object) {
  const auto it = object.find("size");
  return it != object.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

// The Hub's own words from an error reply: X-Error-Message, else the body's "error".
std::string HubMessage(const HttpReply& reply) {
  if (const auto it = reply.headers.find("x-error-message"); it != reply.headers.end()) {
    return it->second;
  }
  const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    return body["error"].get<std::string>();
  }
  return "";
}

StatusOr<std::string> RepoOf(const ModelRef& ref) {
  if (std::count(ref.name.begin(), ref.name.end(), '/') > 1) {
    return InvalidArgument("model id \"" + ref.id() +
                           "\": a Hugging Face repository is hf/<org>/<name> or hf/<name>");
  }
  return ref.name;
}

}  // namespace

HuggingFaceConfig HuggingFaceConfigFromEnvironment(const std::string& default_endpoint) {
  HuggingFaceConfig config;
  config.endpoint = EnvironmentOr("HF_ENDPOINT", default_endpoint);
  while (config.endpoint.ends_with('/')) config.endpoint.pop_back();
  config.token = EnvironmentOr("HF_TOKEN", "");
  return config;
}

std::string HfModelInfoUrl(const HuggingFaceConfig& config, const std::string& repo,
                           const std::string& revision) {
  std::string url = config.endpoint + "/api/models/" + PercentEncode(repo, true);
  if (revision != kDefaultBranchRevision) url += "/revision/" + PercentEncode(revision, false);
  return url + "?blobs=true";
}

std::string HfResolveUrl(const HuggingFaceConfig& config, const std::string& repo,
                         const std::string& commit, const std::string& path) {
  return config.endpoint + "/" + PercentEncode(repo, true) + "/resolve/" +
         PercentEncode(commit, false) + "/" + PercentEncode(path, true);
}

StatusOr<HfModelInfo> ParseHfModelInfo(const std::string& body, const std::string& url) {
  const auto bad = [&](const std::string& what) {
    return InvalidArgument("unexpected model info from " + url + ": " + what);
  };
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return bad("not a JSON object");
  HfModelInfo info;
  if (json.contains("id") && json["id"].is_string()) info.id = json["id"].get<std::string>();
  if (!json.contains("sha") || !json["sha"].is_string() ||
      !IsHex(json["sha"].get<std::string>(), 40)) {
    return bad("\"sha\" is not a 40-hex commit");
  }
  info.commit = json["sha"].get<std::string>();
  if (const auto gated = json.find("gated"); gated != json.end()) {
    info.gated = gated->is_string() || (gated->is_boolean() && gated->get<bool>());
  }
  if (const auto is_private = json.find("private"); is_private != json.end()) {
    info.is_private = is_private->is_boolean() && is_private->get<bool>();
  }
  const auto siblings = json.find("siblings");
  if (siblings == json.end() || !siblings->is_array()) return bad("no \"siblings\" list");
  for (size_t i = 0; i < siblings->size(); ++i) {
    const nlohmann::json& entry = (*siblings)[i];
    const std::string where = "siblings[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("rfilename") || !entry["rfilename"].is_string()) {
      return bad(where + " has no \"rfilename\"");
    }
    HfSibling sibling;
    sibling.path = entry["rfilename"].get<std::string>();
    sibling.size = SizeField(entry);
    if (const auto lfs = entry.find("lfs"); lfs != entry.end() && lfs->is_object()) {
      const auto sha256 = lfs->find("sha256");
      if (sha256 == lfs->end() || !sha256->is_string() || !IsHex(sha256->get<std::string>(), 64)) {
        return bad(where + " (" + sibling.path + "): lfs.sha256 is not 64 hex digits");
      }
      sibling.sha256 = sha256->get<std::string>();
      if (const uint64_t lfs_size = SizeField(*lfs); lfs_size != 0) sibling.size = lfs_size;
    } else if (const auto blob_id = entry.find("blobId"); blob_id != entry.end()) {
      if (!blob_id->is_string() || !IsHex(blob_id->get<std::string>(), 40)) {
        return bad(where + " (" + sibling.path + "): blobId is not 40 hex digits");
      }
      sibling.blob_id = blob_id->get<std::string>();
    }
    info.siblings.push_back(std::move(sibling));
  }
  return info;
}

Status HfReplyError(const HttpReply& reply, const std::string& repo, const std::string& revision,
                    bool have_token) {
  const std::string hub_says = HubMessage(reply);
  const std::string quoted = hub_says.empty() ? "" : " (the Hub says: " + hub_says + ")";
  const std::string status = "HTTP " + std::to_string(reply.status);
  if (reply.status == 401 || reply.status == 403) {
    const std::string advice =
        have_token ? "the token in HF_TOKEN does not grant access to it: request access on the "
                     "model's page or use a token of an account that has it"
                   : "set HF_TOKEN to an access token of an account that may read it";
    return FailedPrecondition("Hugging Face refused access to " + repo + " (" + status + ")" +
                              quoted + ": the repository is gated or private; " + advice);
  }
  if (reply.status == 404) {
    return NotFound("Hugging Face has no repository " + repo + " with revision \"" + revision +
                    "\" (" + status + ")" + quoted +
                    "; private repositories also answer 404 without a valid HF_TOKEN");
  }
  const std::string message =
      "Hugging Face answered " + status + " for " + repo + "@" + revision + quoted;
  return reply.status >= 500 ? Unavailable(message) : InvalidArgument(message);
}

StatusOr<RemoteModel> HfRemoteModel(const HuggingFaceConfig& config, const ModelRef& ref,
                                    const HfModelInfo& info, FormatWanted format) {
  ASSIGN_OR_RETURN(const std::string repo, RepoOf(ref));
  std::vector<std::string> paths;
  for (const HfSibling& sibling : info.siblings) {
    if (Status path_ok = CheckHubFilePath(sibling.path); !path_ok.ok()) {
      return path_ok.WithContext("hf/" + repo + "@" + info.commit);
    }
    paths.push_back(sibling.path);
  }
  ASSIGN_OR_RETURN(const FileSelection selection, SelectModelFiles(paths, "hf/" + repo, format));

  RemoteModel model;
  model.source = {"hf", repo, ref.version, info.commit};
  model.format = selection.format;
  model.execution_files = selection.execution_files;
  for (const std::string& path : selection.files) {
    const auto sibling = std::find_if(info.siblings.begin(), info.siblings.end(),
                                      [&](const HfSibling& s) { return s.path == path; });
    model.files.push_back({path, HfResolveUrl(config, repo, info.commit, path), sibling->size,
                           sibling->sha256, sibling->blob_id});
  }
  if (!config.token.empty()) model.headers.push_back({"Authorization", "Bearer " + config.token});
  return model;
}

StatusOr<RemoteModel> ResolveHuggingFace(const ModelRef& ref, const HuggingFaceConfig& config,
                                         FormatWanted format) {
  ASSIGN_OR_RETURN(const std::string repo, RepoOf(ref));
  const std::string url = HfModelInfoUrl(config, repo, ref.version);
  FetchOptions options;
  if (!config.token.empty()) options.headers.push_back({"Authorization", "Bearer " + config.token});
  ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(url, options));
  if (reply.status != 200) return HfReplyError(reply, repo, ref.version, !config.token.empty());
  ASSIGN_OR_RETURN(const HfModelInfo info, ParseHfModelInfo(reply.body, url));
  return HfRemoteModel(config, ref, info, format);
}

}  // namespace mlos::axon
