#include "core/api/http/mlos_api.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/api/http/prometheus_metrics.h"
#include "core/api/http/url.h"
#include "core/api/inference_request.h"
#include "core/api/inference_response.h"
#include "core/process_memory.h"
#include "core/time_format.h"

#ifndef MLOS_VERSION
#error "MLOS_VERSION must be defined by the build"
#endif

namespace mlos::core {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kModelsPrefix = "/models/";
// POST /models/{id}/<action>
constexpr std::string_view kModelActions[] = {"inference", "load", "unload"};

HttpResponse JsonReply(const Json& body) {
  return {200, body.dump(-1, ' ', false, Json::error_handler_t::replace)};
}


std::string InferenceEndpoint(const std::string& id) {
  return fmt::format("/models/{}/inference", PercentEncode(id));
}

RouteAction Inline(std::function<HttpResponse(const HttpRequest&)> handle) {
  return {false, std::move(handle)};
}

RouteAction Blocking(std::function<HttpResponse(const HttpRequest&)> handle) {
  return {true, std::move(handle)};
}

RouteAction Async(std::function<void(HttpRequest, Responder)> start) {
  RouteAction action;
  action.start = std::move(start);
  return action;
}

Json StatsJson(const ModelStatsSnapshot& stats) {
  const auto mean = [](uint64_t total, uint64_t count) {
    return count ? static_cast<double>(total) / count : 0.0;
  };
  return {{"success", stats.success_count},
          {"failure", stats.failure_count},
          {"inferences", stats.inference_count},
          {"executions", stats.execution_count},
          {"pending", stats.pending},
          {"mean_request_us", mean(stats.request_duration_us, stats.success_count)},
          {"mean_queue_us", mean(stats.queue_duration_us, stats.inference_count)},
          {"mean_compute_us", mean(stats.compute_duration_us, stats.inference_count)},
          {"loads", stats.load_count},
          {"load_failures", stats.load_failure_count},
          {"unloads", stats.unload_count}};
}

RouteAction MethodNotAllowed(const HttpRequest& request, const std::string& allowed) {
  HttpResponse response = JsonError(
      405, fmt::format("{} is not allowed on {}; use {}", request.method, request.path, allowed));
  response.headers.emplace_back("Allow", allowed);
  return Inline([response](const HttpRequest&) { return response; });
}

RouteAction Fixed(HttpResponse response) {
  return Inline([response = std::move(response)](const HttpRequest&) { return response; });
}

Json ModelJson(const ModelInfo& info) {
  const ModelRecord& record = info.record;
  const Json metadata = Json::parse(record.metadata_json, nullptr, false);
  Json model = {{"id", record.id},
                {"state", ModelStateName(info.state)},
                {"plugin", record.plugin_id},
                {"path", record.source_path},
                {"load_path", record.load_path},
                {"inputs", TensorSpecsToJson(record.signature.inputs)},
                {"outputs", TensorSpecsToJson(record.signature.outputs)},
                {"memory_bytes", info.memory_bytes},
                {"settings", ModelSettingsToJson(info.settings)},
                {"stats", StatsJson(info.stats)},
                {"last_used", info.last_used ? Json(FormatUtc(*info.last_used)) : Json()},
                {"created", record.created},
                {"inference_endpoint", InferenceEndpoint(record.id)}};
  if (!record.role.empty()) model["role"] = record.role;
  if (metadata.is_object()) {
    for (const auto& [key, value] : metadata.items()) {
      if (!value.is_string() || !value.get<std::string>().empty()) model[key] = value;
    }
  }
  if (info.state == ModelState::kFailed) model["failure"] = info.failure;
  return model;
}

// Reads the optional string `key` of a registration body into *out.
Status ReadString(const Json& body, const char* key, std::string* out) {
  if (!body.contains(key) || body[key].is_null()) return Status::Ok();
  if (!body[key].is_string()) {
    return InvalidArgument(
        fmt::format("register: \"{}\" must be a string, got {}", key, body[key].type_name()));
  }
  *out = body[key].get<std::string>();
  return Status::Ok();
}

StatusOr<RegistrationRequest> ParseRegistration(const Json& body) {
  if (!body.is_object()) {
    return InvalidArgument(
        fmt::format("register: the body must be a JSON object, got {}", body.type_name()));
  }
  RegistrationRequest request;
  RETURN_IF_ERROR(ReadString(body, "model_id", &request.model_id));
  if (request.model_id.empty()) return InvalidArgument("register: \"model_id\" is required");
  RETURN_IF_ERROR(ReadString(body, "model_path", &request.path));
  RETURN_IF_ERROR(ReadString(body, "path", &request.path));
  RETURN_IF_ERROR(ReadString(body, "manifest_path", &request.manifest_path));
  RETURN_IF_ERROR(ReadString(body, "role", &request.role));
  RETURN_IF_ERROR(ReadString(body, "plugin_id", &request.plugin_id));
  RETURN_IF_ERROR(ReadString(body, "execution_format", &request.execution_format));
  RETURN_IF_ERROR(ReadString(body, "framework", &request.framework));
  RETURN_IF_ERROR(ReadString(body, "name", &request.name));
  RETURN_IF_ERROR(ReadString(body, "description", &request.description));
  if (body.contains("settings")) {
    if (!body["settings"].is_object()) {
      return InvalidArgument(fmt::format("register: \"settings\" must be a JSON object, got {}",
                                         body["settings"].type_name()));
    }
    request.settings = body["settings"];
  }
  if (body.contains("load")) {
    if (!body["load"].is_boolean()) return InvalidArgument("register: \"load\" must be a boolean");
    request.load = body["load"].get<bool>();
  }
  return request;
}

StatusOr<Json> ParseBody(const std::string& body) {
  try {
    return Json::parse(body);
  } catch (const Json::exception& e) {  // parse_error, or out_of_range for 1e999
    return InvalidArgument(fmt::format("request body is not valid JSON: {}", e.what()));
  }
}

}  // namespace

MlosApi::MlosApi(ModelManager& models, PluginHost& plugins, ServerStatus status)
    : models_(models), plugins_(plugins), status_(std::move(status)), started_(Clock::now()) {}

RouteAction MlosApi::Route(const HttpRequest& request) const {
  const std::string& path = request.path;
  const std::string& method = request.method;
  const auto get = [&](auto member) -> RouteAction {
    if (method != "GET") return MethodNotAllowed(request, "GET");
    return Inline([this, member](const HttpRequest&) { return (this->*member)(); });
  };
  if (path == "/health") return get(&MlosApi::Health);
  if (path == "/stats") return get(&MlosApi::Stats);
  if (path == "/metrics") return get(&MlosApi::Metrics);
  if (path == "/models") return get(&MlosApi::ListModels);
  if (path == "/plugins") return get(&MlosApi::ListPlugins);
  if (path == "/models/register" || path == "/plugins/register") {
    if (method != "POST") return MethodNotAllowed(request, "POST");
    if (path == "/plugins/register") {
      return Blocking([this](const HttpRequest& r) { return RegisterPlugin(r); });
    }
    return Blocking([this](const HttpRequest& r) { return Register(r); });
  }
  if (path.starts_with(kModelsPrefix) && path.size() > kModelsPrefix.size()) {
    return ModelRoute(request);
  }
  return Fixed(JsonError(404, fmt::format("no route for {} {}", method, path)));
}

RouteAction MlosApi::ModelRoute(const HttpRequest& request) const {
  std::string_view rest = std::string_view(request.path).substr(kModelsPrefix.size());
  std::string action;
  for (std::string_view candidate : kModelActions) {
    if (rest.size() > candidate.size() + 1 && rest.ends_with(candidate) &&
        rest[rest.size() - candidate.size() - 1] == '/') {
      action = candidate;
      rest.remove_suffix(candidate.size() + 1);
      break;
    }
  }
  auto id = PercentDecode(rest);
  if (!id.ok()) return Fixed(JsonError(400, "model id in the path " + id.status().message()));
  if (!action.empty() && request.method != "POST") return MethodNotAllowed(request, "POST");
  if (action == "inference") {
    return Async([this, id = *id](HttpRequest r, Responder respond) { Infer(id, r, respond); });
  }
  if (!action.empty()) {
    return Blocking([this, id = *id, action](const HttpRequest&) { return Lifecycle(id, action); });
  }
  if (request.method == "DELETE") {
    return Blocking([this, id = *id](const HttpRequest&) { return Lifecycle(id, "delete"); });
  }
  if (request.method != "GET") return MethodNotAllowed(request, "GET, DELETE");
  return Inline([this, id = *id](const HttpRequest&) { return DescribeModel(id); });
}

HttpResponse MlosApi::Health() const {
  Json plugins = Json::array();
  for (const auto& plugin : plugins_.List()) plugins.push_back(plugin->id);
  return JsonReply(
      {{"status", "healthy"},
       {"service", "mlos-core"},
       {"version", MLOS_VERSION},
       {"apis", status_.apis},
       {"plugins", plugins},
       {"models", models_.List().size()},
       {"uptime_s",
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count()},
       {"timestamp", FormatUtc(std::chrono::system_clock::now())}});
}

HttpResponse MlosApi::Stats() const {
  const HttpTotals http = status_.http ? status_.http->Snapshot() : HttpTotals{};
  const ResourceUsage usage = models_.Usage();
  Json models = Json::object();
  ModelStatsSnapshot total;
  unsigned ready = 0;
  for (const auto& info : models_.List()) {
    models[info.record.id] = {{"state", ModelStateName(info.state)}, {"stats", StatsJson(info.stats)}};
    total.success_count += info.stats.success_count;
    total.failure_count += info.stats.failure_count;
    total.inference_count += info.stats.inference_count;
    total.execution_count += info.stats.execution_count;
    total.request_duration_us += info.stats.request_duration_us;
    total.queue_duration_us += info.stats.queue_duration_us;
    total.compute_duration_us += info.stats.compute_duration_us;
    total.pending += info.stats.pending;
    total.load_count += info.stats.load_count;
    total.load_failure_count += info.stats.load_failure_count;
    total.unload_count += info.stats.unload_count;
    if (info.state == ModelState::kReady) ++ready;
  }
  Json apis = Json::object();
  for (const auto& api : status_.apis) apis[api] = "up";
  return JsonReply(
      {{"status", "success"},
       {"uptime_s",
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count()},
       {"http",
        {{"requests", http.requests},
         {"2xx", http.status_2xx},
         {"4xx", http.status_4xx},
         {"5xx", http.status_5xx},
         {"mean_latency_us",
          http.requests ? static_cast<double>(http.latency_us) / http.requests : 0.0}}},
       {"inference", StatsJson(total)},
       {"apis", apis},
       {"resources",
        {{"memory_budget_bytes", usage.memory_budget_bytes},
         {"memory_used_bytes", usage.memory_used_bytes},
         {"loaded_models", usage.loaded_models},
         {"max_loaded_models", usage.max_loaded_models},
         {"resident_bytes", ResidentBytes()}}},
       {"models_registered", models.size()},
       {"models_ready", ready},
       {"models", models}});
}

HttpResponse MlosApi::Metrics() const {
  HttpResponse response(200, RenderPrometheusMetrics(
                                 models_.List(), models_.Usage(),
                                 status_.http ? status_.http->Snapshot() : HttpTotals{},
                                 ResidentBytes()));
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return response;
}

HttpResponse MlosApi::Register(const HttpRequest& request) const {
  auto body = ParseBody(request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  auto registration = ParseRegistration(*body);
  if (!registration.ok()) return ErrorResponse(registration.status());
  auto result = models_.Register(*registration);
  if (!result.ok()) return ErrorResponse(result.status());
  const std::string& id = registration->model_id;
  return JsonReply(
      {{"status", "success"},
       {"model_id", id},
       {"plugin_id", result->plugin_id},
       {"message", result->already_registered ? fmt::format("model {} is already registered", id)
                                              : fmt::format("model {} registered", id)},
       {"inference_endpoint", InferenceEndpoint(id)}});
}

HttpResponse MlosApi::ListModels() const {
  Json models = Json::array();
  for (const auto& info : models_.List()) models.push_back(ModelJson(info));
  return JsonReply({{"status", "success"}, {"count", models.size()}, {"models", models}});
}

HttpResponse MlosApi::DescribeModel(const std::string& id) const {
  auto info = models_.Describe(id);
  if (!info.ok()) return ErrorResponse(info.status());
  Json model = ModelJson(*info);
  model["status"] = "success";
  return JsonReply(model);
}

HttpResponse MlosApi::Lifecycle(const std::string& id, const std::string& action) const {
  Status status = action == "load"     ? models_.Load(id)
                  : action == "unload" ? models_.Unload(id)
                                       : models_.Delete(id);
  if (!status.ok()) return ErrorResponse(status);
  Json reply = {{"status", "success"}, {"model_id", id}};
  if (action == "delete") {
    reply["message"] = fmt::format("model {} unregistered", id);
  } else {
    auto info = models_.Describe(id);
    if (info.ok()) reply["state"] = ModelStateName(info->state);
    reply["message"] = fmt::format("model {} {}ed", id, action);
  }
  return JsonReply(reply);
}

HttpResponse MlosApi::ListPlugins() const {
  std::map<std::string, std::vector<std::string>> models_of;  // plugin id -> its model ids
  for (const ModelInfo& model : models_.List()) {
    models_of[model.record.plugin_id].push_back(model.record.id);
  }
  Json plugins = Json::array();
  for (const auto& plugin : plugins_.List()) {
    plugins.push_back({{"id", plugin->id},
                       {"name", plugin->name},
                       {"version", plugin->version},
                       {"origin", plugin->origin},
                       {"execution_formats", plugin->execution_formats},
                       {"models", models_of[plugin->id]}});
  }
  return JsonReply({{"status", "success"}, {"count", plugins.size()}, {"plugins", plugins}});
}

HttpResponse MlosApi::RegisterPlugin(const HttpRequest& request) const {
  auto body = ParseBody(request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string path, id;
  if (!body->is_object()) {
    return JsonError(400, "plugins/register: the body must be a JSON object {\"id\", \"path\"}");
  }
  if (Status status = ReadString(*body, "path", &path); !status.ok()) return ErrorResponse(status);
  if (Status status = ReadString(*body, "id", &id); !status.ok()) return ErrorResponse(status);
  if (path.empty()) return JsonError(400, "plugins/register: \"path\" is required");
  if (!id.empty() && plugins_.Find(id)) {
    return JsonError(409, fmt::format("plugin '{}' is already loaded", id));
  }
  if (Status status = plugins_.LoadLibrary(path); !status.ok()) {
    return ErrorResponse(status.code() == StatusCode::kAlreadyExists
                             ? status
                             : InvalidArgument(status.message()));
  }
  const auto added = plugins_.List().back();
  Json reply = {{"status", "success"},
                {"plugin_id", added->id},
                {"message", fmt::format("plugin {} {} loaded from {}", added->id,
                                        added->version, path)}};
  if (!id.empty() && id != added->id) {
    reply["message"] = fmt::format("plugin loaded from {} calls itself '{}', not '{}'", path,
                                   added->id, id);
  }
  return JsonReply(reply);
}

void MlosApi::Infer(const std::string& id, const HttpRequest& request,
                    const Responder& respond) const {
  auto signature = models_.Signature(id);
  if (!signature.ok()) return respond(ErrorResponse(signature.status()));
  // simdjson, not ParseBody: inference bodies carry megabytes of numbers.
  auto body = JsonDocument::Parse(request.body, "request body");
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  auto inputs = DecodeInferenceInputs(body->root(), (*signature)->inputs);
  if (!inputs.ok()) {
    return respond(ErrorResponse(inputs.status().WithContext(fmt::format("model '{}'", id))));
  }
  const auto include = QueryValue(request.query, "include_outputs");
  const bool include_outputs = !include || (*include != "false" && *include != "0");
  InferenceJob job;
  job.inputs = std::move(*inputs);
  job.received = request.received;
  job.done = [id, include_outputs, respond](InferenceOutcome outcome) {
    if (!outcome.status.ok()) return respond(ErrorResponse(outcome.status));
    InferenceReply reply{id, id.substr(id.rfind('@') + 1), outcome.compute_time_us,
                         outcome.queue_time_us, std::move(outcome.outputs)};
    auto json = EncodeInferenceReply(reply, include_outputs);
    respond(json.ok() ? HttpResponse(200, std::move(*json)) : ErrorResponse(json.status()));
  };
  models_.Infer(id, std::move(job));
}

}  // namespace mlos::core
