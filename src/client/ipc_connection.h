// IpcConnection: one connection to mlos-core's local IPC socket (docs/ipc.md), for
// libmlos-client.
//
// Call() sends one request frame (optionally with a file descriptor attached, for
// REGISTER_REGION) and waits for the reply frame with the same request id. Replies are read
// whole; the reply body is bounded (1 GiB). On a transport failure it returns false with *error
// naming the socket, and the connection is unusable (closed). Not thread-safe: one call at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlos::client {

struct IpcReply {
  uint32_t status = 0;  // MLOS_IPC_*
  std::string body;     // the document, or the error message
};

class IpcConnection {
 public:
  explicit IpcConnection(std::string path) : path_(std::move(path)) {}
  ~IpcConnection();
  IpcConnection(const IpcConnection&) = delete;
  IpcConnection& operator=(const IpcConnection&) = delete;

  bool Connect(std::string* error);
  // Sends `body` in one frame of `op` (with `fd` as SCM_RIGHTS when >= 0) and reads its reply.
  // `parts` lets a caller send a body in pieces (header-like metadata, then tensor bytes) without
  // joining them: the frame's body is their concatenation.
  bool Call(uint16_t op, const std::vector<std::string_view>& parts, int fd, IpcReply* reply,
            std::string* error);
  const std::string& path() const { return path_; }

 private:
  bool ReadExactly(void* data, size_t size, std::string* error);
  void Close();

  std::string path_;
  int fd_ = -1;
  uint64_t next_id_ = 1;
};

}  // namespace mlos::client
