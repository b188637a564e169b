#include "axon/hubs/huggingface_search.h"

#include <nlohmann/json.hpp>

#include "axon/hubs/url_encoding.h"

namespace mlos::axon {
namespace {

std::string StringField(const nlohmann::json& entry, const char* name) {
  const auto it = entry.find(name);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<uint64_t> CountField(const nlohmann::json& entry, const char* name) {
  const auto it = entry.find(name);
  if (it == entry.end() || !it->is_number_integer() || it->get<int64_t>() < 0) return std::nullopt;
  return it->get<uint64_t>();
}

}  // namespace

std::string HfSearchUrl(const HuggingFaceConfig& config, const SearchRequest& request) {
  return config.endpoint + "/api/models?search=" + PercentEncode(request.query, false) +
         "&limit=" + std::to_string(request.limit);
}

StatusOr<std::vector<SearchHit>> ParseHfSearch(const std::string& body, const std::string& url) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_array()) {
    return InvalidArgument("unexpected search reply from " + url + ": not a JSON array");
  }
  std::vector<SearchHit> hits;
  for (size_t i = 0; i < json.size(); ++i) {
    const nlohmann::json& entry = json[i];
    const std::string id = entry.is_object() ? StringField(entry, "id") : "";
    if (id.empty()) {
      return InvalidArgument("unexpected search reply from " + url + ": entry " +
                             std::to_string(i) + " has no \"id\"");
    }
    SearchHit hit;
    hit.id = "hf/" + id;
    hit.source = "hf";
    hit.task = StringField(entry, "pipeline_tag");
    hit.format = StringField(entry, "library_name");
    hit.downloads = CountField(entry, "downloads");
    hit.likes = CountField(entry, "likes");
    hit.updated = StringField(entry, "lastModified");
    hits.push_back(std::move(hit));
  }
  return hits;
}

StatusOr<std::vector<SearchHit>> SearchHuggingFace(const SearchRequest& request,
                                                   const AxonConfig& config) {
  const HuggingFaceConfig hub = HuggingFaceConfigFromEnvironment(config.hf_endpoint());
  const std::string url = HfSearchUrl(hub, request);
  FetchOptions options;
  options.max_attempts = 2;
  options.timeout = std::chrono::seconds(30);
  if (!hub.token.empty()) options.headers.push_back({"Authorization", "Bearer " + hub.token});
  ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(url, options));
  if (reply.status != 200) {
    return Unavailable("Hugging Face answered HTTP " + std::to_string(reply.status) + " for " +
                       url);
  }
  return ParseHfSearch(reply.body, url);
}

}  // namespace mlos::axon
