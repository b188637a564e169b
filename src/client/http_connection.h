// HttpConnection: one keep-alive HTTP/1.1 connection to mlos-core, for libmlos-client.
//
// Request() sends one request and reads the whole reply (Content-Length or chunked body). If the
// server closed the idle connection since the last request, it reconnects once and resends. On
// failure it returns false with *error naming the server and what failed; the connection is then
// reopened by the next request. Not thread-safe: one request at a time. Self-contained (POSIX
// sockets only) so the client library stays small.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mlos::client {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

struct HttpEndpoint {
  std::string host;
  uint16_t port = 80;
};

// Parses "http://host[:port][/]" ("[::1]" for IPv6); nullopt otherwise.
std::optional<HttpEndpoint> ParseHttpUrl(std::string_view url);

class HttpConnection {
 public:
  explicit HttpConnection(HttpEndpoint endpoint) : endpoint_(std::move(endpoint)) {}
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool Connect(std::string* error);
  // `extra_headers` are complete "Name: value\r\n" lines.
  bool Request(std::string_view method, std::string_view target, std::string_view body,
               std::string_view extra_headers, HttpReply* reply, std::string* error);

 private:
  bool RequestOnce(std::string_view method, std::string_view target, std::string_view body,
                   std::string_view extra_headers, HttpReply* reply, std::string* error);
  bool SendAll(std::string_view bytes, std::string* error);
  bool Fill(size_t size, std::string* error);  // until buffer_ holds `size` bytes
  bool ReadLine(std::string* line, std::string* error);
  bool ReadBody(HttpReply* reply, std::string* error);
  void Close();
  std::string Where() const;

  HttpEndpoint endpoint_;
  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
};

}  // namespace mlos::client
