#include "core/api/http/mlos_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/api/http/url.h"
#include "core/api/inference_request.h"
#include "core/api/inference_response.h"
#include "core/time_format.h"

#ifndef MLOS_VERSION
#error "MLOS_VERSION must be defined by the build"
#endif

namespace mlos::core {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kModelsPrefix = "/models/";
constexpr std::string_view kInferenceSuffix = "/inference";

HttpResponse JsonReply(const Json& body) {
  return {200, body.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

int64_t MicrosecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
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
                {"last_used", info.last_used ? Json(FormatUtc(*info.last_used)) : Json()},
                {"created", record.created},
                {"inference_endpoint", InferenceEndpoint(record.id)}};
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
  RETURN_IF_ERROR(ReadString(body, "plugin_id", &request.plugin_id));
  RETURN_IF_ERROR(ReadString(body, "execution_format", &request.execution_format));
  RETURN_IF_ERROR(ReadString(body, "framework", &request.framework));
  RETURN_IF_ERROR(ReadString(body, "name", &request.name));
  RETURN_IF_ERROR(ReadString(body, "description", &request.description));
  if (body.contains("load")) {
    if (!body["load"].is_boolean()) return InvalidArgument("register: \"load\" must be a boolean");
    request.load = body["load"].get<bool>();
  }
  return request;
}

StatusOr<Json> ParseBody(const std::string& body) {
  try {
    return Json::parse(body);
  } catch (const Json::parse_error& e) {
    return InvalidArgument(fmt::format("request body is not valid JSON: {}", e.what()));
  }
}

}  // namespace

MlosApi::MlosApi(ModelManager& models, const PluginHost& plugins, std::vector<std::string> apis)
    : models_(models), plugins_(plugins), apis_(std::move(apis)), started_(Clock::now()) {}

RouteAction MlosApi::Route(const HttpRequest& request) const {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path == "/health") {
    if (method != "GET") return MethodNotAllowed(request, "GET");
    return Inline([this](const HttpRequest&) { return Health(); });
  }
  if (path == "/models") {
    if (method != "GET") return MethodNotAllowed(request, "GET");
    return Inline([this](const HttpRequest&) { return ListModels(); });
  }
  if (path == "/models/register") {
    if (method != "POST") return MethodNotAllowed(request, "POST");
    return Blocking([this](const HttpRequest& r) { return Register(r); });
  }
  if (path.starts_with(kModelsPrefix) && path.size() > kModelsPrefix.size()) {
    std::string_view rest = std::string_view(path).substr(kModelsPrefix.size());
    const bool inference = rest.ends_with(kInferenceSuffix);
    if (inference) rest.remove_suffix(kInferenceSuffix.size());
    auto id = PercentDecode(rest);
    if (!id.ok()) return Fixed(JsonError(400, "model id in the path " + id.status().message()));
    if (inference) {
      if (method != "POST") return MethodNotAllowed(request, "POST");
      return Blocking([this, id = *id](const HttpRequest& r) { return Infer(id, r); });
    }
    if (method != "GET") return MethodNotAllowed(request, "GET");
    return Inline([this, id = *id](const HttpRequest&) { return DescribeModel(id); });
  }
  return Fixed(JsonError(404, fmt::format("no route for {} {}", method, path)));
}

HttpResponse MlosApi::Health() const {
  Json plugins = Json::array();
  for (const auto& plugin : plugins_.List()) plugins.push_back(plugin->id);
  return JsonReply(
      {{"status", "healthy"},
       {"service", "mlos-core"},
       {"version", MLOS_VERSION},
       {"apis", apis_},
       {"plugins", plugins},
       {"models", models_.List().size()},
       {"uptime_s",
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count()},
       {"timestamp", FormatUtc(std::chrono::system_clock::now())}});
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

HttpResponse MlosApi::Infer(const std::string& id, const HttpRequest& request) const {
  const Clock::time_point started = Clock::now();
  if (auto known = models_.Describe(id); !known.ok()) return ErrorResponse(known.status());
  auto body = ParseBody(request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  auto model = models_.Acquire(id);
  if (!model.ok()) return ErrorResponse(model.status());
  auto inputs = DecodeInferenceInputs(*body, (*model)->signature.inputs);
  if (!inputs.ok())
    return ErrorResponse(inputs.status().WithContext(fmt::format("model '{}'", id)));
  const Clock::time_point execute_start = Clock::now();
  auto outputs = Execute(**model, *inputs);
  const Clock::time_point execute_end = Clock::now();
  if (!outputs.ok()) {
    return ErrorResponse(outputs.status().WithContext(
        fmt::format("model '{}' (plugin {})", id, (*model)->plugin->id)));
  }
  const auto include = QueryValue(request.query, "include_outputs");
  const bool include_outputs = !include || (*include != "false" && *include != "0");
  InferenceReply reply{id, id.substr(id.rfind('@') + 1),
                       MicrosecondsBetween(execute_start, execute_end),
                       MicrosecondsBetween(request.received, started), std::move(*outputs)};
  auto json = EncodeInferenceReply(reply, include_outputs);
  if (!json.ok()) return ErrorResponse(json.status());
  return {200, std::move(*json)};
}

}  // namespace mlos::core
