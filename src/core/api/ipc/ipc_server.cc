#include "core/api/ipc/ipc_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/api/ipc/ipc_connection.h"

namespace mlos::core::ipc {
namespace {

StatusOr<sockaddr_un> SocketAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return InvalidArgument(fmt::format("IPC socket path '{}' must be 1 to {} bytes long", path,
                                       sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// Whether a server accepts connections on the socket file at `address`.
bool SomeoneListens(const sockaddr_un& address) {
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool listening =
      ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  ::close(probe);
  return listening;
}

}  // namespace

IpcServer::IpcServer(IpcServerOptions options, const IpcApi& api)
    : options_(std::move(options)), api_(api) {}

IpcServer::~IpcServer() {
  Stop();
  Wait();
}

Status IpcServer::Bind() {
  ASSIGN_OR_RETURN(const sockaddr_un address, SocketAddress(options_.socket_path));
  const std::string& path = options_.socket_path;
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      return InvalidArgument(fmt::format(
          "IPC socket path {} exists and is not a socket; remove it or pass another --socket",
          path));
    }
    if (SomeoneListens(address)) {
      return InvalidArgument(fmt::format(
          "another server is listening on the IPC socket {}; stop it or pass another --socket",
          path));
    }
    ::unlink(path.c_str());  // stale: left by a server that did not stop cleanly
  }
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    return InvalidArgument(fmt::format("IPC socket: {}", std::strerror(errno)));
  }
  // The file is created with the umask's permissions; 0660 is set before anyone is accepted.
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      ::chmod(path.c_str(), 0660) != 0 || ::listen(listen_fd_, 128) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return InvalidArgument(fmt::format("cannot listen on the IPC socket {}: {}", path, reason));
  }
  return Status::Ok();
}

Status IpcServer::Start() {
  RETURN_IF_ERROR(Bind());
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  started_ = true;
  for (unsigned i = 0; i < std::max(1u, options_.blocking_threads); ++i) {
    blocking_threads_.emplace_back([this] { BlockingWorker(); });
  }
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void IpcServer::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) break;
    if (!(fds[0].revents & POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::unique_lock lock(mutex_);
    if (stopping_ || live_connections_ >= options_.max_connections) {
      lock.unlock();
      spdlog::warn("IPC: refusing a connection ({} connections open)", live_connections_);
      ::close(fd);
      continue;
    }
    auto connection = std::make_shared<IpcConnection>(
        fd, api_, options_.max_body_bytes,
        [this](std::function<void()> work) { RunBlocking(std::move(work)); });
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    connections_.push_back(connection);
    ++live_connections_;
    lock.unlock();
    std::thread([this, connection = std::move(connection)]() mutable {
      ServeConnection(std::move(connection));
    }).detach();
  }
}

void IpcServer::ServeConnection(std::shared_ptr<IpcConnection> connection) {
  connection->Run();
  connection.reset();  // requests in flight may keep it a little longer
  std::lock_guard lock(mutex_);
  --live_connections_;
  changed_.notify_all();
}

void IpcServer::RunBlocking(std::function<void()> work) {
  std::lock_guard lock(mutex_);
  blocking_queue_.push_back(std::move(work));
  changed_.notify_all();
}

void IpcServer::BlockingWorker() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return workers_quit_ || !blocking_queue_.empty(); });
    if (blocking_queue_.empty()) return;
    auto work = std::move(blocking_queue_.front());
    blocking_queue_.pop_front();
    lock.unlock();
    work();
    work = nullptr;
    lock.lock();
  }
}

void IpcServer::Stop() {
  std::vector<std::shared_ptr<IpcConnection>> open;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !started_) return;
    stopping_ = true;
    for (const auto& weak : connections_) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  for (const auto& connection : open) connection->Stop();
}

void IpcServer::Wait() {
  if (!started_ || waited_) return;
  waited_ = true;
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return live_connections_ == 0; });
    workers_quit_ = true;  // after the connections: their blocking ops are answered first
    changed_.notify_all();
  }
  for (std::thread& worker : blocking_threads_) worker.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
  ::unlink(options_.socket_path.c_str());
}

}  // namespace mlos::core::ipc
