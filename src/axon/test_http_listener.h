// TestHttpListener: a real HTTP/1.1 listener on 127.0.0.1 for tests. It accepts one connection
// on a background thread, records the request and answers with a canned status and body.
// Test-only code.
#pragma once

#include <future>
#include <string>
#include <thread>

namespace mlos::axon::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string headers;  // the raw header block, lines joined by "\r\n"
  std::string body;
};

class TestHttpListener {
 public:
  TestHttpListener(int status, std::string reply_body);
  ~TestHttpListener();
  TestHttpListener(const TestHttpListener&) = delete;
  TestHttpListener& operator=(const TestHttpListener&) = delete;

  // "http://127.0.0.1:<port>".
  std::string url() const;
  // The request received; waits up to 10 s for it (an empty method if none came).
  RecordedRequest Request();

 private:
  void Serve();

  int status_;
  std::string reply_body_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::promise<RecordedRequest> request_;
  std::future<RecordedRequest> request_future_;
  std::thread thread_;
};

}  // namespace mlos::axon::testing
