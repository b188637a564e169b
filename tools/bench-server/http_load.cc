#include "tools/bench-server/http_load.h"

#include <fmt/format.h>

#include <atomic>
#include <barrier>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

namespace mlos::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// The number after `"field":` in `body`, if any. A plain scan instead of a JSON parse, so that
// reading it costs the client next to nothing even on large answers.
std::optional<double> FindNumberField(const std::string& body, const std::string& field) {
  const std::string key = "\"" + field + "\"";
  size_t at = body.find(key);
  if (at == std::string::npos) return std::nullopt;
  at = body.find_first_not_of(" \t\r\n", at + key.size());
  if (at == std::string::npos || body[at] != ':') return std::nullopt;
  const char* start = body.c_str() + at + 1;
  char* end = nullptr;
  const double value = std::strtod(start, &end);
  if (end == start) return std::nullopt;
  return value;
}

// One client: a thread's connection and the request it sends over and over.
class Client {
 public:
  Client(const HttpRequestSpec& spec, const tcp::resolver::results_type& endpoints)
      : endpoints_(endpoints) {
    request_.method(spec.method == "GET" ? http::verb::get : http::verb::post);
    request_.target(spec.path);
    request_.version(11);
    request_.set(http::field::host, spec.host);
    request_.set(http::field::user_agent, "mlos-bench-http");
    for (const auto& [name, value] : spec.headers) request_.set(name, value);
    request_.keep_alive(true);
    request_.body() = spec.body;
    request_.prepare_payload();
  }

  // Sends the request once. Returns the failure's description, or nothing on a 2xx answer.
  std::optional<std::string> RoundTrip() {
    boost::system::error_code error;
    if (!socket_.is_open()) {
      asio::connect(socket_, endpoints_, error);
      if (error) return Fail("connect: " + error.message());
      socket_.set_option(tcp::no_delay(true), error);
      buffer_.clear();
      // Beast reads max(512, free capacity) bytes at a time: without room reserved, a large
      // answer would arrive in 512-byte reads, and the client would time itself.
      buffer_.reserve(64 * 1024);
    }
    http::write(socket_, request_, error);
    if (error) return Fail("write: " + error.message());
    http::response_parser<http::string_body> parser;
    // Not boost::none: Boost 1.74 compares the content length with the optional limit, and any
    // length is greater than none.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    http::read(socket_, buffer_, parser, error);
    if (error) return Fail("read: " + error.message());
    response_ = parser.release();
    if (!response_.keep_alive()) Close();
    if (response_.result_int() / 100 != 2) {
      return fmt::format("HTTP {}: {}", response_.result_int(), response_.body().substr(0, 2000));
    }
    return std::nullopt;
  }

  const std::string& last_body() const { return response_.body(); }

 private:
  std::string Fail(std::string what) {
    Close();
    return what;
  }
  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  tcp::resolver::results_type endpoints_;
  asio::io_context io_;
  tcp::socket socket_{io_};
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

// What the clients share during a run.
struct SharedState {
  std::mutex mutex;
  std::string first_error;
  std::string response;
  uint64_t response_bytes = 0;
  uint64_t errors = 0;
  std::vector<int64_t> latencies_ns;
  std::vector<double> reported;
  std::atomic<int64_t> remaining_requests{0};  // used when the plan counts requests
  Clock::time_point deadline;
};

void RecordError(SharedState& shared, const std::string& what) {
  std::lock_guard lock(shared.mutex);
  ++shared.errors;
  if (shared.first_error.empty()) shared.first_error = what;
}

}  // namespace

StatusOr<LoadResult> RunHttpLoad(const HttpRequestSpec& spec, const LoadPlan& plan) {
  if (plan.concurrency == 0) return InvalidArgument("concurrency must be at least 1");
  tcp::resolver::results_type endpoints;
  try {
    asio::io_context io;
    endpoints = tcp::resolver(io).resolve(spec.host, std::to_string(spec.port));
  } catch (const boost::system::system_error& error) {
    return Unavailable(fmt::format("cannot resolve {}:{}: {}", spec.host, spec.port, error.what()));
  }

  SharedState shared;
  std::vector<std::optional<std::string>> warmup_failures(plan.concurrency);
  Clock::time_point start;
  // The barrier's completion step runs once, when every client has warmed up: it starts the clock.
  const auto start_measuring = [&]() noexcept {
    start = Clock::now();
    shared.deadline = start + std::chrono::duration_cast<Clock::duration>(plan.duration);
    shared.remaining_requests = static_cast<int64_t>(plan.requests);
  };
  std::barrier warmed_up(static_cast<std::ptrdiff_t>(plan.concurrency), start_measuring);

  const auto client_main = [&](unsigned index) {
    Client client(spec, endpoints);
    for (unsigned i = 0; i < plan.warmup_per_client && !warmup_failures[index]; ++i) {
      warmup_failures[index] = client.RoundTrip();
    }
    warmed_up.arrive_and_wait();
    if (warmup_failures[index]) return;
    std::vector<int64_t> latencies;
    std::vector<double> reported;
    while (plan.requests > 0 ? shared.remaining_requests.fetch_sub(1) > 0
                             : Clock::now() < shared.deadline) {
      const auto sent = Clock::now();
      if (auto failure = client.RoundTrip()) {
        RecordError(shared, *failure);
        continue;
      }
      if (!plan.reported_field.empty()) {
        if (auto value = FindNumberField(client.last_body(), plan.reported_field)) {
          reported.push_back(*value);
        }
      }
      latencies.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent).count());
    }
    std::lock_guard lock(shared.mutex);
    shared.latencies_ns.insert(shared.latencies_ns.end(), latencies.begin(), latencies.end());
    shared.reported.insert(shared.reported.end(), reported.begin(), reported.end());
    if (!latencies.empty()) {
      shared.response_bytes = client.last_body().size();
      if (shared.response.empty()) shared.response = client.last_body();
    }
  };

  std::vector<std::thread> clients;
  for (unsigned i = 0; i < plan.concurrency; ++i) clients.emplace_back(client_main, i);
  for (auto& client : clients) client.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  for (const auto& failure : warmup_failures) {
    if (failure) {
      return Unavailable(fmt::format("warm-up request to {}:{}{} failed: {}", spec.host, spec.port,
                                     spec.path, *failure));
    }
  }
  LoadResult result;
  result.summary = Summarize(std::move(shared.latencies_ns), shared.errors, seconds);
  result.first_error = std::move(shared.first_error);
  result.response = std::move(shared.response);
  result.response_bytes = shared.response_bytes;
  result.reported = std::move(shared.reported);
  return result;
}

}  // namespace mlos::bench
