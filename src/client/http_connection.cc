#include "client/http_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

namespace mlos::client {
namespace {

// HTTP bodies and header sections this client accepts at most.
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr uint64_t kMaxBodyBytes = uint64_t{4} << 30;
// How long a read polls the socket before it sleeps in recv(): a quick reply then costs no
// wake-up (see ipc_connection.cc).
constexpr auto kPollBeforeSleeping = std::chrono::microseconds(50);

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return std::string(text);
}

template <typename T>
bool ParseNumber(std::string_view text, T* value, int base = 10) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value, base);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::optional<HttpEndpoint> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.find('/') != std::string_view::npos) return std::nullopt;
  HttpEndpoint endpoint;
  std::string_view port;
  if (!url.empty() && url.front() == '[') {
    const size_t close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    endpoint.host = std::string(url.substr(1, close - 1));
    const std::string_view rest = url.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const size_t colon = url.rfind(':');
    endpoint.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) port = url.substr(colon + 1);
  }
  if (endpoint.host.empty()) return std::nullopt;
  if (!port.empty() && (!ParseNumber(port, &endpoint.port) || endpoint.port == 0))
    return std::nullopt;
  return endpoint;
}

HttpConnection::~HttpConnection() { Close(); }

std::string HttpConnection::Where() const {
  return "http://" + endpoint_.host + ":" + std::to_string(endpoint_.port);
}

void HttpConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool HttpConnection::Connect(std::string* error) {
  Close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint_.port);
  if (const int code = ::getaddrinfo(endpoint_.host.c_str(), port.c_str(), &hints, &found)) {
    *error = Where() + ": cannot resolve the host (" + ::gai_strerror(code) + ")";
    return false;
  }
  std::string reason = "no address";
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, address->ai_addr, address->ai_addrlen) == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      fd_ = fd;
      break;
    }
    reason = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) *error = Where() + ": cannot connect (" + reason + ")";
  return fd_ >= 0;
}

bool HttpConnection::SendAll(std::string_view bytes, std::string* error) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      *error = Where() + ": sending failed (" + std::strerror(errno) + ")";
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

bool HttpConnection::Fill(size_t size, std::string* error) {
  char chunk[64 * 1024];
  const auto poll_until = std::chrono::steady_clock::now() + kPollBeforeSleeping;
  while (buffer_.size() < size) {
    const bool polling = std::chrono::steady_clock::now() < poll_until;
    const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), polling ? MSG_DONTWAIT : 0);
    if (got < 0 && (errno == EINTR || (polling && (errno == EAGAIN || errno == EWOULDBLOCK))))
      continue;
    if (got <= 0) {
      *error =
          Where() + (got == 0 ? ": the server closed the connection"
                              : ": receiving failed (" + std::string(std::strerror(errno)) + ")");
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(got));
  }
  return true;
}

bool HttpConnection::ReadLine(std::string* line, std::string* error) {
  size_t end;
  while ((end = buffer_.find("\r\n")) == std::string::npos) {
    if (buffer_.size() > kMaxHeaderBytes) {
      *error = Where() + ": a reply line is longer than " + std::to_string(kMaxHeaderBytes);
      return false;
    }
    if (!Fill(buffer_.size() + 1, error)) return false;
  }
  *line = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return true;
}

bool HttpConnection::ReadBody(HttpReply* reply, std::string* error) {
  const auto length = reply->headers.find("content-length");
  const auto encoding = reply->headers.find("transfer-encoding");
  if (encoding != reply->headers.end() && Lowercase(encoding->second) == "chunked") {
    for (;;) {
      std::string line;
      if (!ReadLine(&line, error)) return false;
      uint64_t size = 0;
      const std::string digits = Trim(line.substr(0, line.find(';')));
      if (!ParseNumber(std::string_view(digits), &size, 16) ||
          size > kMaxBodyBytes - reply->body.size()) {
        *error = Where() + ": bad chunk size '" + line + "'";
        return false;
      }
      if (!Fill(size + 2, error)) return false;
      reply->body.append(buffer_, 0, size);
      buffer_.erase(0, size + 2);
      if (size == 0) return true;  // trailers are not used by mlos-core
    }
  }
  uint64_t size = 0;
  if (length != reply->headers.end() &&
      (!ParseNumber(std::string_view(length->second), &size) || size > kMaxBodyBytes)) {
    *error = Where() + ": bad Content-Length '" + length->second + "'";
    return false;
  }
  if (!Fill(size, error)) return false;
  reply->body = buffer_.substr(0, size);
  buffer_.erase(0, size);
  return true;
}

bool HttpConnection::RequestOnce(std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view extra_headers,
                                 HttpReply* reply, std::string* error) {
  std::string head;
  head.reserve(256 + extra_headers.size());
  head.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  head.append(endpoint_.host).append(":").append(std::to_string(endpoint_.port)).append("\r\n");
  head.append(extra_headers);
  head.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
  if (body.size() < 16 * 1024) {
    head.append(body);
    if (!SendAll(head, error)) return false;
  } else if (!SendAll(head, error) || !SendAll(body, error)) {
    return false;
  }
  std::string line;
  if (!ReadLine(&line, error)) return false;
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12 ||
      !ParseNumber(std::string_view(line).substr(9, 3), &reply->status)) {
    *error = Where() + ": not an HTTP reply: '" + line.substr(0, 80) + "'";
    return false;
  }
  reply->headers.clear();
  for (;;) {
    if (!ReadLine(&line, error)) return false;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    reply->headers[Lowercase(line.substr(0, colon))] =
        Trim(std::string_view(line).substr(colon + 1));
  }
  if (!ReadBody(reply, error)) return false;
  const auto connection = reply->headers.find("connection");
  if (connection != reply->headers.end() && Lowercase(connection->second) == "close") Close();
  return true;
}

bool HttpConnection::Request(std::string_view method, std::string_view target,
                             std::string_view body, std::string_view extra_headers,
                             HttpReply* reply, std::string* error) {
  const bool reused = fd_ >= 0;
  if (!reused && !Connect(error)) return false;
  if (RequestOnce(method, target, body, extra_headers, reply, error)) return true;
  Close();
  // A kept-alive connection the server has since closed: one fresh attempt.
  if (!reused || !Connect(error)) return false;
  if (RequestOnce(method, target, body, extra_headers, reply, error)) return true;
  Close();
  return false;
}

}  // namespace mlos::client
