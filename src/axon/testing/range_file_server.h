// RangeFileServer: a real HTTP/1.1 server on 127.0.0.1 for download tests. It serves in-memory
// files with ETags and byte ranges (one "bytes=first-last" or "bytes=first-" range: 206 with
// Content-Range, 416 past the end), redirects, and faults injected per path: an HTTP error
// status (with Retry-After) for the next N requests, a connection cut after N body bytes, a
// stall (stops sending, keeps the connection open). Every request is recorded.
// One connection per request ("Connection: close"), each on its own thread. Thread-safe.
// Test-only code.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mlos::axon::testing {

struct ServedRequest {
  std::string method{};
  std::string target{};
  std::map<std::string, std::string> headers{};  // lower-case names
};

// A fault applies to the next `times` requests for its path (-1: to all of them), once
// `skip_requests` requests have been served without faults.
struct ServerFaults {
  int skip_requests = 0;
  int error_status = 0;  // answer this status instead of the file
  std::string retry_after{};  // sent with error_status when not empty
  int error_times = 0;
  long long cut_after_bytes = -1;  // close the connection after this many body bytes
  int cut_times = 0;
  long long stall_after_bytes = -1;  // stop sending after this many body bytes
  int stall_times = 0;
};

class RangeFileServer {
 public:
  RangeFileServer();
  ~RangeFileServer();
  RangeFileServer(const RangeFileServer&) = delete;
  RangeFileServer& operator=(const RangeFileServer&) = delete;

  // "http://127.0.0.1:<port>".
  std::string url() const;
  // Serves `content` at `path` (e.g. "/model.bin") with the given ETag (none when empty).
  void AddFile(const std::string& path, std::string content, std::string etag = "");
  // Answers `status` with `Location: location` at `path`.
  void AddRedirect(const std::string& path, const std::string& location, int status = 302);
  void SetFaults(const std::string& path, const ServerFaults& faults);
  // When false, Range headers are ignored (200 with the whole file) and no Accept-Ranges is sent.
  void SetRangesEnabled(bool enabled);

  std::vector<ServedRequest> Requests() const;
  // Requests for `path` that carried a Range header.
  int RangeRequests(const std::string& path) const;

 private:
  struct File {
    std::string content{};
    std::string etag{};
  };
  struct Redirect {
    std::string location{};
    int status = 302;
  };

  void AcceptLoop();
  void Serve(int fd);
  void SendBody(int fd, const std::string& body, long long cut_after, long long stall_after);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, File> files_;
  std::map<std::string, Redirect> redirects_;
  std::map<std::string, ServerFaults> faults_;
  bool ranges_enabled_ = true;
  std::vector<ServedRequest> requests_;
  std::vector<std::thread> connections_;
  std::thread accept_thread_;
};

}  // namespace mlos::axon::testing
