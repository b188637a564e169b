#include "axon/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mlos::axon {
namespace {

StatusOr<int> OpenLockFile(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Internal("cannot create directory " + dir + ": " + error.message());
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot open the store lock " + path + ": " + std::strerror(errno));
  return fd;
}

int FlockRetryingOnSignals(int fd, int operation) {
  int result;
  do {
    result = ::flock(fd, operation);
  } while (result != 0 && errno == EINTR);
  return result;
}

std::string TmpLockPath(const std::string& home) { return home + "/cache/tmp.lock"; }

}  // namespace

StatusOr<StoreLock> StoreLock::Shared(const std::string& home) {
  ASSIGN_OR_RETURN(const int fd, OpenLockFile(TmpLockPath(home)));
  if (FlockRetryingOnSignals(fd, LOCK_SH) != 0) {
    const int saved = errno;
    ::close(fd);
    return Internal("cannot lock " + TmpLockPath(home) + ": " + std::strerror(saved));
  }
  return StoreLock(fd);
}

StatusOr<StoreLock> StoreLock::Exclusive(const std::string& path,
                                         const std::function<void()>& on_wait) {
  ASSIGN_OR_RETURN(const int fd, OpenLockFile(path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK && on_wait) on_wait();
    if (FlockRetryingOnSignals(fd, LOCK_EX) != 0) {
      const int saved = errno;
      ::close(fd);
      return Internal("cannot lock " + path + ": " + std::strerror(saved));
    }
  }
  return StoreLock(fd);
}

StatusOr<StoreLock> StoreLock::TryExclusive(const std::string& home) {
  ASSIGN_OR_RETURN(const int fd, OpenLockFile(TmpLockPath(home)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK) {
      return Unavailable("an install is in progress in " + home +
                         " (it holds cache/tmp.lock); try again when it has finished");
    }
    return Internal("cannot lock " + TmpLockPath(home) + ": " + std::strerror(saved));
  }
  return StoreLock(fd);
}

StoreLock::StoreLock(StoreLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace mlos::axon
