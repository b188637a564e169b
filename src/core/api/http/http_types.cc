#include "core/api/http/http_types.h"

#include <nlohmann/json.hpp>

namespace mlos::core {

HttpResponse JsonError(unsigned status, const std::string& message) {
  const nlohmann::json body = {{"status", "error"}, {"message", message}};
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

HttpResponse ErrorResponse(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return JsonError(400, status.message());
    case StatusCode::kNotFound:
      return JsonError(404, status.message());
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return JsonError(409, status.message());
    case StatusCode::kUnimplemented:
      return JsonError(501, status.message());
    case StatusCode::kOutOfMemory:
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
      return JsonError(503, status.message());
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return JsonError(500, status.message());
}

}  // namespace mlos::core
