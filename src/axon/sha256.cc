#include "axon/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace mlos::axon {

struct Sha256::Context {
  EVP_MD_CTX* md = nullptr;
};

Sha256::Sha256() : Sha256(false) {}

Sha256::Sha256(bool git_blob_sha1) : context_(std::make_unique<Context>()) {
  context_->md = EVP_MD_CTX_new();
  // Only allocation can fail here; treat it like any other out-of-memory condition.
  const EVP_MD* algorithm = git_blob_sha1 ? EVP_sha1() : EVP_sha256();
  if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, algorithm, nullptr) != 1) {
    throw std::bad_alloc();
  }
}

GitBlobSha1::GitBlobSha1(uint64_t size) : hasher_(true) {
  const std::string header = "blob " + std::to_string(size);
  hasher_.Update(std::as_bytes(std::span(header.data(), header.size() + 1)));  // with its '\0'
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_->md); }

void Sha256::Update(std::span<const std::byte> bytes) {
  EVP_DigestUpdate(context_->md, bytes.data(), bytes.size());
}

std::string Sha256::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->md, digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

StatusOr<std::string> Sha256File(const std::string& path, const ByteProgress& progress,
                                 const ChunkSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path + ": " + std::strerror(errno));
  Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  uint64_t done = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got <= 0) break;
    const std::span<const std::byte> chunk =
        std::as_bytes(std::span(buffer.data(), static_cast<size_t>(got)));
    hasher.Update(chunk);
    if (sink) RETURN_IF_ERROR(sink(chunk));
    done += static_cast<uint64_t>(got);
    if (progress) progress(done);
  }
  if (in.bad()) return Internal("cannot read " + path + ": " + std::strerror(errno));
  return hasher.FinishHex();
}

}  // namespace mlos::axon
