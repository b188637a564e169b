// Download progress: what `axon install` shows on a terminal while DownloadFiles (download.h)
// runs — one line per file in flight (name, bar, bytes done/total, percentage, rate) and a total
// line (files done/total, bytes, percentage, rate over a sliding window, ETA) — and the one-line
// summary left when every file arrived ("downloaded 3 files, 104.9 MiB in 2.1 s (49.8 MiB/s)").
//
// Two parts:
// - DownloadDisplay: the pure state -> lines of text. It is fed DownloadProgressFn's reports with
//   the time, and formats lines for a given width. A file's first report gives the bytes already
//   on disk (a resumed .part): they count towards done and the percentage but not the rate. A
//   report below the previous one (the server ignored the range, or the file changed: a restart
//   from zero) starts the file's count again; retries that continue just go on. A file is done
//   when its known size is reached; a file of unknown size (0 declared and none learned) shows
//   bytes and rate only, and is counted done once every file of known size is. Not thread-safe.
// - DownloadProgress: the adapter hub installs construct. Its Callback() is safe to call from
//   DownloadFiles' transfer threads (one mutex), redraws the Progress block at most 10 times a
//   second, and its destructor leaves the summary line when every file arrived (the block itself
//   is erased by Progress::Clear, or by the summary). With a disabled Progress it does nothing.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "axon/download.h"
#include "axon/hubs/remote_model.h"
#include "axon/progress.h"
#include "axon/progress_format.h"

namespace mlos::axon {

class DownloadDisplay {
 public:
  struct File {
    std::string label{};
    uint64_t size = 0;  // declared; 0 unknown
  };
  // At most this many file lines; more files in flight are summed up on one line.
  static constexpr size_t kMaxFileLines = 8;

  DownloadDisplay(const std::vector<File>& files, ProgressClock::time_point start);

  // One report from DownloadProgressFn. Labels that are not among the files are added.
  void Update(const std::string& label, uint64_t done, uint64_t total,
              ProgressClock::time_point now);

  // The file lines of the files in flight (in the order they started) and the total line, each at
  // most `width` columns.
  std::vector<std::string> Lines(ProgressClock::time_point now, size_t width) const;
  // "downloaded 3 files, 104.9 MiB in 2.1 s (49.8 MiB/s)", plus ", 12.0 MiB resumed" inside the
  // parentheses when bytes were already on disk.
  std::string Summary(ProgressClock::time_point now) const;
  // Every file of known size is done and every file of unknown size reported.
  bool AllArrived() const;

 private:
  struct State {
    std::string label;
    uint64_t size = 0;           // declared or reported; 0 unknown
    uint64_t done = 0;           // bytes on disk now
    uint64_t resumed = 0;        // bytes on disk at the first report
    uint64_t moved = 0;          // bytes transferred by this run, restarts included
    bool seen = false;           // reported at least once
    uint64_t started_order = 0;  // when it was first seen, for the line order
    RateWindow rate{};
  };
  bool Done(const State& file) const {
    return file.seen && file.size != 0 && file.done >= file.size;
  }
  uint64_t TotalBytes() const;  // 0 when any file's size is unknown
  uint64_t DoneBytes() const;
  uint64_t MovedBytes() const;

  ProgressClock::time_point start_;
  std::vector<State> files_;
  std::map<std::string, size_t> index_;  // label -> files_
  uint64_t next_order_ = 0;
  RateWindow total_rate_{};
};

class DownloadProgress {
 public:
  DownloadProgress(Progress& progress, const std::vector<RemoteFile>& files);
  ~DownloadProgress();
  DownloadProgress(const DownloadProgress&) = delete;
  DownloadProgress& operator=(const DownloadProgress&) = delete;

  // For DownloadFiles; refers to this object, which must outlive the download.
  DownloadProgressFn Callback();

 private:
  Progress& progress_;
  std::mutex mutex_;
  DownloadDisplay display_;
  ProgressClock::time_point last_draw_{};
};

}  // namespace mlos::axon
