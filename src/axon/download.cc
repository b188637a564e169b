#include "axon/download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "axon/http_exchange.h"
#include "axon/sha256.h"

namespace mlos::axon {
namespace {

using http::ExchangeOutcome;

// How often (in bytes moved per file) a ranged download records its parts' progress.
constexpr uint64_t kJournalEveryBytes = 4ull << 20;
// How many times a file restarts from zero within one call (validator changed, range ignored).
constexpr int kMaxRestarts = 2;
// How much of an error response's body goes into an error message.
constexpr size_t kErrorBodyBytes = 512;

std::string ErrnoText() { return std::strerror(errno); }

std::string ValidatorOf(const http::ResponseHead& head) {
  auto etag = head.headers.find("etag");
  if (etag != head.headers.end()) {
    std::string value = etag->second;
    if (value.starts_with("W/")) value.erase(0, 2);
    return "etag:" + value;
  }
  auto modified = head.headers.find("last-modified");
  return modified != head.headers.end() ? "last-modified:" + modified->second : "";
}

// "bytes first-last/total" or "bytes */total"; total is 0 when "*".
struct ContentRange {
  std::optional<uint64_t> first{};
  uint64_t total = 0;
};

std::optional<ContentRange> ParseContentRange(const http::ResponseHead& head) {
  auto found = head.headers.find("content-range");
  if (found == head.headers.end() || !found->second.starts_with("bytes ")) return std::nullopt;
  const std::string value = found->second.substr(6);
  const size_t slash = value.find('/');
  if (slash == std::string::npos) return std::nullopt;
  ContentRange range;
  const std::string total = value.substr(slash + 1);
  if (total != "*") range.total = std::strtoull(total.c_str(), nullptr, 10);
  if (value[0] != '*') range.first = std::strtoull(value.c_str(), nullptr, 10);
  return range;
}

std::optional<uint64_t> ContentLength(const http::ResponseHead& head) {
  auto found = head.headers.find("content-length");
  if (found == head.headers.end()) return std::nullopt;
  return std::strtoull(found->second.c_str(), nullptr, 10);
}

std::optional<std::chrono::milliseconds> RetryAfterOf(const http::ResponseHead& head) {
  auto found = head.headers.find("retry-after");
  if (found == head.headers.end()) return std::nullopt;
  return http::ParseRetryAfter(found->second, std::chrono::system_clock::now());
}

bool EqualsIgnoringCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A byte range of the file downloaded by one request at a time; `done` bytes from `start` are
// on disk. length 0: to the end of a file of unknown size (the single part of a plain stream).
struct Part {
  uint64_t start = 0;
  uint64_t length = 0;
  std::atomic<uint64_t> done{0};
  uint64_t resumed = 0;  // `done` when the last request for it began
};

// How one attempt at a part ended.
struct AttemptResult {
  enum Kind { kDone, kTransient, kFatal, kRestart, kCancelled } kind = kDone;
  Status status{};  // for kTransient (the last error) and kFatal
  std::optional<std::chrono::milliseconds> retry_after{};
  bool made_progress = false;
};

// The journal `<destination>.part.meta`: what the bytes in `.part` belong to. Written before
// any byte of a response goes to `.part`, so a `.part` without it is not ours to continue.
struct Journal {
  std::string validator{};       // ETag (or Last-Modified) of the response the bytes came from
  uint64_t size = 0;             // the file's total size, 0 unknown
  uint64_t part_bytes = 0;       // 0: one sequential stream, `.part`'s length is its progress
  std::vector<uint64_t> done{};  // per part, for ranged downloads
};

std::optional<Journal> ReadJournal(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_object()) return std::nullopt;
  Journal journal;
  journal.validator = json.value("validator", "");
  journal.size = json.value("size", uint64_t{0});
  journal.part_bytes = json.value("part_bytes", uint64_t{0});
  if (json.contains("done") && json["done"].is_array()) {
    for (const auto& done : json["done"]) {
      if (!done.is_number_unsigned()) return std::nullopt;
      journal.done.push_back(done.get<uint64_t>());
    }
  }
  return journal;
}

Status WriteJournal(const std::string& path, const Journal& journal) {
  nlohmann::json json = {{"validator", journal.validator},
                         {"size", journal.size},
                         {"part_bytes", journal.part_bytes},
                         {"done", journal.done}};
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << json.dump();
    if (!out.flush()) return Internal("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return Internal("cannot rename " + temporary + ": " + ErrnoText());
  }
  return Status::Ok();
}

class FileDownload {
 public:
  FileDownload(const DownloadFile& file, const DownloadOptions& options,
               const DownloadProgressFn& progress, const std::atomic<bool>& cancel_all)
      : file_(file),
        options_(options),
        progress_(progress),
        cancel_all_(cancel_all),
        part_path_(file.destination + ".part"),
        journal_path_(file.destination + ".part.meta") {}
  ~FileDownload() { CloseFile(); }

  StatusOr<DownloadedFile> Run();

 private:
  // What the file is: its size when known and whether its server serves ranges.
  struct Probe {
    bool ranged = false;
    uint64_t size = 0;
    std::string validator{};
  };

  std::string What() const {
    return (file_.label.empty() ? "" : file_.label + " (") + file_.url +
           (file_.label.empty() ? "" : ")");
  }
  bool Cancelled() const { return cancel_all_.load() || stop_parts_.load(); }

  StatusOr<Probe> ProbeRanges();
  void PlanParts(const Probe& probe);
  Status ResumeFromDisk(const Probe& probe);
  Status OpenFile();
  void CloseFile();
  void DiscardPartial();
  Status SaveJournal();
  Status RunParts();
  Status RunPart(Part& part);
  AttemptResult AttemptPart(Part& part);
  uint64_t DoneBytes() const;
  void ReportProgress() const;
  StatusOr<DownloadedFile> Verify();

  const DownloadFile& file_;
  const DownloadOptions& options_;
  const DownloadProgressFn& progress_;
  const std::atomic<bool>& cancel_all_;
  const std::string part_path_;
  const std::string journal_path_;

  int fd_ = -1;
  bool ranged_ = false;
  std::atomic<bool> ranges_ignored_{false};  // a server answered 200 to a part's Range request
  uint64_t size_ = 0;                        // declared or learned total, 0 unknown
  std::string validator_;  // of the bytes in .part, empty: none yet (or none sent)
  std::vector<std::unique_ptr<Part>> parts_;
  std::atomic<bool> stop_parts_{false};
  std::atomic<bool> restart_from_zero_{false};
  std::mutex journal_mutex_;
  std::atomic<uint64_t> journaled_at_{0};  // DoneBytes() at the last journal write
};

StatusOr<DownloadedFile> FileDownload::Run() {
  for (int restart = 0;; ++restart) {
    stop_parts_ = false;
    restart_from_zero_ = false;
    Probe probe;
    probe.size = file_.size;
    if (!ranges_ignored_ && options_.parallel_parts > 1 && options_.part_bytes > 0 &&
        file_.size >= options_.part_bytes * 2) {
      ASSIGN_OR_RETURN(probe, ProbeRanges());
    }
    size_ = probe.size;
    PlanParts(probe);
    RETURN_IF_ERROR(ResumeFromDisk(probe));
    RETURN_IF_ERROR(OpenFile());
    ReportProgress();
    const Status status = RunParts();
    if (status.ok()) return Verify();
    if (!restart_from_zero_.load() || cancel_all_.load()) {
      if (DoneBytes() == 0) {  // nothing worth keeping: leave no empty .part behind
        CloseFile();
        DiscardPartial();
      }
      return status;
    }
    // The bytes on disk cannot be continued (validator changed, range ignored): start again.
    if (restart == kMaxRestarts) {
      return Unavailable(What() + ": the file changed on the server during the download " +
                         std::to_string(kMaxRestarts) + " times");
    }
    CloseFile();
    DiscardPartial();
  }
}

StatusOr<FileDownload::Probe> FileDownload::ProbeRanges() {
  // One byte asked for: a 206 tells that ranges work, the total size and the validator; any
  // other answer is aborted at its head (never read a whole body to learn this).
  Probe probe;
  probe.size = file_.size;
  for (int failures = 0;;) {
    http::ResponseHead head;
    http::ExchangeRequest request{.url = file_.url,
                                  .headers = options_.headers,
                                  .range = "0-0",
                                  .stall_timeout = options_.stall_timeout,
                                  .is_cancelled = [this] { return Cancelled(); }};
    http::ResponseSink sink{.on_head = [&](const http::ResponseHead& h) {
      head = h;
      return h.status == 206;
    }};
    const http::ExchangeResult result = http::Exchange(request, sink);
    if (result.outcome == ExchangeOutcome::kCancelled) return Unavailable(What() + ": cancelled");
    if (result.outcome == ExchangeOutcome::kFatalError) {
      return InvalidArgument(What() + ": " + result.error);
    }
    Status failure;
    std::optional<std::chrono::milliseconds> retry_after;
    if (result.outcome == ExchangeOutcome::kTransientError) {
      failure = Unavailable(What() + ": " + result.error);
    } else if (head.status == 206) {
      const std::optional<ContentRange> range = ParseContentRange(head);
      if (range && range->total > 0) {
        if (file_.size != 0 && range->total != file_.size) {
          return InvalidArgument(What() + ": size mismatch: expected " +
                                 std::to_string(file_.size) + " bytes, the server has " +
                                 std::to_string(range->total));
        }
        probe.ranged = true;
        probe.size = range->total;
        probe.validator = ValidatorOf(head);
      }
      return probe;
    } else if (head.status >= 200 && head.status < 300) {
      return probe;  // ranges ignored: one stream
    } else if (http::IsTransientHttpStatus(head.status)) {
      failure = http::StatusForHttpError(head.status, What());
      retry_after = RetryAfterOf(head);
    } else {
      return http::StatusForHttpError(head.status, What());
    }
    if (++failures >= options_.max_attempts) {
      return Unavailable(failure.message() + " (after " + std::to_string(failures) + " attempts)");
    }
    if (!http::SleepUnlessCancelled(http::BackoffDelay(failures, options_.initial_backoff,
                                                       options_.max_backoff, retry_after),
                                    [this] { return Cancelled(); })) {
      return Unavailable(What() + ": cancelled");
    }
  }
}

void FileDownload::PlanParts(const Probe& probe) {
  parts_.clear();
  ranged_ = probe.ranged;
  if (!ranged_) {
    parts_.push_back(std::make_unique<Part>());
    return;
  }
  for (uint64_t start = 0; start < probe.size; start += options_.part_bytes) {
    auto part = std::make_unique<Part>();
    part->start = start;
    part->length = std::min(options_.part_bytes, probe.size - start);
    parts_.push_back(std::move(part));
  }
}

// Carries the progress of an earlier attempt over to the planned parts, or discards it when it
// cannot be trusted (no journal, another file size, another validator).
Status FileDownload::ResumeFromDisk(const Probe& probe) {
  validator_ = probe.validator;
  struct stat info {};
  if (::stat(part_path_.c_str(), &info) != 0) {
    std::remove(journal_path_.c_str());
    return Status::Ok();
  }
  const std::optional<Journal> journal = ReadJournal(journal_path_);
  const bool matches = journal && !(journal->size != 0 && size_ != 0 && journal->size != size_) &&
                       !(ranged_ && journal->validator != probe.validator);
  if (!matches) {
    DiscardPartial();
    validator_ = probe.validator;
    return Status::Ok();
  }
  validator_ = journal->validator;
  // The bytes present from offset 0 on, in whatever layout the earlier attempt used.
  uint64_t prefix = static_cast<uint64_t>(info.st_size);
  if (journal->part_bytes != 0) {
    if (journal->part_bytes == options_.part_bytes && ranged_ &&
        journal->done.size() == parts_.size()) {
      for (size_t i = 0; i < parts_.size(); ++i) {
        parts_[i]->done = std::min(journal->done[i], parts_[i]->length);
      }
      return Status::Ok();
    }
    prefix = 0;
    for (size_t i = 0; i < journal->done.size(); ++i) {
      prefix += journal->done[i];
      if (journal->done[i] < journal->part_bytes) break;
    }
    prefix = std::min<uint64_t>(prefix, static_cast<uint64_t>(info.st_size));
  }
  for (auto& part : parts_) {
    if (prefix <= part->start) break;
    part->done = part->length == 0 ? prefix : std::min(prefix - part->start, part->length);
  }
  if (!ranged_ && static_cast<uint64_t>(info.st_size) > prefix &&
      ::truncate(part_path_.c_str(), static_cast<off_t>(prefix)) != 0) {
    return Internal("cannot truncate " + part_path_ + ": " + ErrnoText());
  }
  return Status::Ok();
}

Status FileDownload::OpenFile() {
  CloseFile();
  fd_ = ::open(part_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return Internal("cannot open " + part_path_ + ": " + ErrnoText());
  for (auto& part : parts_) part->resumed = part->done;
  journaled_at_ = DoneBytes();
  if (ranged_) return SaveJournal();  // single streams journal at their response's head
  return Status::Ok();
}

void FileDownload::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void FileDownload::DiscardPartial() {
  std::remove(part_path_.c_str());
  std::remove(journal_path_.c_str());
  validator_.clear();
  for (auto& part : parts_) part->done = 0;
}

Status FileDownload::SaveJournal() {
  std::lock_guard lock(journal_mutex_);
  Journal journal{.validator = validator_, .size = size_};
  if (ranged_) {
    journal.part_bytes = options_.part_bytes;
    for (const auto& part : parts_) journal.done.push_back(part->done.load());
  }
  journaled_at_ = DoneBytes();
  return WriteJournal(journal_path_, journal);
}

uint64_t FileDownload::DoneBytes() const {
  uint64_t done = 0;
  for (const auto& part : parts_) done += part->done.load();
  return done;
}

void FileDownload::ReportProgress() const {
  if (progress_) progress_(file_.label.empty() ? file_.url : file_.label, DoneBytes(), size_);
}

Status FileDownload::RunParts() {
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  Status first_error;
  auto worker = [&] {
    for (size_t i = next++; i < parts_.size() && !Cancelled(); i = next++) {
      Status status = RunPart(*parts_[i]);
      if (!status.ok()) {
        std::lock_guard lock(error_mutex);
        if (first_error.ok()) first_error = std::move(status);
        stop_parts_ = true;
      }
    }
  };
  const size_t workers =
      std::min<size_t>(parts_.size(), static_cast<size_t>(std::max(1, options_.parallel_parts)));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();
  if (ranged_) RETURN_IF_ERROR(SaveJournal());
  if (first_error.ok() && cancel_all_.load()) return Unavailable(What() + ": cancelled");
  return first_error;
}

// Requests a part until it is complete, retrying transient failures. Sets restart_from_zero_
// (and fails) when the bytes on disk cannot be continued.
Status FileDownload::RunPart(Part& part) {
  for (int failures = 0;;) {
    const uint64_t end = ranged_ ? part.length : size_;  // 0: unknown
    if (end != 0 && part.done.load() >= end) return Status::Ok();
    const AttemptResult result = AttemptPart(part);
    if (ranged_) {
      if (Status saved = SaveJournal(); !saved.ok()) return saved;
    }
    switch (result.kind) {
      case AttemptResult::kDone:
        return Status::Ok();
      case AttemptResult::kFatal:
        return result.status;
      case AttemptResult::kRestart:
        restart_from_zero_ = true;
        return Unavailable(What() + ": the partial download cannot be continued");
      case AttemptResult::kCancelled:
        return Unavailable(What() + ": cancelled");
      case AttemptResult::kTransient:
        break;
    }
    // An attempt that moved bytes resets the count: a flaky link still finishes a big file.
    failures = result.made_progress ? 1 : failures + 1;
    if (failures >= options_.max_attempts) {
      return Unavailable(result.status.message() + " (after " +
                         std::to_string(options_.max_attempts) + " attempts)");
    }
    if (!http::SleepUnlessCancelled(http::BackoffDelay(failures, options_.initial_backoff,
                                                       options_.max_backoff, result.retry_after),
                                    [this] { return Cancelled(); })) {
      return Unavailable(What() + ": cancelled");
    }
  }
}

AttemptResult FileDownload::AttemptPart(Part& part) {
  const bool single = !ranged_;
  part.resumed = part.done.load();
  const uint64_t first = part.start + part.done.load();
  std::string range;
  if (single && first > 0) range = std::to_string(first) + "-";
  if (!single) range = std::to_string(first) + "-" + std::to_string(part.start + part.length - 1);
  const uint64_t limit = single ? size_ : part.start + part.length;  // 0: no limit known

  long status = 0;
  uint64_t offset = first;
  std::string error_body;
  AttemptResult abort;  // why the sink stopped the transfer
  auto on_head = [&](const http::ResponseHead& head) {
    status = head.status;
    if (status < 200 || status >= 300) return true;  // its body only goes into the error
    const std::string validator = ValidatorOf(head);
    if (status == 206) {
      const std::optional<ContentRange> content_range = ParseContentRange(head);
      if (!content_range || content_range->first != first || range.empty()) {
        abort = {AttemptResult::kRestart, {}, {}, false};
        return false;
      }
      if (size_ != 0 && content_range->total != 0 && content_range->total != size_) {
        abort = {AttemptResult::kFatal,
                 InvalidArgument(What() + ": size mismatch: expected " + std::to_string(size_) +
                                 " bytes, the server has " + std::to_string(content_range->total)),
                 {},
                 false};
        return false;
      }
      if (validator != validator_) {
        abort = {AttemptResult::kRestart, {}, {}, false};
        return false;
      }
      return true;
    }
    // 200: the whole file from its first byte.
    if (!single) {
      ranges_ignored_ = true;
      abort = {AttemptResult::kRestart, {}, {}, false};
      return false;
    }
    const std::optional<uint64_t> length = ContentLength(head);
    if (size_ != 0 && length && *length != size_) {
      abort = {AttemptResult::kFatal,
               InvalidArgument(What() + ": size mismatch: expected " + std::to_string(size_) +
                               " bytes, the server sends " + std::to_string(*length)),
               {},
               false};
      return false;
    }
    if (first > 0 && ::ftruncate(fd_, 0) != 0) {
      abort = {AttemptResult::kFatal,
               Internal("cannot truncate " + part_path_ + ": " + ErrnoText()),
               {},
               false};
      return false;
    }
    offset = 0;
    part.done = 0;
    part.resumed = 0;
    validator_ = validator;
    if (Status saved = SaveJournal(); !saved.ok()) {
      abort = {AttemptResult::kFatal, saved, {}, false};
      return false;
    }
    return true;
  };
  auto on_body = [&](std::string_view chunk) {
    if (status < 200 || status >= 300) {
      error_body.append(
          chunk.substr(0, kErrorBodyBytes - std::min(kErrorBodyBytes, error_body.size())));
      return true;
    }
    if (limit != 0 && offset + chunk.size() > limit) {
      abort = {AttemptResult::kFatal,
               InvalidArgument(What() + ": size mismatch: the server sends more than the " +
                               std::to_string(single ? size_ : part.length) +
                               (single ? " bytes declared" : " bytes asked for")),
               {},
               false};
      return false;
    }
    for (size_t written = 0; written < chunk.size();) {
      const ssize_t n = ::pwrite(fd_, chunk.data() + written, chunk.size() - written,
                                 static_cast<off_t>(offset + written));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        abort = {AttemptResult::kFatal,
                 Internal("cannot write " + part_path_ + ": " + ErrnoText()),
                 {},
                 false};
        return false;
      }
      written += static_cast<size_t>(n);
    }
    offset += chunk.size();
    part.done += chunk.size();
    ReportProgress();
    if (ranged_ && DoneBytes() - journaled_at_ >= kJournalEveryBytes) {
      if (Status saved = SaveJournal(); !saved.ok()) {
        abort = {AttemptResult::kFatal, saved, {}, false};
        return false;
      }
    }
    return true;
  };

  const http::ExchangeRequest request{.url = file_.url,
                                      .headers = options_.headers,
                                      .range = range,
                                      .stall_timeout = options_.stall_timeout,
                                      .is_cancelled = [this] { return Cancelled(); }};
  const http::ExchangeResult result = http::Exchange(request, {on_head, on_body});
  const bool moved = part.done.load() > part.resumed;
  switch (result.outcome) {
    case ExchangeOutcome::kAbortedBySink:
      abort.made_progress = moved;
      return abort;
    case ExchangeOutcome::kCancelled:
      return {AttemptResult::kCancelled, {}, {}, moved};
    case ExchangeOutcome::kFatalError:
      return {AttemptResult::kFatal, InvalidArgument(What() + ": " + result.error), {}, moved};
    case ExchangeOutcome::kTransientError:
      return {AttemptResult::kTransient, Unavailable(What() + ": " + result.error), {}, moved};
    case ExchangeOutcome::kResponse:
      break;
  }
  if (status >= 200 && status < 300) {
    if (part.length != 0 && part.done.load() < part.length) {
      return {
          AttemptResult::kTransient, Unavailable(What() + ": the response ended early"), {}, moved};
    }
    return {AttemptResult::kDone, {}, {}, moved};
  }
  if (status == 416 && single && first > 0) {
    // The .part may already hold the whole file (an earlier run stopped before the rename).
    const std::optional<ContentRange> content_range = ParseContentRange(result.head);
    if (content_range && content_range->total == first && (size_ == 0 || size_ == first)) {
      return {AttemptResult::kDone, {}, {}, false};
    }
    return {AttemptResult::kRestart, {}, {}, false};
  }
  std::string detail = error_body.empty() ? "" : ": " + error_body;
  if (http::IsTransientHttpStatus(status)) {
    return {AttemptResult::kTransient,
            Unavailable(http::StatusForHttpError(status, What()).message() + detail),
            RetryAfterOf(result.head), moved};
  }
  if (status >= 300 && status < 400) {
    return {AttemptResult::kFatal,
            InvalidArgument(What() + ": HTTP " + std::to_string(status) + " without a location"),
            {},
            false};
  }
  const Status error = http::StatusForHttpError(status, What());
  return {AttemptResult::kFatal, Status(error.code(), error.message() + detail), {}, false};
}

StatusOr<DownloadedFile> FileDownload::Verify() {
  struct stat info {};
  if (::fstat(fd_, &info) != 0) return Internal("cannot stat " + part_path_ + ": " + ErrnoText());
  const uint64_t size = static_cast<uint64_t>(info.st_size);
  if (file_.size != 0 && size != file_.size) {
    CloseFile();
    DiscardPartial();
    return InvalidArgument(What() + ": size mismatch: expected " + std::to_string(file_.size) +
                           " bytes, got " + std::to_string(size));
  }
  GitBlobSha1 git_hasher(size);
  StatusOr<std::string> sha256 = Sha256File(part_path_, {}, [&](std::span<const std::byte> chunk) {
    if (!file_.git_blob_sha1.empty()) git_hasher.Update(chunk);
    return Status::Ok();
  });
  if (!sha256.ok()) return sha256.status();
  const auto mismatch = [&](const char* what, const std::string& expected,
                            const std::string& actual) {
    CloseFile();
    DiscardPartial();
    return InvalidArgument(What() + ": " + what + " mismatch: expected " + expected + ", got " +
                           actual);
  };
  if (!file_.sha256.empty() && !EqualsIgnoringCase(*sha256, file_.sha256)) {
    return mismatch("sha256", file_.sha256, *sha256);
  }
  if (!file_.git_blob_sha1.empty()) {
    const std::string blob_id = git_hasher.FinishHex();
    if (!EqualsIgnoringCase(blob_id, file_.git_blob_sha1)) {
      return mismatch("git blob sha1", file_.git_blob_sha1, blob_id);
    }
  }
  if (::fsync(fd_) != 0) return Internal("cannot sync " + part_path_ + ": " + ErrnoText());
  CloseFile();
  if (std::rename(part_path_.c_str(), file_.destination.c_str()) != 0) {
    return Internal("cannot rename " + part_path_ + " to " + file_.destination + ": " +
                    ErrnoText());
  }
  std::remove(journal_path_.c_str());
  DownloadedFile done{.destination = file_.destination, .size = size, .sha256 = *sha256};
  for (const auto& part : parts_) done.resumed_bytes += part->resumed;
  return done;
}

}  // namespace

StatusOr<HttpReply> FetchUrl(const std::string& url, const FetchOptions& options) {
  for (int failures = 0;;) {
    HttpReply reply;
    bool too_large = false;
    http::ResponseSink sink{.on_body = [&](std::string_view chunk) {
      if (reply.body.size() + chunk.size() > options.max_body_bytes) {
        too_large = true;
        return false;
      }
      reply.body.append(chunk);
      return true;
    }};
    const http::ExchangeRequest request{.url = url,
                                        .headers = options.headers,
                                        .head_only = options.head_only,
                                        .follow_redirects = options.follow_redirects,
                                        .timeout = options.timeout};
    http::ExchangeResult result = http::Exchange(request, sink);
    if (too_large) {
      return InvalidArgument(url + ": the reply is larger than " +
                             std::to_string(options.max_body_bytes) + " bytes");
    }
    std::optional<std::chrono::milliseconds> retry_after;
    std::string failure;
    switch (result.outcome) {
      case ExchangeOutcome::kResponse:
        if (!http::IsTransientHttpStatus(result.head.status) ||
            failures + 1 >= options.max_attempts) {
          reply.status = result.head.status;
          reply.headers = std::move(result.head.headers);
          reply.effective_url = std::move(result.head.url);
          return reply;
        }
        retry_after = RetryAfterOf(result.head);
        break;
      case ExchangeOutcome::kFatalError:
        return InvalidArgument(url + ": " + result.error);
      case ExchangeOutcome::kTransientError:
      case ExchangeOutcome::kAbortedBySink:
      case ExchangeOutcome::kCancelled:
        failure = result.error;
        break;
    }
    if (++failures >= options.max_attempts) {
      return Unavailable("no reply from " + url + " after " + std::to_string(failures) +
                         " attempts: " + failure);
    }
    http::SleepUnlessCancelled(
        http::BackoffDelay(failures, options.initial_backoff, options.max_backoff, retry_after),
        {});
  }
}

StatusOr<std::vector<DownloadedFile>> DownloadFiles(const std::vector<DownloadFile>& files,
                                                    const DownloadOptions& options,
                                                    const DownloadProgressFn& progress) {
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].url.empty() || files[i].destination.empty()) {
      return InvalidArgument("download " + std::to_string(i) + " has no URL or no destination");
    }
    for (size_t j = 0; j < i; ++j) {
      if (files[j].destination == files[i].destination) {
        return InvalidArgument("two downloads write " + files[i].destination);
      }
    }
  }
  std::vector<DownloadedFile> done(files.size());
  std::atomic<bool> cancel_all{false};
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  Status first_error;
  auto worker = [&] {
    for (size_t i = next++; i < files.size() && !cancel_all.load(); i = next++) {
      StatusOr<DownloadedFile> file = FileDownload(files[i], options, progress, cancel_all).Run();
      if (file.ok()) {
        done[i] = std::move(file).value();
        continue;
      }
      std::lock_guard lock(error_mutex);
      if (first_error.ok()) first_error = file.status();
      cancel_all = true;
    }
  };
  const size_t workers =
      std::min<size_t>(files.size(), static_cast<size_t>(std::max(1, options.parallel_files)));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();
  if (!first_error.ok()) return first_error;
  return done;
}

}  // namespace mlos::axon
