#include "core/api/http/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace mlos::core {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint32_t kHeaderLimitBytes = 64 * 1024;
constexpr uint64_t kLargeBodyBytes = 4 * 1024;
constexpr size_t kReadChunkBytes = 64 * 1024;

// Runs a handler at the module edge: anything it throws becomes a 500, never a crash.
HttpResponse Call(const RouteAction& action, const HttpRequest& request) {
  try {
    return action.handle(request);
  } catch (const std::exception& e) {
    return JsonError(
        500, fmt::format("internal error in {} {}: {}", request.method, request.path, e.what()));
  }
}

// Starts an asynchronous route; a throw answers 500 at once (a Responder not yet called).
void StartRoute(const RouteAction& action, HttpRequest request, const Responder& respond) {
  const std::string where = request.method + " " + request.path;
  try {
    action.start(std::move(request), respond);
  } catch (const std::exception& e) {
    respond(JsonError(500, fmt::format("internal error in {}: {}", where, e.what())));
  }
}

bool IsDisconnect(const beast::error_code& error) {
  return error == http::error::end_of_stream || error == asio::error::operation_aborted ||
         error == beast::error::timeout || error == asio::error::eof ||
         error == asio::error::connection_reset || error == asio::error::broken_pipe;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, const HttpHandler& handler)
      : options_(std::move(options)),
        handler_(handler),
        contexts_(MakeContexts(std::max(1u, options_.io_threads))),
        acceptor_(asio::make_strand(*contexts_[0])),
        retry_timer_(acceptor_.get_executor()),
        workers_(std::max(1u, options_.worker_threads)) {}

  ~Impl() {
    Stop();
    Wait();
  }

  Status Start();
  uint16_t port() const { return port_; }
  void Stop();
  void Wait();

  bool stopping() const { return stopping_.load(); }
  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  asio::thread_pool& workers() { return workers_; }

  class Session;
  void Remember(const std::shared_ptr<Session>& session);
  void Forget(Session* session);

 private:
  void Accept();

  // One io_context per I/O thread, each serving its own connections: a request never crosses
  // threads on its way in and out (one shared context made every reply a futex handoff).
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(unsigned count) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (unsigned i = 0; i < count; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
    return contexts;
  }
  asio::io_context& NextContext() { return *contexts_[next_context_++ % contexts_.size()]; }

  // Declared before contexts_: destroying them destroys queued handlers, and with them sessions, which
  // unregister themselves here.
  std::mutex sessions_mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  const HttpServerOptions options_;
  const HttpHandler& handler_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  size_t next_context_ = 0;  // used on the acceptor's strand only
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::thread_pool workers_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  bool waited_ = false;
};

// One connection: reads requests one after another, answers each, and closes when the client
// does, on error, on idle timeout, or when the server stops and the connection is idle.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl& server) : stream_(std::move(socket)), server_(server) {}
  ~Session() { server_.Forget(this); }

  void Start() {
    server_.Remember(shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Closes the connection unless a request is being read or answered.
  void CloseIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      const bool reading = self->parser_ && self->parser_->got_some();
      if (!self->busy_ && !reading) self->Close();
    });
  }

 private:
  void ReadHeader() {
    if (server_.stopping()) return Close();
    parser_.emplace();
    parser_->body_limit(server_.options().max_body_bytes);
    parser_->header_limit(kHeaderLimitBytes);
    stream_.expires_after(server_.options().idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) { self->OnHeader(error); });
  }

  void OnHeader(beast::error_code error) {
    if (error) return OnReadError(error);
    const auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      continue_ = http::response<http::empty_body>(http::status::continue_, header.version());
      http::async_write(stream_, *continue_,
                        [self = shared_from_this()](beast::error_code write_error, size_t) {
                          if (write_error) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    // Beast reads at most the buffer's free capacity (at least 512 bytes) per call: give a large
    // body room for 64 KiB reads, or a 3 MB body costs thousands of reads and timer updates.
    const auto length = parser_->content_length();
    if (length && *length > kLargeBodyBytes) buffer_.reserve(buffer_.size() + kReadChunkBytes);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) { self->OnRequest(error); });
  }

  void OnReadError(beast::error_code error) {
    if (IsDisconnect(error)) return Close();
    keep_alive_ = false;  // the stream is out of step with the protocol: answer, then close
    received_ = std::chrono::steady_clock::now();
    version_ = 11;
    busy_ = true;
    if (error == http::error::body_limit) {
      return Respond(JsonError(413, fmt::format("request body is larger than the limit of {} "
                                                "bytes (max_request_bytes)",
                                                server_.options().max_body_bytes)));
    }
    if (error == http::error::header_limit) {
      return Respond(
          JsonError(431, fmt::format("request header is larger than {} bytes", kHeaderLimitBytes)));
    }
    Respond(JsonError(400, fmt::format("malformed HTTP request: {}", error.message())));
  }

  void OnRequest(beast::error_code error) {
    if (error) return OnReadError(error);
    stream_.expires_never();
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    busy_ = true;

    HttpRequest request;
    request.method.assign(message.method_string().data(), message.method_string().size());
    const std::string_view target(message.target().data(), message.target().size());
    const size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos)
      request.query = std::string(target.substr(question + 1));
    request.body = std::move(message.body());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.received = std::chrono::steady_clock::now();
    request_line_ = request.method + " " + request.path;
    received_ = request.received;

    RouteAction action = server_.handler().Route(request);
    if (action.start) return StartAsync(std::move(action), std::move(request));
    if (!action.blocking) return Respond(Call(action, request));
    asio::post(server_.workers(), [self = shared_from_this(), action = std::move(action),
                                   request = std::move(request),
                                   work = asio::make_work_guard(stream_.get_executor())]() mutable {
      HttpResponse response = Call(action, request);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Respond(std::move(response));
      });
    });
  }

  // The Responder hands the reply to this connection's strand (at once when called on it, as a
  // fast model run inline does); it holds the session and the server's work, so neither goes
  // away before the reply is sent.
  void StartAsync(RouteAction action, HttpRequest request) {
    Responder respond = [self = shared_from_this(),
                         work = asio::make_work_guard(stream_.get_executor())](HttpResponse response) {
      asio::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Respond(std::move(response));
      });
    };
    if (request.body.size() <= server_.options().inline_body_bytes) {
      return StartRoute(action, std::move(request), respond);
    }
    asio::post(server_.workers(), [action = std::move(action), request = std::move(request),
                                   respond = std::move(respond)]() mutable {
      StartRoute(action, std::move(request), respond);
    });
  }

  void Respond(HttpResponse response) {
    Log(response.status);
    response_.emplace(static_cast<http::status>(response.status), version_);
    response_->set(http::field::server, "mlos-core");
    response_->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) response_->set(name, value);
    response_->keep_alive(keep_alive_ && !server_.stopping());
    response_->body() = std::move(response.body);
    response_->prepare_payload();
    stream_.expires_after(server_.options().idle_timeout);
    http::async_write(
        stream_, *response_,
        [self = shared_from_this()](beast::error_code error, size_t) { self->OnWritten(error); });
  }

  // One line per reply: debug for success and client errors, warn for server errors.
  void Log(unsigned status) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - received_)
                            .count();
    if (server_.options().counters) server_.options().counters->Record(status, micros);
    const auto level = status >= 500 ? spdlog::level::warn : spdlog::level::debug;
    spdlog::log(level, "http: {} -> {} in {} us",
                request_line_.empty() ? "(unparsed request)" : request_line_, status, micros);
    request_line_.clear();
  }

  void OnWritten(beast::error_code error) {
    busy_ = false;
    const bool keep_alive = response_->keep_alive();
    response_.reset();
    if (error) return Close();
    if (!keep_alive) return Linger();
    ReadHeader();
  }

  // Ends the connection after a final reply: stop sending, then discard what the client still
  // sends (e.g. the rest of a body refused with 413) for a moment, so closing does not reset the
  // connection before the client has read the reply.
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(1));
    Discard();
  }

  void Discard() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code read_error, size_t) {
                              if (read_error) return self->Close();
                              self->Discard();
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool busy_ = false;         // a request is being handled or answered
  std::string request_line_;  // "POST /models/x/inference", for the log
  std::chrono::steady_clock::time_point received_ = std::chrono::steady_clock::now();
  std::array<char, 16 * 1024> discard_;
};

Status HttpServer::Impl::Start() {
  beast::error_code error;
  tcp::resolver resolver(*contexts_[0]);
  const auto endpoints =
      resolver.resolve(options_.host, std::to_string(options_.port), tcp::resolver::passive, error);
  if (error || endpoints.empty()) {
    return InvalidArgument(
        fmt::format("host '{}': {}", options_.host, error ? error.message() : "no address"));
  }
  const tcp::endpoint endpoint = *endpoints.begin();
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Unavailable(
        fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, error.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  for (const auto& context : contexts_) {
    // Each context runs until Stop(), even before its first connection.
    keep_running_.push_back(asio::make_work_guard(*context));
    io_threads_.emplace_back([&io = *context] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("http: unexpected exception on an I/O thread: {}", e.what());
        }
      }
    });
  }
  return Status::Ok();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(NextContext()),
                         [this](beast::error_code error, tcp::socket socket) {
                           if (error == asio::error::operation_aborted || !acceptor_.is_open())
                             return;
                           if (error) {
                             // E.g. out of file descriptors: wait a little instead of spinning.
                             spdlog::warn("http: accept failed: {}", error.message());
                             retry_timer_.expires_after(std::chrono::milliseconds(50));
                             retry_timer_.async_wait([this](beast::error_code) { Accept(); });
                             return;
                           }
                           std::make_shared<Session>(std::move(socket), *this)->Start();
                           Accept();
                         });
}

void HttpServer::Impl::Remember(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_[session.get()] = session;
}

void HttpServer::Impl::Forget(Session* session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(session);
}

void HttpServer::Impl::Stop() {
  if (stopping_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(sessions_mutex_);
    for (const auto& [pointer, weak] : sessions_) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  for (const auto& session : sessions) session->CloseIfIdle();
  // Each context ends once its connections are closed and its replies sent.
  for (auto& guard : keep_running_) guard.reset();
}

void HttpServer::Impl::Wait() {
  if (waited_) return;
  waited_ = true;
  for (auto& thread : io_threads_) thread.join();
  workers_.join();
}

HttpServer::HttpServer(HttpServerOptions options, const HttpHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}
HttpServer::~HttpServer() = default;
Status HttpServer::Start() { return impl_->Start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }
void HttpServer::Wait() { impl_->Wait(); }

}  // namespace mlos::core
