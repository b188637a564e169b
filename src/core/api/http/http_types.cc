#include "core/api/http/http_types.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace mlos::core {

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

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
    case StatusCode::kUnavailable: {
      HttpResponse response = JsonError(503, status.message());
      response.headers.emplace_back("Retry-After", "1");
      return response;
    }
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return JsonError(500, status.message());
}

}  // namespace mlos::core
