// IpcConnection: one client of the local IPC server: reads its frames, hands each request to
// IpcApi and writes the replies (docs/ipc.md).
//
// Run() is the connection's thread: it polls the socket, reads with recvmsg into a frame buffer
// (a body is read straight into its own buffer, which an INFER's borrowed inputs keep alive),
// and dispatches each complete frame. Descriptors (SCM_RIGHTS) are matched to the frame whose
// header starts in the read that brought them: a REGISTER_REGION frame takes one, every other
// descriptor is closed. Control ops and INFER run on this thread (a fast model computes here and
// its reply is written without a thread hop); REGISTER, LOAD and UNLOAD go to `run_blocking`.
//
// For the latency of request loops, Run() polls without sleeping for 50 us after each read
// before it blocks (a thread wake-up costs more than a client's turnaround). Send() may be called
// from any thread: a reply is written at once under the write lock when
// the socket takes it, and queued otherwise (flushed by Run()); a client that lets more than
// kMaxQueuedReplyBytes pile up is disconnected, so it cannot hold a model's thread. A bad
// magic, version or body_length is answered, then the connection is closed. Run() returns when
// the client disconnects, the stream is rejected or Stop() is called; after Stop() it stops
// reading, waits for the requests in flight to be answered and flushed (up to a drain limit),
// then returns. The socket is closed when the last in-flight request lets go of the connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/api/ipc/ipc_api.h"
#include "core/api/ipc/ipc_frame.h"
#include "core/api/ipc/ipc_regions.h"

namespace mlos::core::ipc {

inline constexpr uint64_t kMaxQueuedReplyBytes = uint64_t{1} << 30;

class IpcConnection : public std::enable_shared_from_this<IpcConnection> {
 public:
  using BlockingRunner = std::function<void(std::function<void()>)>;

  // Takes ownership of `fd` (a connected socket).
  IpcConnection(int fd, const IpcApi& api, uint64_t max_body_length, BlockingRunner run_blocking);
  ~IpcConnection();
  IpcConnection(const IpcConnection&) = delete;
  IpcConnection& operator=(const IpcConnection&) = delete;

  void Run();
  // Asks Run() to stop reading and drain; returns at once. Thread-safe.
  void Stop();
  // Writes (or queues) one reply frame. Thread-safe.
  void Send(std::string frame);

 private:
  struct ReceivedFd {
    int fd = -1;
    uint64_t chunk_begin = 0;  // stream offsets of the read that brought it
    uint64_t chunk_end = 0;
  };

  void SpinForNextRequest();  // polls without sleeping for a moment after the last read
  bool ReadAvailable();       // false: the connection is over
  bool ProcessBuffered();
  bool StartFrame(const FrameHeader& header);
  void Dispatch(const FrameHeader& header, std::shared_ptr<std::string> body, uint64_t start);
  int TakeDescriptor(uint64_t frame_start, bool wanted);
  void CloseDescriptorsBefore(uint64_t frame_start);
  bool FlushQueued();
  void Wake();
  void Finish();  // a request in flight has been answered

  const int fd_;
  const int wake_fd_;
  const IpcApi& api_;
  const uint64_t max_body_length_;
  const BlockingRunner run_blocking_;

  // Reader thread only.
  RegionTable regions_;
  std::unique_ptr<char[]> read_chunk_;  // what one read between frames receives
  std::string buffer_;                  // bytes read, not yet part of a frame
  uint64_t stream_offset_ = 0;          // bytes read so far, in all
  uint64_t buffer_offset_ = 0;          // the stream offset of buffer_[0]
  std::deque<ReceivedFd> descriptors_;
  bool in_frame_ = false;
  FrameHeader frame_header_{};
  uint64_t frame_start_ = 0;
  std::shared_ptr<std::string> frame_body_;
  uint64_t frame_filled_ = 0;
  bool close_after_flush_ = false;
  std::chrono::steady_clock::time_point last_read_{};

  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};  // Run() no longer reads: wake it as requests finish
  std::atomic<int> in_flight_{0};

  std::mutex write_mutex_;
  std::string queued_;   // reply bytes the socket has not taken yet
  bool broken_ = false;  // writes failed or the client is gone: replies are dropped
};

}  // namespace mlos::core::ipc
