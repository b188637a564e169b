// HttpServer: the HTTP/1.1 front end (Boost.Beast on Asio).
//
// A few I/O threads serve every connection asynchronously (keep-alive, no thread per
// connection); each thread has its own io_context and its own share of the connections, so a
// request is read, handled (when inline) and answered on one thread. Handlers marked blocking, and
// asynchronous ones with large bodies, run on a separate worker pool, so a slow model never
// holds up /health. Request bodies above `max_body_bytes` get 413, malformed HTTP gets 400, both
// as JSON errors, and the connection is closed; nothing a client sends can stop the server.
// "Expect: 100-continue" is answered before the body is read.
//
// Lifecycle: Start() binds and listens (port 0 picks a free port; port() tells which), Stop()
// stops accepting and closes idle connections while requests in flight finish and are answered,
// Wait() returns once every connection is closed and every worker is done. Start/Stop/Wait are
// called from one controlling thread; the handler is called concurrently from many threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "core/api/http/http_counters.h"
#include "core/api/http/http_types.h"

namespace mlos::core {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8080;
  unsigned io_threads = 2;
  unsigned worker_threads = 4;
  uint64_t max_body_bytes = 256ull << 20;
  uint64_t inline_body_bytes = 64 * 1024;  // asynchronous routes start inline up to this body size
  std::chrono::seconds idle_timeout{60};  // a connection silent this long is closed
  HttpCounters* counters = nullptr;        // every reply is recorded here when set
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const HttpHandler& handler);
  ~HttpServer();  // Stop() and Wait() if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Unavailable naming host and port if it cannot bind.
  Status Start();
  uint16_t port() const;
  void Stop();
  void Wait();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlos::core
