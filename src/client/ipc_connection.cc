#include "client/ipc_connection.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "mlos/ipc.h"

namespace mlos::client {
namespace {

constexpr uint64_t kMaxReplyBytes = uint64_t{1} << 30;

// How long a call polls the socket for its reply before it sleeps in recv(). A fast model answers
// within tens of microseconds; a thread that slept meanwhile pays the wake-up (and, on an idle
// machine, the CPU's exit from its sleep state) on top.
constexpr auto kPollBeforeSleeping = std::chrono::microseconds(50);

}  // namespace

IpcConnection::~IpcConnection() { Close(); }

void IpcConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool IpcConnection::Connect(std::string* error) {
  Close();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof(address.sun_path)) {
    *error = "IPC socket '" + path_ + "': the path must have 1 to " +
             std::to_string(sizeof(address.sun_path) - 1) + " bytes";
    return false;
  }
  std::memcpy(address.sun_path, path_.data(), path_.size());
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    *error = "IPC socket '" + path_ + "': cannot connect (" + std::strerror(errno) + ")";
    Close();
    return false;
  }
  return true;
}

bool IpcConnection::ReadExactly(void* data, size_t size, std::string* error) {
  auto* bytes = static_cast<char*>(data);
  const auto poll_until = std::chrono::steady_clock::now() + kPollBeforeSleeping;
  while (size > 0) {
    const bool polling = std::chrono::steady_clock::now() < poll_until;
    const ssize_t got = ::recv(fd_, bytes, size, polling ? MSG_DONTWAIT : 0);
    if (got < 0 && (errno == EINTR || (polling && (errno == EAGAIN || errno == EWOULDBLOCK))))
      continue;
    if (got <= 0) {
      *error = "IPC socket '" + path_ + "': " +
               (got == 0 ? std::string("the server closed the connection")
                         : "receiving failed (" + std::string(std::strerror(errno)) + ")");
      Close();
      return false;
    }
    bytes += got;
    size -= static_cast<size_t>(got);
  }
  return true;
}

bool IpcConnection::Call(uint16_t op, const std::vector<std::string_view>& parts, int fd,
                         IpcReply* reply, std::string* error) {
  if (fd_ < 0) {
    *error = "IPC socket '" + path_ + "': not connected";
    return false;
  }
  mlos_ipc_header header{};
  header.magic = MLOS_IPC_MAGIC;
  header.version = MLOS_IPC_VERSION;
  header.op = op;
  header.request_id = next_id_++;
  for (std::string_view part : parts) header.body_length += part.size();

  std::vector<iovec> pieces;
  pieces.push_back({&header, sizeof(header)});
  for (std::string_view part : parts) {
    if (!part.empty()) pieces.push_back({const_cast<char*>(part.data()), part.size()});
  }
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = pieces.data();
  message.msg_iovlen = pieces.size();
  if (fd >= 0) {
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    cmsghdr* rights = CMSG_FIRSTHDR(&message);
    rights->cmsg_level = SOL_SOCKET;
    rights->cmsg_type = SCM_RIGHTS;
    rights->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(rights), &fd, sizeof(int));
  }
  size_t index = 0;
  while (index < pieces.size()) {
    message.msg_iov = pieces.data() + index;
    message.msg_iovlen = pieces.size() - index;
    const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      *error = "IPC socket '" + path_ + "': sending failed (" + std::strerror(errno) + ")";
      Close();
      return false;
    }
    message.msg_control = nullptr;  // the descriptor went with the first byte
    message.msg_controllen = 0;
    auto done = static_cast<size_t>(sent);
    while (index < pieces.size() && done >= pieces[index].iov_len) done -= pieces[index++].iov_len;
    if (done > 0) {
      pieces[index].iov_base = static_cast<char*>(pieces[index].iov_base) + done;
      pieces[index].iov_len -= done;
    }
  }

  for (;;) {
    mlos_ipc_header answer{};
    if (!ReadExactly(&answer, sizeof(answer), error)) return false;
    if (answer.magic != MLOS_IPC_MAGIC || answer.version != MLOS_IPC_VERSION ||
        answer.body_length > kMaxReplyBytes) {
      *error = "IPC socket '" + path_ + "': the server sent a frame this client cannot read";
      Close();
      return false;
    }
    reply->status = answer.status;
    reply->body.resize(answer.body_length);
    if (!ReadExactly(reply->body.data(), reply->body.size(), error)) return false;
    if (answer.request_id == header.request_id) return true;
    // A reply to an earlier call that gave up: not ours, skip it.
  }
}

}  // namespace mlos::client
