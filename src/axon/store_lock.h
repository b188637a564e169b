// StoreLock: an advisory lock (flock) on <home>/cache/tmp.lock that keeps `axon cache clean` and
// `axon cache prune` away from installs in progress.
//
// Anything that stages data in <home>/cache/tmp/ or adds blobs an unpublished tree will link to
// (Store::Install, downloads into tmp/) holds a shared lock for as long as that data is in flight;
// any number of such holders run at once. Clean and prune take the exclusive lock, so they only
// ever see leftovers of installs that are no longer running (a killed process's lock is released
// by the kernel). The lock is released when the object is destroyed. Move-only.
//
// Exclusive() locks any other file of the store the same way: a hub install holds one per model
// and revision, so two installs of the same model take turns over its staging folder.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"

namespace mlos::axon {

class StoreLock {
 public:
  // Blocks until the shared lock is held. Internal if the lock file cannot be opened.
  static StatusOr<StoreLock> Shared(const std::string& home);
  // Does not block: Unavailable ("an install is in progress") while anyone holds the lock.
  static StatusOr<StoreLock> TryExclusive(const std::string& home);
  // Blocks until the exclusive lock on the file `path` (created, with its folder, if missing) is
  // held; calls `on_wait` first when someone else holds it. Internal if it cannot be opened.
  static StatusOr<StoreLock> Exclusive(const std::string& path,
                                       const std::function<void()>& on_wait = {});

  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&& other) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mlos::axon
