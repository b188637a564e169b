// IpcServer: the local IPC front end's listener (docs/ipc.md): a Unix domain stream socket at
// `socket_path`, permissions 0660, a thread per connection (IpcConnection) and a few threads for
// the ops that block (REGISTER, LOAD, UNLOAD).
//
// Start() refuses a path where another server is listening; a stale socket file (nothing
// listening) is replaced, any other file is left alone and refused. Stop() stops accepting and
// asks every connection to stop reading; Wait() waits until the requests in flight are answered
// and every connection and worker thread has ended, then removes the socket file. Stop() and
// Wait() are idempotent; the destructor does both.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "core/api/ipc/ipc_api.h"

namespace mlos::core::ipc {

class IpcConnection;

struct IpcServerOptions {
  std::string socket_path = MLOS_IPC_DEFAULT_SOCKET;
  uint64_t max_body_bytes = uint64_t{64} << 20;  // --max-request-bytes
  unsigned blocking_threads = 2;
  unsigned max_connections = 1024;
};

class IpcServer {
 public:
  IpcServer(IpcServerOptions options, const IpcApi& api);
  ~IpcServer();
  IpcServer(const IpcServer&) = delete;
  IpcServer& operator=(const IpcServer&) = delete;

  // Binds and starts accepting. InvalidArgument naming the path when it cannot listen there.
  Status Start();
  void Stop();
  void Wait();

  const std::string& socket_path() const { return options_.socket_path; }

 private:
  Status Bind();
  void AcceptLoop();
  void ServeConnection(std::shared_ptr<IpcConnection> connection);
  void RunBlocking(std::function<void()> work);
  void BlockingWorker();

  const IpcServerOptions options_;
  const IpcApi& api_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  bool started_ = false;
  bool waited_ = false;
  std::thread accept_thread_;
  std::vector<std::thread> blocking_threads_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::vector<std::weak_ptr<IpcConnection>> connections_;
  unsigned live_connections_ = 0;
  std::deque<std::function<void()>> blocking_queue_;
  bool workers_quit_ = false;
};

}  // namespace mlos::core::ipc
