#include "axon/test_http_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace mlos::axon::testing {
namespace {

bool ReadMore(int fd, std::string& data) {
  char buffer[4096];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  if (n <= 0) return false;
  data.append(buffer, static_cast<size_t>(n));
  return true;
}

void SendAll(int fd, const std::string& data) {
  for (size_t sent = 0; sent < data.size();) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
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
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listen_fd_, 4) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
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
  SendAll(fd, "HTTP/1.1 " + std::to_string(status_) +
                  " Test\r\nContent-Type: application/json\r\n" +
                  "Content-Length: " + std::to_string(reply_body_.size()) +
                  "\r\nConnection: close\r\n\r\n" + reply_body_);
  ::close(fd);
  request_.set_value(std::move(request));
}

}  // namespace mlos::axon::testing
