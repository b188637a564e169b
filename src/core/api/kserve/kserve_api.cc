#include "core/api/kserve/kserve_api.h"

#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/api/http/url.h"
#include "core/api/kserve/kserve_models.h"
#include "core/api/kserve/kserve_tensors.h"

namespace mlos::core {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kModelsPrefix = "/v2/models/";
constexpr std::string_view kRepositoryModelsPrefix = "/v2/repository/models/";
constexpr std::string_view kVersionsSegment = "/versions/";

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse JsonReply(const Json& body) { return {200, Dump(body)}; }

// 200 with an empty body: the protocol's answer for health and readiness, load and unload.
HttpResponse Empty() { return {200, ""}; }

// ErrorResponse's status and headers, with the protocol's body {"error": "..."}.
HttpResponse KServeError(const Status& status) {
  HttpResponse response = ErrorResponse(status);
  response.body = Dump({{"error", status.message()}});
  return response;
}

HttpResponse KServeError(unsigned code, const std::string& message) {
  return {code, Dump({{"error", message}})};
}

RouteAction Inline(std::function<HttpResponse(const HttpRequest&)> handle) {
  return {false, std::move(handle), nullptr};
}

RouteAction Blocking(std::function<HttpResponse(const HttpRequest&)> handle) {
  return {true, std::move(handle), nullptr};
}

RouteAction Fixed(HttpResponse response) {
  return Inline([response = std::move(response)](const HttpRequest&) { return response; });
}

RouteAction MethodNotAllowed(const HttpRequest& request, const char* allowed) {
  HttpResponse response = KServeError(
      405, fmt::format("{} is not allowed on {}; use {}", request.method, request.path, allowed));
  response.headers.emplace_back("Allow", allowed);
  return Fixed(std::move(response));
}

// The model id that a path's name (and optional version) segments address, both still encoded.
StatusOr<std::string> ResolveModelId(std::string_view name_segment,
                                     std::optional<std::string_view> version_segment) {
  ASSIGN_OR_RETURN(const std::string name, PercentDecode(name_segment));
  if (!version_segment) return ResolveKServeModelId(name, std::nullopt, "");
  ASSIGN_OR_RETURN(const std::string version, PercentDecode(*version_segment));
  return ResolveKServeModelId(name, version,
                              fmt::format("the path asks for /versions/{}", version));
}

// A model route: /v2/models/{name}[/versions/{v}][/{action}], action "" (metadata), "ready",
// "infer", "stats" or "config". The name may contain plain '/', so the pieces are cut from the end.
struct ModelPath {
  std::string id;
  std::string action;
};

StatusOr<ModelPath> ParseModelPath(std::string_view rest) {
  ModelPath path;
  for (const std::string_view action : {"infer", "ready", "stats", "config"}) {
    if (rest.size() > action.size() + 1 && rest.ends_with(action) &&
        rest[rest.size() - action.size() - 1] == '/') {
      path.action = action;
      rest.remove_suffix(action.size() + 1);
      break;
    }
  }
  std::optional<std::string_view> version;
  const size_t versions = rest.rfind(kVersionsSegment);
  if (versions != std::string_view::npos &&
      rest.find('/', versions + kVersionsSegment.size()) == std::string_view::npos) {
    version = rest.substr(versions + kVersionsSegment.size());
    rest = rest.substr(0, versions);
  }
  ASSIGN_OR_RETURN(path.id, ResolveModelId(rest, version));
  return path;
}

Json TensorMetadata(const std::vector<TensorSpec>& specs) {
  Json tensors = Json::array();
  for (const TensorSpec& spec : specs) {
    tensors.push_back({{"name", spec.name},
                       {"datatype", KServeName(spec.dtype)},
                       {"shape", KServeMetadataShape(spec)}});
  }
  return tensors;
}

// Triton's model configuration tensors: "TYPE_FP32"-style types, full dims (max_batch_size 0).
Json TritonTensorConfig(const std::vector<TensorSpec>& specs) {
  Json tensors = Json::array();
  for (const TensorSpec& spec : specs) {
    const std::string type = spec.dtype == DataType::kString ? "STRING" : KServeName(spec.dtype);
    tensors.push_back({{"name", spec.name},
                       {"data_type", "TYPE_" + type},
                       {"dims", spec.shape ? Json(*spec.shape) : Json::array({-1})}});
  }
  return tensors;
}

Json Duration(uint64_t count, uint64_t microseconds) {
  return {{"count", count}, {"ns", microseconds * 1000}};
}

// One entry of Triton's statistics reply.
Json ModelStatistics(const ModelInfo& info) {
  const ModelStatsSnapshot& stats = info.stats;
  const auto [name, version] = SplitModelId(info.record.id);
  return {{"name", name},
          {"version", version},
          {"last_inference", stats.last_inference_ms},
          {"inference_count", stats.inference_count},
          {"execution_count", stats.execution_count},
          {"inference_stats",
           {{"success", Duration(stats.success_count, stats.request_duration_us)},
            {"fail", Duration(stats.failure_count, stats.failure_duration_us)},
            {"queue", Duration(stats.inference_count, stats.queue_duration_us)},
            {"compute_input", Duration(stats.inference_count, 0)},
            {"compute_infer", Duration(stats.inference_count, stats.compute_duration_us)},
            {"compute_output", Duration(stats.inference_count, 0)},
            {"cache_hit", Duration(0, 0)},
            {"cache_miss", Duration(0, 0)}}},
          {"batch_stats", Json::array()}};
}

StatusOr<Json> ParseOptionalBody(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  try {
    Json json = Json::parse(body);
    if (json.is_object()) return json;
    return InvalidArgument(
        fmt::format("the request body must be a JSON object, got {}", json.type_name()));
  } catch (const Json::exception& e) {
    return InvalidArgument(fmt::format("the request body is not valid JSON: {}", e.what()));
  }
}

}  // namespace

KServeApi::KServeApi(ModelManager& models, std::string server_name, std::string server_version)
    : models_(models),
      server_name_(std::move(server_name)),
      server_version_(std::move(server_version)) {}

RouteAction KServeApi::Route(const HttpRequest& request) const {
  const std::string& path = request.path;
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  if (path == "/v2" || path == "/v2/") {
    if (!get) return MethodNotAllowed(request, "GET");
    return Inline([this](const HttpRequest&) { return ServerMetadata(); });
  }
  if (path == "/v2/health/live" || path == "/v2/health/ready") {
    if (!get) return MethodNotAllowed(request, "GET");
    return Fixed(Empty());
  }
  if (path == "/v2/repository/index") {
    if (!post) return MethodNotAllowed(request, "POST");
    return Blocking([this](const HttpRequest& r) { return RepositoryIndex(r); });
  }
  if (path == "/v2/models/stats") {
    if (!get) return MethodNotAllowed(request, "GET");
    return Inline([this](const HttpRequest&) { return Statistics(""); });
  }
  if (path.starts_with(kRepositoryModelsPrefix)) {
    std::string_view rest = std::string_view(path).substr(kRepositoryModelsPrefix.size());
    const bool load = rest.ends_with("/load");
    if (load || rest.ends_with("/unload")) {
      rest.remove_suffix(load ? 5 : 7);
      if (!post) return MethodNotAllowed(request, "POST");
      auto id = ResolveModelId(rest, std::nullopt);
      if (!id.ok()) return Fixed(KServeError(id.status()));
      return Blocking(
          [this, id = *id, load](const HttpRequest& r) { return LoadOrUnload(id, load, r); });
    }
  }
  if (path.starts_with(kModelsPrefix)) {
    auto model = ParseModelPath(std::string_view(path).substr(kModelsPrefix.size()));
    if (!model.ok()) return Fixed(KServeError(model.status()));
    const std::string id = model->id;
    if (model->action == "infer") {
      if (!post) return MethodNotAllowed(request, "POST");
      RouteAction action;
      action.start = [this, id](HttpRequest r, Responder respond) {
        Infer(id, std::move(r), std::move(respond));
      };
      return action;
    }
    if (!get) return MethodNotAllowed(request, "GET");
    if (model->action == "ready") {
      return Inline([this, id](const HttpRequest&) { return ModelReady(id); });
    }
    if (model->action == "stats") {
      return Inline([this, id](const HttpRequest&) { return Statistics(id); });
    }
    if (model->action == "config") {
      return Inline([this, id](const HttpRequest&) { return ModelConfig(id); });
    }
    return Inline([this, id](const HttpRequest&) { return ModelMetadata(id); });
  }
  return Fixed(KServeError(404, fmt::format("no route for {} {}", request.method, path)));
}

HttpResponse KServeApi::ServerMetadata() const {
  return JsonReply({{"name", server_name_},
                    {"version", server_version_},
                    {"extensions", {"binary_tensor_data", "model_repository", "statistics"}}});
}

HttpResponse KServeApi::ModelMetadata(const std::string& id) const {
  auto info = models_.Describe(id);
  if (!info.ok()) return KServeError(info.status());
  const ModelSignature& signature = info->record.signature;
  return JsonReply({{"name", SplitModelId(id).first},
                    {"versions", KServeModelVersions(models_, id)},
                    {"platform", info->record.plugin_id},
                    {"inputs", TensorMetadata(signature.inputs)},
                    {"outputs", TensorMetadata(signature.outputs)}});
}

HttpResponse KServeApi::ModelReady(const std::string& id) const {
  auto info = models_.Describe(id);
  if (!info.ok()) return KServeError(info.status());
  if (info->state == ModelState::kReady) return Empty();
  return KServeError(400, KServeNotReadyMessage(*info));
}

HttpResponse KServeApi::Statistics(const std::string& id) const {
  Json models = Json::array();
  if (id.empty()) {
    for (const ModelInfo& info : models_.List()) models.push_back(ModelStatistics(info));
  } else {
    auto info = models_.Describe(id);
    if (!info.ok()) return KServeError(info.status());
    models.push_back(ModelStatistics(*info));
  }
  return JsonReply({{"model_stats", models}});
}

HttpResponse KServeApi::RepositoryIndex(const HttpRequest& request) const {
  auto body = ParseOptionalBody(request.body);
  if (!body.ok()) return KServeError(body.status());
  bool ready_only = false;
  if (body->contains("ready")) {
    if (!(*body)["ready"].is_boolean()) {
      return KServeError(InvalidArgument(
          fmt::format("\"ready\" must be a boolean, got {}", Dump((*body)["ready"]))));
    }
    ready_only = (*body)["ready"].get<bool>();
  }
  Json index = Json::array();
  for (const KServeIndexEntry& entry : KServeRepositoryIndex(models_, ready_only)) {
    Json item = {{"name", entry.name}, {"version", entry.version}, {"state", entry.state}};
    if (!entry.reason.empty()) item["reason"] = entry.reason;
    index.push_back(std::move(item));
  }
  return JsonReply(index);
}

HttpResponse KServeApi::ModelConfig(const std::string& id) const {
  auto info = models_.Describe(id);
  if (!info.ok()) return KServeError(info.status());
  const ModelSignature& signature = info->record.signature;
  return JsonReply({{"name", SplitModelId(id).first},
                    {"platform", info->record.plugin_id},
                    {"backend", info->record.plugin_id},
                    {"max_batch_size", 0},
                    {"input", TritonTensorConfig(signature.inputs)},
                    {"output", TritonTensorConfig(signature.outputs)}});
}

HttpResponse KServeApi::LoadOrUnload(const std::string& id, bool load,
                                     const HttpRequest& request) const {
  auto body = ParseOptionalBody(request.body);
  if (!body.ok()) return KServeError(body.status());
  if (load && body->contains("parameters") && (*body)["parameters"].is_object()) {
    for (const auto& [key, value] : (*body)["parameters"].items()) {
      if (Status status = CheckKServeLoadParameter(key); !status.ok()) return KServeError(status);
    }
  }
  const Status status = load ? models_.Load(id) : models_.Unload(id);
  if (!status.ok()) return KServeError(status);
  return Empty();
}

void KServeApi::Infer(const std::string& id, HttpRequest request, Responder respond) const {
  auto signature = models_.Signature(id);
  if (!signature.ok()) return respond(KServeError(signature.status()));
  auto json_length =
      ParseInferenceHeaderLength(request.Header(kInferenceHeaderLengthHeader), request.body.size());
  if (!json_length.ok()) return respond(KServeError(json_length.status()));
  auto decoded = DecodeKServeInferRequest(request.body, *json_length, **signature);
  if (!decoded.ok()) {
    return respond(KServeError(decoded.status().WithContext(fmt::format("model '{}'", id))));
  }
  InferenceJob job;
  job.inputs = std::move(decoded->inputs);
  job.output_names = decoded->output_names;
  if (request.received != std::chrono::steady_clock::time_point()) job.received = request.received;
  // What the reply needs of the request: its id and which outputs go back as binary.
  auto wanted = std::make_shared<const KServeInferRequest>(std::move(decoded).value());
  const auto [name, version] = SplitModelId(id);
  job.done = [respond = std::move(respond), wanted, name = name,
              version = version](InferenceOutcome outcome) {
    if (!outcome.status.ok()) return respond(KServeError(outcome.status));
    const KServeInferReply reply{name, version, wanted->id, std::move(outcome.outputs)};
    auto encoded = EncodeKServeInferReply(reply, *wanted);
    if (!encoded.ok()) return respond(KServeError(encoded.status()));
    HttpResponse response(200, std::move(encoded->body));
    if (encoded->json_length) {
      response.content_type = "application/octet-stream";
      response.headers.emplace_back(std::string(kInferenceHeaderLengthHeader),
                                    std::to_string(*encoded->json_length));
    }
    respond(std::move(response));
  };
  models_.Infer(id, std::move(job));
}

}  // namespace mlos::core
