#include "core/api/ipc/ipc_api.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/api/http/url.h"
#include "core/api/ipc/ipc_infer.h"

namespace mlos::core::ipc {
namespace {

using Json = nlohmann::json;

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string OkFrame(const FrameHeader& request, const Json& body) {
  return EncodeReplyFrame(request.op, request.request_id, MLOS_IPC_OK, Dump(body));
}

// "name" alone means name@latest, as in the HTTP API.
std::string WithVersion(std::string id) {
  if (id.find('@') == std::string::npos) id += "@latest";
  return id;
}

uint32_t IpcStatusForHttp(unsigned http_status) {
  switch (http_status) {
    case 400:
      return MLOS_IPC_INVALID_ARGUMENT;
    case 404:
      return MLOS_IPC_NOT_FOUND;
    case 409:
      return MLOS_IPC_ALREADY_EXISTS;
    case 413:
      return MLOS_IPC_TOO_LARGE;
    case 501:
      return MLOS_IPC_UNSUPPORTED;
    case 503:
      return MLOS_IPC_UNAVAILABLE;
    default:
      return MLOS_IPC_INTERNAL;
  }
}

// Runs an inline or blocking route of an HTTP API and turns its response into a reply frame:
// 2xx bodies as they are, errors as the IPC status and the error document's message.
std::string ViaHttpRoute(const HttpHandler& handler, HttpRequest http, const FrameHeader& request) {
  HttpResponse response(500, "");
  try {
    const RouteAction action = handler.Route(http);
    if (!action.handle) return ErrorFrame(request, Internal("the route is not synchronous"));
    response = action.handle(http);
  } catch (const std::exception& e) {
    return ErrorFrame(request,
                      Internal(fmt::format("{} failed: {}", OpName(request.op), e.what())));
  }
  if (response.status / 100 == 2) {
    return EncodeReplyFrame(request.op, request.request_id, MLOS_IPC_OK, response.body);
  }
  const Json error = Json::parse(response.body, nullptr, false);
  std::string message = response.body;
  if (error.is_object()) {
    for (const char* key : {"message", "error"}) {
      if (error.contains(key) && error[key].is_string()) message = error[key].get<std::string>();
    }
  }
  return EncodeReplyFrame(request.op, request.request_id, IpcStatusForHttp(response.status),
                          message);
}

HttpRequest MakeHttpRequest(std::string method, std::string path, std::string body) {
  HttpRequest http;
  http.method = std::move(method);
  http.path = std::move(path);
  http.body = std::move(body);
  http.received = std::chrono::steady_clock::now();
  return http;
}

}  // namespace

uint32_t IpcStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return MLOS_IPC_OK;
    case StatusCode::kInvalidArgument:
      return MLOS_IPC_INVALID_ARGUMENT;
    case StatusCode::kNotFound:
      return MLOS_IPC_NOT_FOUND;
    case StatusCode::kAlreadyExists:
      return MLOS_IPC_ALREADY_EXISTS;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
      return MLOS_IPC_UNAVAILABLE;
    case StatusCode::kOutOfMemory:
      return MLOS_IPC_OUT_OF_MEMORY;
    case StatusCode::kUnimplemented:
      return MLOS_IPC_UNSUPPORTED;
    case StatusCode::kInternal:
      break;
  }
  return MLOS_IPC_INTERNAL;
}

std::string ErrorFrame(const FrameHeader& request, const Status& status) {
  return EncodeReplyFrame(request.op, request.request_id, IpcStatusFor(status), status.message());
}

IpcApi::IpcApi(ModelManager& models, const HttpHandler& mlos_api, const HttpHandler& kserve_api,
               std::string server_version)
    : models_(models),
      mlos_api_(mlos_api),
      kserve_api_(kserve_api),
      server_version_(std::move(server_version)) {}

bool IpcApi::IsBlocking(uint16_t op) {
  return op == MLOS_IPC_OP_REGISTER || op == MLOS_IPC_OP_LOAD || op == MLOS_IPC_OP_UNLOAD;
}

std::string IpcApi::Control(const FrameHeader& request, std::string_view body) const {
  const uint16_t op = request.op;
  if (!IsKnownOp(op) || op == MLOS_IPC_OP_INFER || op == MLOS_IPC_OP_REGISTER_REGION ||
      op == MLOS_IPC_OP_UNREGISTER_REGION) {
    return EncodeReplyFrame(op, request.request_id, MLOS_IPC_UNSUPPORTED,
                            fmt::format("unknown op {}; this server knows ops 1 to 9 of protocol "
                                        "version {}",
                                        op, MLOS_IPC_VERSION));
  }
  auto json = ParseControlBody(body, op);
  if (!json.ok()) return ErrorFrame(request, json.status());
  switch (op) {
    case MLOS_IPC_OP_HEALTH:
      return OkFrame(request, {{"live", true}, {"ready", true}, {"version", server_version_}});
    case MLOS_IPC_OP_LIST:
      return ViaHttpRoute(mlos_api_, MakeHttpRequest("GET", "/models", ""), request);
    case MLOS_IPC_OP_REGISTER:
      return ViaHttpRoute(mlos_api_, MakeHttpRequest("POST", "/models/register", std::string(body)),
                          request);
    default:
      break;
  }
  auto model = RequiredStringField(*json, "model", op);
  if (!model.ok()) return ErrorFrame(request, model.status());
  const std::string id = WithVersion(*model);
  if (op == MLOS_IPC_OP_METADATA) {
    return ViaHttpRoute(kserve_api_, MakeHttpRequest("GET", "/v2/models/" + PercentEncode(id), ""),
                        request);
  }
  const bool load = op == MLOS_IPC_OP_LOAD;
  if (Status status = load ? models_.Load(id) : models_.Unload(id); !status.ok()) {
    return ErrorFrame(request, status);
  }
  auto info = models_.Describe(id);
  return OkFrame(request, {{"model", id},
                           {"state", info.ok() ? ModelStateName(info->state)
                                               : (load ? "ready" : "unloaded")}});
}

std::string IpcApi::RegisterRegion(const FrameHeader& request, std::string_view body, int fd,
                                   RegionTable* regions) const {
  if (fd < 0) {
    return ErrorFrame(request, InvalidArgument("REGISTER_REGION: no descriptor came with the "
                                               "frame (attach one as SCM_RIGHTS to its first "
                                               "byte)"));
  }
  auto json = ParseControlBody(body, request.op);
  StatusOr<uint64_t> size = json.ok() ? RequiredUnsignedField(*json, "size", request.op)
                                      : StatusOr<uint64_t>(json.status());
  if (!size.ok()) {
    ::close(fd);
    return ErrorFrame(request, size.status());
  }
  auto region = regions->Register(fd, *size);
  if (!region.ok()) return ErrorFrame(request, region.status());
  return OkFrame(request, {{"region", *region}, {"size", *size}});
}

std::string IpcApi::UnregisterRegion(const FrameHeader& request, std::string_view body,
                                     RegionTable* regions) const {
  auto json = ParseControlBody(body, request.op);
  if (!json.ok()) return ErrorFrame(request, json.status());
  auto region = RequiredUnsignedField(*json, "region", request.op);
  if (!region.ok()) return ErrorFrame(request, region.status());
  if (*region > UINT32_MAX) {
    return ErrorFrame(request, NotFound(fmt::format("region {} is not registered on this "
                                                    "connection",
                                                    *region)));
  }
  if (Status status = regions->Unregister(static_cast<uint32_t>(*region)); !status.ok()) {
    return ErrorFrame(request, status);
  }
  return OkFrame(request, {{"region", *region}});
}

void IpcApi::Infer(const FrameHeader& request, std::shared_ptr<const std::string> body,
                   const RegionTable& regions, std::chrono::steady_clock::time_point received,
                   ReplySender send) const {
  auto parsed = ParseInferRequest(*body);
  if (!parsed.ok()) return send(ErrorFrame(request, parsed.status().WithContext("INFER")));
  const std::string id = WithVersion(parsed->model);
  auto signature = models_.Signature(id);
  if (!signature.ok()) return send(ErrorFrame(request, signature.status()));
  auto prepared = PrepareInference(*parsed, std::move(body), **signature, regions);
  if (!prepared.ok()) {
    return send(ErrorFrame(request, prepared.status().WithContext(fmt::format("model '{}'", id))));
  }
  InferenceJob job;
  job.inputs = std::move(prepared->inputs);
  job.output_names = prepared->output_names;
  job.received = received;
  job.done = [request, prepared = std::make_shared<PreparedInference>(std::move(*prepared)),
              send = std::move(send)](InferenceOutcome outcome) {
    if (!outcome.status.ok()) return send(ErrorFrame(request, outcome.status));
    auto frame = EncodeInferOutcome(request.request_id, outcome, *prepared);
    send(frame.ok() ? std::move(*frame) : ErrorFrame(request, frame.status()));
  };
  models_.Infer(id, std::move(job));
}

}  // namespace mlos::core::ipc
