#include "axon/testing/range_file_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "axon/testing/loopback_socket.h"

namespace mlos::axon::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::optional<ServedRequest> ReadRequest(int fd) {
  std::string data;
  char buffer[4096];
  while (data.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    data.append(buffer, static_cast<size_t>(n));
  }
  ServedRequest request;
  size_t line_end = data.find("\r\n");
  const std::string request_line = data.substr(0, line_end);
  const size_t space = request_line.find(' ');
  request.method = request_line.substr(0, space);
  request.target = request_line.substr(space + 1, request_line.find(' ', space + 1) - space - 1);
  const size_t head_end = data.find("\r\n\r\n");
  for (size_t at = line_end + 2; at < head_end; at = line_end + 2) {
    line_end = data.find("\r\n", at);
    const std::string line = data.substr(at, line_end - at);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      request.headers[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
    }
  }
  return request;
}

// Consumes one use of a fault; true when it applies to this request.
bool Use(int& times) {
  if (times == 0) return false;
  if (times > 0) --times;
  return true;
}

}  // namespace

RangeFileServer::RangeFileServer() {
  listen_fd_ = ListenOnLoopback(64, &port_);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

RangeFileServer::~RangeFileServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the pending accept()
  accept_thread_.join();
  ::close(listen_fd_);
  for (auto& connection : connections_) connection.join();
}

std::string RangeFileServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void RangeFileServer::AddFile(const std::string& path, std::string content, std::string etag) {
  std::lock_guard lock(mutex_);
  files_[path] = {std::move(content), std::move(etag)};
}

void RangeFileServer::AddRedirect(const std::string& path, const std::string& location,
                                  int status) {
  std::lock_guard lock(mutex_);
  redirects_[path] = {location, status};
}

void RangeFileServer::SetFaults(const std::string& path, const ServerFaults& faults) {
  std::lock_guard lock(mutex_);
  faults_[path] = faults;
}

void RangeFileServer::SetRangesEnabled(bool enabled) {
  std::lock_guard lock(mutex_);
  ranges_enabled_ = enabled;
}

std::vector<ServedRequest> RangeFileServer::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int RangeFileServer::RangeRequests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(std::count_if(requests_.begin(), requests_.end(), [&](const auto& r) {
    return r.target == path && r.headers.contains("range");
  }));
}

void RangeFileServer::AcceptLoop() {
  while (true) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    if (stopping_) {
      ::close(fd);
      return;
    }
    timeval receive_timeout{.tv_sec = 5, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout);
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, fd] {
      Serve(fd);
      ::close(fd);
    });
  }
}

void RangeFileServer::Serve(int fd) {
  const std::optional<ServedRequest> request = ReadRequest(fd);
  if (!request) return;
  std::string head;
  std::string body;
  long long cut_after = -1;
  long long stall_after = -1;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(*request);
    ServerFaults& stored_faults = faults_[request->target];
    ServerFaults no_faults;
    ServerFaults& faults = stored_faults.skip_requests > 0 ? no_faults : stored_faults;
    if (stored_faults.skip_requests > 0) --stored_faults.skip_requests;
    const auto redirect = redirects_.find(request->target);
    const auto file = files_.find(request->target);
    if (redirect != redirects_.end()) {
      head = "HTTP/1.1 " + std::to_string(redirect->second.status) +
             " Redirect\r\nLocation: " + redirect->second.location + "\r\n";
    } else if (Use(faults.error_times)) {
      head = "HTTP/1.1 " + std::to_string(faults.error_status) + " Fault\r\n";
      if (!faults.retry_after.empty()) head += "Retry-After: " + faults.retry_after + "\r\n";
      body = "injected fault";
    } else if (file == files_.end()) {
      head = "HTTP/1.1 404 Not Found\r\n";
      body = "no such file";
    } else {
      const std::string& content = file->second.content;
      const auto range = request->headers.find("range");
      std::string headers =
          file->second.etag.empty() ? "" : "ETag: \"" + file->second.etag + "\"\r\n";
      if (ranges_enabled_) headers += "Accept-Ranges: bytes\r\n";
      if (ranges_enabled_ && range != request->headers.end() &&
          range->second.starts_with("bytes=")) {
        const std::string spec = range->second.substr(6);
        const size_t dash = spec.find('-');
        const unsigned long long first = std::stoull(spec.substr(0, dash));
        unsigned long long last = content.size() - 1;
        if (dash + 1 < spec.size()) last = std::min(last, std::stoull(spec.substr(dash + 1)));
        if (first >= content.size() || first > last) {
          head = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                 std::to_string(content.size()) + "\r\n";
        } else {
          head = "HTTP/1.1 206 Partial Content\r\n" + headers + "Content-Range: bytes " +
                 std::to_string(first) + "-" + std::to_string(last) + "/" +
                 std::to_string(content.size()) + "\r\n";
          body = content.substr(first, last - first + 1);
        }
      } else {
        head = "HTTP/1.1 200 OK\r\n" + headers;
        body = content;
      }
      if (Use(faults.cut_times)) cut_after = faults.cut_after_bytes;
      if (Use(faults.stall_times)) stall_after = faults.stall_after_bytes;
    }
  }
  head += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  if (!SendAll(fd, head.data(), head.size())) return;
  if (request->method != "HEAD") SendBody(fd, body, cut_after, stall_after);
}

void RangeFileServer::SendBody(int fd, const std::string& body, long long cut_after,
                               long long stall_after) {
  size_t end = body.size();
  if (cut_after >= 0) end = std::min(end, static_cast<size_t>(cut_after));
  if (stall_after >= 0) end = std::min(end, static_cast<size_t>(stall_after));
  if (!SendAll(fd, body.data(), end)) return;
  if (end == body.size() || stall_after < 0) return;  // done, or cut: the caller closes
  // Stalled: keep the connection open, sending nothing, until the client gives up.
  while (!stopping_) {
    char byte;
    const ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace mlos::axon::testing
