// The HTTP request and response as route handlers see them, independent of the HTTP library,
// so routes can be tested without a socket.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mlos::core {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // still percent-encoded, without the query
  std::string query;   // after '?', still encoded; empty when none
  std::string body;
  std::chrono::steady_clock::time_point received;  // when the whole request was read
};

struct HttpResponse {
  HttpResponse(unsigned status_code = 200, std::string json_body = "")
      : status(status_code), body(std::move(json_body)) {}

  unsigned status;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
};

// {"status":"error","message":"..."} with the given HTTP status.
HttpResponse JsonError(unsigned status, const std::string& message);
// The HTTP status for a non-OK Status: 400, 404, 409, 413, 501, 503 or 500, and its JSON body.
HttpResponse ErrorResponse(const Status& status);

// How a route runs: `blocking` handlers (model loads, inference) go to the worker pool so they
// never hold up an I/O thread; the others run inline and must be quick.
struct RouteAction {
  bool blocking = false;
  std::function<HttpResponse(const HttpRequest&)> handle;
};

// The server's view of the application. Route() must be quick and thread-safe.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual RouteAction Route(const HttpRequest& request) const = 0;
};

}  // namespace mlos::core
