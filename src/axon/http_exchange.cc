#include "axon/http_exchange.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <thread>

#include "axon/version.h"

namespace mlos::axon::http {
namespace {

// libcurl's process-wide set-up, done once before the first handle.
void InitCurlOnce() {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialized;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The state of one request (one hop) as curl's callbacks see it.
struct Transfer {
  const ExchangeRequest* request = nullptr;
  const ResponseSink* sink = nullptr;
  ResponseHead head;
  bool is_redirect_hop = false;  // this response is a redirect we follow: its body is dropped
  bool aborted_by_sink = false;
  bool stalled = false;
  curl_off_t bytes_seen = 0;
  std::chrono::steady_clock::time_point last_bytes_at = std::chrono::steady_clock::now();
};

size_t OnHeaderLine(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  const std::string_view line = Trim(std::string_view(data, length));
  if (line.starts_with("HTTP/")) {  // a new response (e.g. after "100 Continue")
    transfer.head.headers.clear();
    const size_t space = line.find(' ');
    transfer.head.status =
        space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1)).c_str());
    return length;
  }
  if (line.empty()) {  // the end of a head
    transfer.is_redirect_hop = transfer.request->follow_redirects &&
                               IsRedirect(transfer.head.status) &&
                               transfer.head.headers.contains("location");
    if (!transfer.is_redirect_hop && transfer.sink->on_head &&
        !transfer.sink->on_head(transfer.head)) {
      transfer.aborted_by_sink = true;
      return 0;
    }
    return length;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return length;
  const std::string name = Lower(Trim(line.substr(0, colon)));
  const std::string value(Trim(line.substr(colon + 1)));
  auto [it, inserted] = transfer.head.headers.emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return length;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  if (transfer.is_redirect_hop || !transfer.sink->on_body) return length;
  if (!transfer.sink->on_body(std::string_view(data, length))) {
    transfer.aborted_by_sink = true;
    return 0;
  }
  return length;
}

// Cancellation and stall detection. curl calls this at least once a second, even when idle.
// (CURLOPT_LOW_SPEED_TIME is not used for stalls: it averages the speed over a few seconds, so a
// stall after a burst of bytes is seen only seconds after `stall_timeout`.)
int OnProgress(void* user, curl_off_t, curl_off_t bytes_received, curl_off_t, curl_off_t) {
  auto& transfer = *static_cast<Transfer*>(user);
  const auto& is_cancelled = transfer.request->is_cancelled;
  if (is_cancelled && is_cancelled()) return 1;
  const auto now = std::chrono::steady_clock::now();
  if (bytes_received != transfer.bytes_seen) {
    transfer.bytes_seen = bytes_received;
    transfer.last_bytes_at = now;
    return 0;
  }
  const auto stall_timeout = transfer.request->stall_timeout;
  if (stall_timeout.count() > 0 && now - transfer.last_bytes_at >= stall_timeout) {
    transfer.stalled = true;
    return 1;
  }
  return 0;
}

using UrlHandle = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

std::string UrlPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK) return "";
  std::string value(text);
  curl_free(text);
  return value;
}

// "scheme://host:port" of an absolute URL; empty when it does not parse.
std::string OriginOf(const std::string& url) {
  UrlHandle handle(curl_url(), curl_url_cleanup);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  return Lower(UrlPart(handle.get(), CURLUPART_SCHEME)) + "://" +
         Lower(UrlPart(handle.get(), CURLUPART_HOST)) + ":" +
         UrlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
}

// `location` (absolute or relative) resolved against `base`; empty when it does not parse.
std::string ResolveLocation(const std::string& base, const std::string& location) {
  UrlHandle handle(curl_url(), curl_url_cleanup);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) {
    return "";
  }
  return UrlPart(handle.get(), CURLUPART_URL);
}

bool IsFatalCurlError(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
      return true;
    default:
      return false;
  }
}

// Credentials: Authorization, and Cookie (ModelScope's session token travels as a cookie).
void DropAuthorization(HttpHeaders& headers) {
  std::erase_if(headers, [](const auto& header) {
    const std::string name = Lower(header.first);
    return name == "authorization" || name == "cookie";
  });
}

}  // namespace

ExchangeResult Exchange(const ExchangeRequest& request, const ResponseSink& sink) {
  InitCurlOnce();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {ExchangeOutcome::kFatalError, {}, "cannot create a libcurl handle"};
  const std::string user_agent = std::string("axon/") + kAxonVersion;
  const std::string first_origin = OriginOf(request.url);
  HttpHeaders headers = request.headers;
  std::string url = request.url;
  for (int hop = 0;; ++hop) {
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(nullptr,
                                                                            curl_slist_free_all);
    for (const auto& [name, value] : headers) {
      const std::string line = name + ": " + value;
      header_list.reset(curl_slist_append(header_list.release(), line.c_str()));
    }
    Transfer transfer;
    transfer.request = &request;
    transfer.sink = &sink;
    char error_text[CURL_ERROR_SIZE] = {};
    CURL* handle = curl.get();
    curl_easy_reset(handle);
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
    if (!request.range.empty()) curl_easy_setopt(handle, CURLOPT_RANGE, request.range.c_str());
    if (request.head_only) curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeaderLine);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 30L);
    if (request.timeout.count() > 0) {
      curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    }
    const CURLcode code = curl_easy_perform(handle);
    transfer.head.url = url;
    if (transfer.aborted_by_sink) {
      return {ExchangeOutcome::kAbortedBySink, std::move(transfer.head), "stopped by the reader"};
    }
    if (transfer.stalled) {
      return {ExchangeOutcome::kTransientError, std::move(transfer.head),
              "stalled: no data for " + std::to_string(request.stall_timeout.count()) + " s"};
    }
    if (code == CURLE_ABORTED_BY_CALLBACK) {
      return {ExchangeOutcome::kCancelled, std::move(transfer.head), "cancelled"};
    }
    if (code != CURLE_OK) {
      const std::string what = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
      return {IsFatalCurlError(code) ? ExchangeOutcome::kFatalError
                                     : ExchangeOutcome::kTransientError,
              std::move(transfer.head), what};
    }
    if (!transfer.is_redirect_hop) return {ExchangeOutcome::kResponse, std::move(transfer.head), ""};
    if (hop == kMaxRedirects) {
      return {ExchangeOutcome::kFatalError, std::move(transfer.head),
              "more than " + std::to_string(kMaxRedirects) + " redirects"};
    }
    const std::string next = ResolveLocation(url, transfer.head.headers["location"]);
    if (next.empty()) {
      return {ExchangeOutcome::kFatalError, std::move(transfer.head),
              "a redirect names an invalid location"};
    }
    if (OriginOf(next) != first_origin) DropAuthorization(headers);
    url = next;
  }
}

bool IsTransientHttpStatus(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

Status StatusForHttpError(long status, const std::string& what) {
  const std::string message = what + ": HTTP " + std::to_string(status);
  if (status == 404) return NotFound(message + " (not found)");
  if (status == 401 || status == 403) {
    return FailedPrecondition(message + " (access denied: the repository may need a token)");
  }
  if (IsTransientHttpStatus(status)) return Unavailable(message);
  return InvalidArgument(message);
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    const std::string& value, std::chrono::system_clock::time_point now) {
  const std::string_view text = Trim(value);
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (text.size() > 9) return std::chrono::hours(24 * 365);  // absurd, capped by the caller
    return std::chrono::seconds(std::stol(std::string(text)));
  }
  const time_t when = curl_getdate(std::string(text).c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const auto wait = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(wait));
}

std::chrono::milliseconds BackoffDelay(int failures, std::chrono::milliseconds initial,
                                       std::chrono::milliseconds max,
                                       std::optional<std::chrono::milliseconds> retry_after) {
  if (retry_after) return std::min(*retry_after, max);
  std::chrono::milliseconds delay = initial;
  for (int i = 1; i < failures && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

bool SleepUnlessCancelled(std::chrono::milliseconds delay,
                          const std::function<bool()>& is_cancelled) {
  const auto until = std::chrono::steady_clock::now() + delay;
  constexpr std::chrono::milliseconds kPoll{20};
  while (true) {
    if (is_cancelled && is_cancelled()) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, kPoll));
  }
}

}  // namespace mlos::axon::http
