// One HTTP request over libcurl, and the retry policy shared by FetchUrl and DownloadFiles.
// Internal to Axon (download.cc is its user).
//
// Exchange follows redirects by hand (at most kMaxRedirects) instead of CURLOPT_FOLLOWLOCATION:
// curl 7.88 forwards a header set through CURLOPT_HTTPHEADER, Authorization included, to any host
// a redirect names. Here the Authorization and Cookie headers are dropped for good as soon as a
// redirect leaves the origin (scheme, host, port) of the first URL, as the official hub clients do.
// The sink sees only the final response (never a redirect hop's head or body).
// Thread-safe: every call uses its own curl handle.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "axon/download.h"
#include "common/status.h"

namespace mlos::axon::http {

inline constexpr int kMaxRedirects = 10;

struct ResponseHead {
  long status = 0;
  std::map<std::string, std::string> headers{};  // lower-case names; repeated ones joined by ", "
  std::string url{};                             // the URL that answered (after redirects)
};

struct ResponseSink {
  // After the final response's headers. Returning false aborts the transfer (kAbortedBySink).
  std::function<bool(const ResponseHead& head)> on_head{};
  // Each chunk of the final response's body. Returning false aborts the transfer.
  std::function<bool(std::string_view chunk)> on_body{};
};

struct ExchangeRequest {
  std::string url{};
  HttpHeaders headers{};
  std::string range{};  // CURLOPT_RANGE form: "first-last" or "first-"; empty: no Range header
  bool head_only = false;
  bool follow_redirects = true;
  std::chrono::milliseconds timeout{0};        // the whole transfer; 0: none
  std::chrono::seconds stall_timeout{0};       // no body byte for this long; 0: none
  std::function<bool()> is_cancelled{};        // polled during the transfer; may be empty
};

enum class ExchangeOutcome {
  kResponse,        // a complete final response (any HTTP status)
  kAbortedBySink,   // the sink returned false
  kCancelled,       // is_cancelled() became true
  kTransientError,  // connection failed, cut, stalled or timed out: worth retrying
  kFatalError,      // retrying cannot help: bad URL, too many redirects, TLS verification
};

struct ExchangeResult {
  ExchangeOutcome outcome = ExchangeOutcome::kFatalError;
  ResponseHead head{};  // the final response's head, when one came
  std::string error{};  // what failed, for every outcome but kResponse (no URL, no headers)
};

ExchangeResult Exchange(const ExchangeRequest& request, const ResponseSink& sink);

// 408, 429 and 5xx.
bool IsTransientHttpStatus(long status);

// The error for a final HTTP status >= 400: NotFound (404), FailedPrecondition (401, 403, saying
// a token may be needed), Unavailable (transient statuses), InvalidArgument (others). `what`
// names the request, e.g. the URL.
Status StatusForHttpError(long status, const std::string& what);

// A Retry-After value: delta-seconds or an HTTP date, as a wait from `now` (0 for a past date);
// nullopt when it is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    const std::string& value, std::chrono::system_clock::time_point now);

// The wait before retry number `failures` (1 for the first retry): `initial * 2^(failures-1)`,
// or the server's Retry-After when it sent one; capped at `max`.
std::chrono::milliseconds BackoffDelay(int failures, std::chrono::milliseconds initial,
                                       std::chrono::milliseconds max,
                                       std::optional<std::chrono::milliseconds> retry_after);

// Sleeps `delay`, waking early when `is_cancelled` (may be empty) turns true. Returns false iff
// cancelled.
bool SleepUnlessCancelled(std::chrono::milliseconds delay,
                          const std::function<bool()>& is_cancelled);

}  // namespace mlos::axon::http
