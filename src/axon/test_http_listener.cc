#include "axon/test_http_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

#include "axon/testing/loopback_socket.h"

namespace mlos::axon::testing {
namespace {

bool ReadMore(int fd, std::string& data) {
  char buffer[4096];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  if (n <= 0) return false;
  data.append(buffer, static_cast<size_t>(n));
  return true;
}

size_t ContentLength(std::string headers) {
  std::transform(headers.begin(), headers.end(), headers.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t at = headers.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  return std::stoul(headers.substr(at + std::string("\r\ncontent-length:").size()));
}

}  // namespace

TestHttpListener::TestHttpListener(int status, std::string reply_body)
    : status_(status), reply_body_(std::move(reply_body)), request_future_(request_.get_future()) {
  listen_fd_ = ListenOnLoopback(4, &port_);
  thread_ = std::thread([this] { Serve(); });
}

TestHttpListener::~TestHttpListener() {
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes a pending accept()
  thread_.join();
  ::close(listen_fd_);
}

std::string TestHttpListener::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

RecordedRequest TestHttpListener::Request() {
  if (request_future_.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {};
  return request_future_.get();
}

void TestHttpListener::Serve() {
  const int fd = ::accept(listen_fd_, nullptr, nullptr);
  if (fd < 0) return;
  std::string data;
  size_t header_end = std::string::npos;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos && ReadMore(fd, data)) {
  }
  RecordedRequest request;
  if (header_end != std::string::npos) {
    request.headers = data.substr(0, header_end);
    const size_t length = ContentLength(request.headers);
    while (data.size() < header_end + 4 + length && ReadMore(fd, data)) {
    }
    request.body = data.substr(header_end + 4, length);
    const size_t space = request.headers.find(' ');
    request.method = request.headers.substr(0, space);
    request.target =
        request.headers.substr(space + 1, request.headers.find(' ', space + 1) - space - 1);
  }
  const std::string reply = "HTTP/1.1 " + std::to_string(status_) +
                            " Test\r\nContent-Type: application/json\r\n" +
                            "Content-Length: " + std::to_string(reply_body_.size()) +
                            "\r\nConnection: close\r\n\r\n" + reply_body_;
  SendAll(fd, reply.data(), reply.size());
  ::close(fd);
  request_.set_value(std::move(request));
}

}  // namespace mlos::axon::testing
