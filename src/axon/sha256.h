// SHA-256 with OpenSSL's EVP interface: an incremental hasher and a streaming file hash; and git's
// blob id (SHA-1), which Hugging Face declares for the files it keeps in git rather than LFS.
//
// Digests are returned as 64 lowercase hex digits, the form manifests and the blob store use.
// A Sha256 object is not thread-safe; use one per stream.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

namespace mlos::axon {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::span<const std::byte> bytes);
  // The digest of everything updated so far. REQUIRES: called once, last.
  std::string FinishHex();

 private:
  friend class GitBlobSha1;
  explicit Sha256(bool git_blob_sha1);
  struct Context;
  std::unique_ptr<Context> context_;
};

// Git's blob id of `size` bytes of content streamed through Update: the SHA-1 of
// "blob <size>\0" followed by the content.
class GitBlobSha1 {
 public:
  explicit GitBlobSha1(uint64_t size);
  void Update(std::span<const std::byte> bytes) { hasher_.Update(bytes); }
  // REQUIRES: called once, last.
  std::string FinishHex() { return hasher_.FinishHex(); }

 private:
  Sha256 hasher_;  // set up with SHA-1
};

// Called after each chunk with the bytes done so far.
using ByteProgress = std::function<void(uint64_t bytes_done)>;
// Called with each chunk read; a non-OK status stops the read and is returned.
using ChunkSink = std::function<Status(std::span<const std::byte> chunk)>;

// Hashes the file at `path` in fixed-size chunks (constant memory). Each chunk also goes to
// `sink` when given (to copy a file while hashing it). Errors name the file.
StatusOr<std::string> Sha256File(const std::string& path, const ByteProgress& progress = {},
                                 const ChunkSink& sink = {});

}  // namespace mlos::axon
