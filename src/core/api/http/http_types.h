// The HTTP request and response as route handlers see them, independent of the HTTP library,
// so routes can be tested without a socket.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mlos::core {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // still percent-encoded, without the query
  std::string query;   // after '?', still encoded; empty when none
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers{};  // as received, in order
  std::chrono::steady_clock::time_point received{};  // when the whole request was read

  // The value of the first header called `name` (case-insensitive); empty when absent.
  std::string_view Header(std::string_view name) const;
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

// Sends the reply of an asynchronous route. Call it exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;

// How a route runs. `handle` alone: inline on the I/O thread (must be quick). `handle` with
// `blocking`: on the worker pool (model loads, registration), so it never holds up an I/O thread.
// `start` (asynchronous, e.g. inference): runs on the worker pool, or inline on the I/O thread
// when the body is small (HttpServerOptions::inline_body_bytes), hands the work on (a model's
// queue) and returns; the reply goes out when the Responder is called. Exceptions thrown by
// `handle` or `start` become a 500.
struct RouteAction {
  bool blocking = false;
  std::function<HttpResponse(const HttpRequest&)> handle{};
  std::function<void(HttpRequest, Responder)> start{};
};

// The server's view of the application. Route() must be quick and thread-safe.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual RouteAction Route(const HttpRequest& request) const = 0;
};

}  // namespace mlos::core
