// The shared-memory regions of one IPC connection (docs/ipc.md, "Shared-memory regions").
//
// Register() maps `size` bytes of a client's descriptor shared and read-write (sealing it against
// shrinking when the object allows, see ipc_guarded_copy.h) and gives the region an id unique on
// the connection; the table holds at most kMaxRegions regions and
// kMaxMappedBytes bytes. A region stays mapped while the table lists it or a request still holds
// a window of it (RegionSpan keeps the mapping alive), so unregistering or closing the
// connection under a running inference is safe. Window() checks [offset, offset + length)
// against the region without overflow.
//
// A RegionTable belongs to its connection's reader thread (not synchronised); RegionSpans may be
// used from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "common/status.h"

namespace mlos::core::ipc {

inline constexpr size_t kMaxRegions = 64;
inline constexpr uint64_t kMaxMappedBytes = uint64_t{64} << 30;

// One mmap, unmapped when the last owner lets go.
class MappedRegion {
 public:
  MappedRegion(std::byte* data, uint64_t size, bool sealed)
      : data_(data), size_(size), sealed_(sealed) {}
  ~MappedRegion();
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;

  std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }
  // Sealed against shrinking: its pages cannot go away, so it may be read in place.
  bool sealed() const { return sealed_; }

 private:
  std::byte* data_;
  uint64_t size_;
  bool sealed_;
};

// Bytes of a region, with the mapping they live in.
struct RegionSpan {
  std::shared_ptr<MappedRegion> mapping;
  std::byte* data = nullptr;
  uint64_t size = 0;
};

class RegionTable {
 public:
  // Maps `size` bytes of `fd` and returns the new region's id. Always closes `fd`.
  // InvalidArgument: size 0 or over the object's size, not mappable, over kMaxRegions or
  // kMaxMappedBytes.
  StatusOr<uint32_t> Register(int fd, uint64_t size);
  // NotFound naming the id.
  Status Unregister(uint32_t region);
  // [offset, offset + length) of the region. NotFound for an unknown region, InvalidArgument
  // (naming the region's size) for a window outside it.
  StatusOr<RegionSpan> Window(uint32_t region, uint64_t offset, uint64_t length) const;

  size_t count() const { return regions_.size(); }
  uint64_t mapped_bytes() const { return mapped_bytes_; }

 private:
  std::map<uint32_t, std::shared_ptr<MappedRegion>> regions_;
  uint64_t mapped_bytes_ = 0;
  uint32_t next_id_ = 1;
};

}  // namespace mlos::core::ipc
