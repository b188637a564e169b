#include "core/api/ipc/ipc_connection.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mlos::core::ipc {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxDescriptorsPerRead = 4;
constexpr size_t kMaxHeldDescriptors = 16;
constexpr auto kDrainLimit = std::chrono::seconds(30);
constexpr auto kSpinAfterActivity = std::chrono::microseconds(50);

}  // namespace

IpcConnection::IpcConnection(int fd, const IpcApi& api, uint64_t max_body_length,
                             BlockingRunner run_blocking)
    : fd_(fd),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      api_(api),
      max_body_length_(max_body_length),
      run_blocking_(std::move(run_blocking)) {}

IpcConnection::~IpcConnection() {
  for (const ReceivedFd& received : descriptors_) ::close(received.fd);
  ::close(fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void IpcConnection::Stop() {
  stopping_ = true;
  Wake();
}

void IpcConnection::Wake() {
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof(one));
}

void IpcConnection::Finish() {
  in_flight_.fetch_sub(1);
  if (draining_) Wake();
}

void IpcConnection::Run() {
  bool reading = true;
  std::chrono::steady_clock::time_point drain_deadline{};
  const auto stop_reading = [&] {
    reading = false;
    draining_ = true;
    drain_deadline = std::chrono::steady_clock::now() + kDrainLimit;
  };
  while (true) {
    if (reading && (stopping_ || close_after_flush_)) stop_reading();
    bool have_queued = false;
    {
      std::lock_guard lock(write_mutex_);
      if (broken_) break;
      have_queued = !queued_.empty();
    }
    if (!reading) {
      if (in_flight_ == 0 && !have_queued) break;
      if (std::chrono::steady_clock::now() > drain_deadline) break;
    }
    if (reading && !have_queued) SpinForNextRequest();
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {fd_, 0, 0}};
    if (reading) fds[1].events |= POLLIN;
    if (have_queued) fds[1].events |= POLLOUT;
    // The socket is left out while draining with nothing to write: a closed peer would keep
    // poll busy.
    const nfds_t count = fds[1].events != 0 ? 2 : 1;
    if (::poll(fds, count, reading ? -1 : 100) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      uint64_t ignored = 0;
      (void)!::read(wake_fd_, &ignored, sizeof(ignored));
    }
    if (count < 2) continue;
    const short events = fds[1].revents;
    if ((events & (POLLOUT | POLLHUP | POLLERR)) && have_queued && !FlushQueued()) break;
    if (reading && (events & (POLLIN | POLLHUP | POLLERR))) {
      if (!ReadAvailable()) stop_reading();
      last_read_ = std::chrono::steady_clock::now();
    }
  }
  {
    std::lock_guard lock(write_mutex_);
    broken_ = true;
  }
  ::shutdown(fd_, SHUT_RDWR);
  for (const ReceivedFd& received : descriptors_) ::close(received.fd);
  descriptors_.clear();
  regions_ = RegionTable();  // requests in flight keep the mappings they use
  frame_body_.reset();
}

void IpcConnection::SpinForNextRequest() {
  // A client in a request loop sends its next request a few microseconds after our reply; waking
  // a sleeping thread costs more than that, so a connection that was just active polls briefly.
  const auto deadline = last_read_ + kSpinAfterActivity;
  pollfd socket{fd_, POLLIN, 0};
  while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
    if (::poll(&socket, 1, 0) != 0) return;
  }
}

bool IpcConnection::ReadAvailable() {
  char* destination = nullptr;
  size_t capacity = 0;
  if (in_frame_) {
    // The body grows with what arrives (at most doubling), so a header that announces a large
    // body costs memory only as its bytes come.
    const uint64_t remaining = frame_header_.body_length - frame_filled_;
    const uint64_t grow =
        std::min<uint64_t>(remaining, std::max<uint64_t>(kReadChunk, frame_filled_));
    if (frame_body_->size() < frame_filled_ + grow) frame_body_->resize(frame_filled_ + grow);
    destination = frame_body_->data() + frame_filled_;
    capacity = frame_body_->size() - frame_filled_;
  } else {
    // Into the chunk, then appended: growing buffer_ by a chunk would zero-fill it every read.
    if (!read_chunk_) read_chunk_ = std::make_unique<char[]>(kReadChunk);
    destination = read_chunk_.get();
    capacity = kReadChunk;
  }
  iovec vector{destination, capacity};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxDescriptorsPerRead)];
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  const ssize_t received = ::recvmsg(fd_, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (!in_frame_ && received > 0) buffer_.append(read_chunk_.get(), received);
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); received >= 0 && header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    const size_t fd_count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < fd_count; ++i) {
      int descriptor = -1;
      std::memcpy(&descriptor, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
      if (received == 0 || descriptors_.size() >= kMaxHeldDescriptors) {
        ::close(descriptor);
      } else {
        descriptors_.push_back({descriptor, stream_offset_, stream_offset_ + received});
      }
    }
  }
  if (received < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  if (received == 0) return false;  // the client closed its end: answer what is in flight
  stream_offset_ += received;
  if (in_frame_) {
    frame_filled_ += received;
    if (frame_filled_ < frame_header_.body_length) return true;
    in_frame_ = false;
    Dispatch(frame_header_, std::move(frame_body_), frame_start_);
    buffer_offset_ = stream_offset_;
  }
  return ProcessBuffered();
}

bool IpcConnection::ProcessBuffered() {
  size_t position = 0;
  while (!in_frame_ && !close_after_flush_ && !stopping_ &&
         buffer_.size() - position >= MLOS_IPC_HEADER_SIZE) {
    const FrameHeader header = DecodeHeader(std::string_view(buffer_).substr(position));
    const uint64_t start = buffer_offset_ + position;
    if (auto rejection = CheckRequestHeader(header, max_body_length_)) {
      Send(EncodeReplyFrame(header.op, header.request_id, rejection->status, rejection->message));
      close_after_flush_ = true;
      break;
    }
    position += MLOS_IPC_HEADER_SIZE;
    const size_t taken = std::min<uint64_t>(header.body_length, buffer_.size() - position);
    auto body = std::make_shared<std::string>(buffer_.data() + position, taken);
    position += taken;
    if (taken == header.body_length) {
      Dispatch(header, std::move(body), start);
    } else {
      in_frame_ = true;
      frame_header_ = header;
      frame_start_ = start;
      frame_body_ = std::move(body);
      frame_filled_ = taken;
    }
  }
  buffer_.erase(0, position);
  buffer_offset_ += position;
  return !close_after_flush_;
}

void IpcConnection::CloseDescriptorsBefore(uint64_t frame_start) {
  while (!descriptors_.empty() && descriptors_.front().chunk_end <= frame_start) {
    ::close(descriptors_.front().fd);
    descriptors_.pop_front();
  }
}

int IpcConnection::TakeDescriptor(uint64_t frame_start, bool wanted) {
  if (!wanted) return -1;
  int taken = -1;
  for (auto it = descriptors_.begin(); it != descriptors_.end();) {
    if (it->chunk_begin <= frame_start && frame_start < it->chunk_end) {
      if (taken < 0) {
        taken = it->fd;
      } else {
        ::close(it->fd);  // one descriptor per REGISTER_REGION
      }
      it = descriptors_.erase(it);
    } else {
      ++it;
    }
  }
  return taken;
}

void IpcConnection::Dispatch(const FrameHeader& header, std::shared_ptr<std::string> body,
                             uint64_t start) {
  CloseDescriptorsBefore(start);
  const int descriptor = TakeDescriptor(start, header.op == MLOS_IPC_OP_REGISTER_REGION);
  switch (header.op) {
    case MLOS_IPC_OP_REGISTER_REGION:
      return Send(api_.RegisterRegion(header, *body, descriptor, &regions_));
    case MLOS_IPC_OP_UNREGISTER_REGION:
      return Send(api_.UnregisterRegion(header, *body, &regions_));
    case MLOS_IPC_OP_INFER: {
      in_flight_.fetch_add(1);
      api_.Infer(header, std::move(body), regions_, std::chrono::steady_clock::now(),
                 [self = shared_from_this()](std::string frame) {
                   self->Send(std::move(frame));
                   self->Finish();
                 });
      return;
    }
    default:
      break;
  }
  if (IpcApi::IsBlocking(header.op)) {
    in_flight_.fetch_add(1);
    run_blocking_([self = shared_from_this(), header, body = std::move(body)] {
      self->Send(self->api_.Control(header, *body));
      self->Finish();
    });
    return;
  }
  Send(api_.Control(header, *body));
}

void IpcConnection::Send(std::string frame) {
  std::lock_guard lock(write_mutex_);
  if (broken_) return;
  if (!queued_.empty()) {
    queued_ += frame;
  } else {
    size_t sent = 0;
    while (sent < frame.size()) {
      const ssize_t n =
          ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        sent += n;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        queued_.assign(frame, sent);
        Wake();
        break;
      } else {
        broken_ = true;
        return;
      }
    }
  }
  if (queued_.size() > kMaxQueuedReplyBytes) {
    spdlog::warn("IPC client does not read its replies ({} bytes queued); disconnecting it",
                 queued_.size());
    broken_ = true;
    queued_.clear();
    ::shutdown(fd_, SHUT_RDWR);
  }
}

bool IpcConnection::FlushQueued() {
  std::lock_guard lock(write_mutex_);
  while (!queued_.empty()) {
    const ssize_t n = ::send(fd_, queued_.data(), queued_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      queued_.erase(0, n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    } else {
      broken_ = true;
      queued_.clear();
      return false;
    }
  }
  return true;
}

}  // namespace mlos::core::ipc
