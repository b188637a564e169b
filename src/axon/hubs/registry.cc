#include "axon/hubs/registry.h"

#include <nlohmann/json.hpp>

#include "axon/hubs/hub_file_path.h"
#include "axon/hubs/url_encoding.h"

namespace mlos::axon {
namespace {

constexpr char kLatest[] = "latest";

std::string Base(const std::string& registry_url) {
  std::string base = registry_url;
  while (base.ends_with('/')) base.pop_back();
  return base;
}

// "<url>/v1/models/<ns>/<name>/<version>"; ModelRef segments need no encoding ([A-Za-z0-9._-]).
std::string ModelUrl(const std::string& registry_url, const ModelRef& ref,
                     const std::string& version) {
  return Base(registry_url) + "/v1/models/" + ref.namespace_ + "/" + ref.name + "/" +
         PercentEncode(version, false);
}

Status FormatAllowed(const std::string& execution_format, FormatWanted format,
                     const std::string& where) {
  if (execution_format != "onnx" && execution_format != "torchscript") {
    return InvalidArgument(where + ": execution format \"" + execution_format +
                           "\" cannot be installed (onnx or torchscript)");
  }
  if ((format == FormatWanted::kOnnx && execution_format != "onnx") ||
      (format == FormatWanted::kTorchScript && execution_format != "torchscript")) {
    return InvalidArgument(where + ": the package is " + execution_format + ", not the " +
                           FormatWantedName(format) + " asked for with --format");
  }
  return Status::Ok();
}

Status ReplyError(const HttpReply& reply, const std::string& what, const std::string& url) {
  const std::string status = "HTTP " + std::to_string(reply.status);
  if (reply.status == 404) return NotFound("the registry has no " + what + " (" + url + ": 404)");
  const std::string message = "the registry answered " + status + " for " + url;
  return reply.status >= 500 ? Unavailable(message) : InvalidArgument(message);
}

FetchOptions RegistryFetchOptions(int max_attempts) {
  FetchOptions options;
  options.max_attempts = max_attempts;
  options.timeout = std::chrono::seconds(60);
  return options;
}

StatusOr<std::string> ConfiguredUrl(const AxonConfig& config) {
  if (config.registry_url().empty()) {
    return FailedPrecondition(
        "no registry is configured (axon config set registry.url http://host:port)");
  }
  return config.registry_url();
}

std::string StringField(const nlohmann::json& entry, const char* name) {
  const auto it = entry.find(name);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string RegistryManifestUrl(const std::string& registry_url, const ModelRef& ref) {
  return ModelUrl(registry_url, ref, ref.version) + "/manifest.yaml";
}

std::string RegistryFileUrl(const std::string& registry_url, const ModelRef& ref,
                            const std::string& version, const std::string& path) {
  return ModelUrl(registry_url, ref, version) + "/files/" + PercentEncode(path, true);
}

std::string RegistryIndexUrl(const std::string& registry_url) {
  return Base(registry_url) + "/v1/index.json";
}

StatusOr<RemoteModel> RegistryRemoteModel(const std::string& registry_url, const ModelRef& ref,
                                          const std::string& manifest_text,
                                          const std::string& manifest_url, FormatWanted format) {
  const std::string where = "registry manifest " + manifest_url;
  StatusOr<Manifest> parsed = ParseManifest(manifest_text);
  if (!parsed.ok()) return InvalidArgument(where + ": " + parsed.status().message());
  const Manifest& manifest = *parsed;
  if (manifest.namespace_ != ref.namespace_ || manifest.name != ref.name) {
    return InvalidArgument(where + " describes " + manifest.model_id() + ", not " + ref.id());
  }
  if (ref.version == kLatest && manifest.version == kLatest) {
    return InvalidArgument(where +
                           ": the registry must say which version \"latest\" is "
                           "(metadata.version), not \"latest\"");
  }
  if (ref.version != kLatest && manifest.version != ref.version) {
    return InvalidArgument(where + " is version " + manifest.version + ", not " + ref.version);
  }
  RETURN_IF_ERROR(FormatAllowed(manifest.execution_format, format, where));

  RemoteModel model;
  model.source = {"registry", ref.namespace_ + "/" + ref.name, ref.version, manifest.version};
  model.format = manifest.execution_format;
  model.execution_files = manifest.execution_files;
  for (const ManifestFile& file : manifest.files) {
    if (Status path_ok = CheckHubFilePath(file.path); !path_ok.ok()) {
      return path_ok.WithContext(where);
    }
    model.files.push_back({file.path,
                           RegistryFileUrl(registry_url, ref, manifest.version, file.path),
                           file.size, file.sha256});
  }
  return model;
}

StatusOr<RemoteModel> ResolveRegistry(const ModelRef& ref, const AxonConfig& config,
                                      FormatWanted format) {
  ASSIGN_OR_RETURN(const std::string registry_url, ConfiguredUrl(config));
  const std::string url = RegistryManifestUrl(registry_url, ref);
  ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(url, RegistryFetchOptions(5)));
  if (reply.status != 200) return ReplyError(reply, "model " + ref.id(), url);
  return RegistryRemoteModel(registry_url, ref, reply.body, url, format);
}

StatusOr<std::vector<SearchHit>> ParseRegistryIndex(const std::string& body, const std::string& url,
                                                    const SearchRequest& request) {
  const auto bad = [&](const std::string& what) {
    return InvalidArgument("unexpected registry index from " + url + ": " + what);
  };
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("models") || !json["models"].is_array()) {
    return bad("not an object with a \"models\" list");
  }
  std::vector<SearchHit> hits;
  const nlohmann::json& models = json["models"];
  for (size_t i = 0; i < models.size(); ++i) {
    const nlohmann::json& entry = models[i];
    const std::string id = entry.is_object() ? StringField(entry, "id") : "";
    const StatusOr<ModelRef> ref = ParseModelRef(id);
    if (id.empty() || !ref.ok() || id.find('@') != std::string::npos) {
      return bad("models[" + std::to_string(i) + "].id is not \"<ns>/<name>\"");
    }
    SearchHit hit;
    hit.id = id;
    hit.source = "registry";
    hit.version = StringField(entry, "latest");
    hit.task = StringField(entry, "task");
    hit.format = StringField(entry, "format");
    hit.description = StringField(entry, "description");
    if (const auto downloads = entry.find("downloads");
        downloads != entry.end() && downloads->is_number_unsigned()) {
      hit.downloads = downloads->get<uint64_t>();
    }
    if (MatchesQuery(hit.id, request.query) || MatchesQuery(hit.description, request.query)) {
      hits.push_back(std::move(hit));
    }
  }
  return hits;
}

StatusOr<std::vector<SearchHit>> SearchRegistry(const SearchRequest& request,
                                                const AxonConfig& config) {
  ASSIGN_OR_RETURN(const std::string registry_url, ConfiguredUrl(config));
  const std::string url = RegistryIndexUrl(registry_url);
  ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(url, RegistryFetchOptions(2)));
  if (reply.status != 200) return ReplyError(reply, "index", url);
  return ParseRegistryIndex(reply.body, url, request);
}

}  // namespace mlos::axon
