// Downloads for Axon's hub adapters: small HTTP GETs for hub APIs (FetchUrl) and verified file
// downloads into a staging folder (DownloadFiles). Everything over libcurl, HTTP and HTTPS,
// following redirects (a redirect to another host drops the Authorization header, as the official
// hub clients do).
//
// DownloadFiles guarantees, for every file it reports done:
// - the bytes at `destination` are exactly the file: their size equals `size`, their sha256
//   equals `sha256` and their git blob id `git_blob_sha1` whenever the hub declared them (a
//   mismatch deletes the partial data and fails with InvalidArgument naming the URL, the expected
//   and the actual value);
// - it was written as `destination + ".part"` and renamed into place only once verified, so an
//   interrupted run (error, crash, kill -9) never leaves a wrong file at `destination`;
// - an interrupted download resumes: a `.part` file left by an earlier attempt or an earlier run
//   is continued with an HTTP Range request (restarted from zero if the server ignores the range
//   or the validator (ETag, else Last-Modified) changed); the journal `destination + ".part.meta"`
//   (small JSON: validator, size, per-part progress) says what `.part` holds, and a `.part`
//   without one is not continued;
// - files run in parallel (`parallel_files`), and a file of at least `part_bytes * 2` with a known
//   size, from a server that accepts ranges, downloads in `part_bytes` ranged parts in parallel
//   (each part resumable on its own); a one-byte ranged probe (`Range: bytes=0-0`) decides;
// - transient failures (connection errors, cuts, HTTP 408/429/5xx) are retried up to
//   `max_attempts` times with exponential back-off from `initial_backoff`, honouring a
//   `Retry-After` header (seconds or HTTP date, capped at `max_backoff`); a transfer that moves
//   no byte for `stall_timeout` (under 1 byte/s) is a stall and is retried; an attempt that moved
//   bytes before failing resets the count (a flaky link still finishes a big file);
// - HTTP 4xx other than 408/429 are not retried: 404 is NotFound, 401/403 FailedPrecondition
//   (saying a token may be needed), others InvalidArgument, each naming the URL and the status.
// Progress goes to `progress` (thread-safe callbacks from the transfer threads).
// Thread-safe: independent calls may run concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace mlos::axon {

struct HttpReply {
  long status = 0;
  std::map<std::string, std::string> headers{};  // lower-case names, of the final response
  std::string body{};
  std::string effective_url{};  // after redirects
};

// Extra request headers, e.g. {"Authorization", "Bearer hf_..."}.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct FetchOptions {
  HttpHeaders headers{};
  bool follow_redirects = true;
  bool head_only = false;  // HEAD instead of GET
  uint64_t max_body_bytes = 64ull << 20;
  int max_attempts = 5;  // transient failures retried as for downloads
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::seconds timeout{120};
};

// One GET (or HEAD). Returns the reply whatever its HTTP status after retries of transient
// failures; Unavailable naming the URL when no reply came.
StatusOr<HttpReply> FetchUrl(const std::string& url, const FetchOptions& options = {});

struct DownloadFile {
  std::string url{};
  std::string destination{};    // absolute path; its folder exists
  uint64_t size = 0;            // 0: not declared
  std::string sha256{};         // lower-case hex, empty: not declared
  std::string git_blob_sha1{};  // git's blob id (Hugging Face's files kept in git), empty: none
  std::string label{};          // for progress and errors, e.g. the file's path in the repository
};

struct DownloadOptions {
  HttpHeaders headers{};
  int parallel_files = 4;
  uint64_t part_bytes = 16ull << 20;
  int parallel_parts = 4;  // per file
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::seconds stall_timeout{30};
};

// Called as bytes arrive: the file's label, its bytes so far and its total (0 unknown).
using DownloadProgressFn =
    std::function<void(const std::string& label, uint64_t done, uint64_t total)>;

struct DownloadedFile {
  std::string destination{};
  uint64_t size = 0;
  std::string sha256{};  // computed from the bytes on disk
  // Bytes already on disk (from an earlier attempt or call) when the last request for each part
  // began: the bytes this call did not need to fetch again in the end.
  uint64_t resumed_bytes = 0;
};

// Downloads every file (see the contract above). On failure returns the first error; files
// already verified stay in place, partial ones stay as .part for the next attempt.
StatusOr<std::vector<DownloadedFile>> DownloadFiles(const std::vector<DownloadFile>& files,
                                                    const DownloadOptions& options,
                                                    const DownloadProgressFn& progress = {});

}  // namespace mlos::axon
