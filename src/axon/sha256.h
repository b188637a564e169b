// SHA-256 with OpenSSL's EVP interface: an incremental hasher and a streaming file hash.
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
  struct Context;
  std::unique_ptr<Context> context_;
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
