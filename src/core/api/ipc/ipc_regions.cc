#include "core/api/ipc/ipc_regions.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mlos::core::ipc {
namespace {

// Closes the descriptor on every path out of Register().
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

MappedRegion::~MappedRegion() { ::munmap(data_, size_); }

StatusOr<uint32_t> RegionTable::Register(int fd, uint64_t size) {
  FdCloser closer(fd);
  if (size == 0) return InvalidArgument("REGISTER_REGION: \"size\" must be at least 1");
  if (regions_.size() >= kMaxRegions) {
    return InvalidArgument(fmt::format(
        "REGISTER_REGION: the connection already holds {} regions, the most it may; unregister "
        "one first",
        kMaxRegions));
  }
  if (size > kMaxMappedBytes - mapped_bytes_) {
    return InvalidArgument(fmt::format(
        "REGISTER_REGION: {} more bytes would take the connection's regions over {} bytes "
        "({} mapped)",
        size, kMaxMappedBytes, mapped_bytes_));
  }
  // A memfd created with MFD_ALLOW_SEALING is sealed against shrinking (before its size is
  // checked), so the client cannot make reads in place fault; other objects are only ever copied
  // (ipc_guarded_copy.h).
  (void)::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
  const int seals = ::fcntl(fd, F_GET_SEALS);
  const bool sealed = seals >= 0 && (seals & F_SEAL_SHRINK) != 0;
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return InvalidArgument(fmt::format("REGISTER_REGION: the descriptor cannot be examined: {}",
                                       std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode) || info.st_size < 0 || static_cast<uint64_t>(info.st_size) < size) {
    return InvalidArgument(
        fmt::format("REGISTER_REGION: \"size\" is {} but the shared-memory object holds {} bytes",
                    size, S_ISREG(info.st_mode) ? static_cast<int64_t>(info.st_size) : 0));
  }
  void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    return InvalidArgument(
        fmt::format("REGISTER_REGION: mapping {} bytes of the descriptor failed: {}", size,
                    std::strerror(errno)));
  }
  const uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 1;
  regions_[id] = std::make_shared<MappedRegion>(static_cast<std::byte*>(data), size, sealed);
  mapped_bytes_ += size;
  return id;
}

Status RegionTable::Unregister(uint32_t region) {
  const auto found = regions_.find(region);
  if (found == regions_.end()) {
    return NotFound(fmt::format("region {} is not registered on this connection", region));
  }
  mapped_bytes_ -= found->second->size();
  regions_.erase(found);
  return Status::Ok();
}

StatusOr<RegionSpan> RegionTable::Window(uint32_t region, uint64_t offset, uint64_t length) const {
  const auto found = regions_.find(region);
  if (found == regions_.end()) {
    return NotFound(fmt::format("region {} is not registered on this connection", region));
  }
  const MappedRegion& mapping = *found->second;
  if (offset > mapping.size() || length > mapping.size() - offset) {
    return InvalidArgument(fmt::format("bytes [{}, {}+{}) are outside region {} of {} bytes",
                                       offset, offset, length, region, mapping.size()));
  }
  return RegionSpan{found->second, mapping.data() + offset, length};
}

}  // namespace mlos::core::ipc
