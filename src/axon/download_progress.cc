#include "axon/download_progress.h"

#include <algorithm>

namespace mlos::axon {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::vector<DownloadDisplay::File> FilesOf(const std::vector<RemoteFile>& files) {
  std::vector<DownloadDisplay::File> listed;
  for (const RemoteFile& file : files) listed.push_back({file.path, file.size});
  return listed;
}

}  // namespace

DownloadDisplay::DownloadDisplay(const std::vector<File>& files, ProgressClock::time_point start)
    : start_(start) {
  for (const File& file : files) {
    if (index_.contains(file.label)) continue;
    index_[file.label] = files_.size();
    State state;
    state.label = file.label;
    state.size = file.size;
    files_.push_back(std::move(state));
  }
  total_rate_.Add(start, 0);
}

void DownloadDisplay::Update(const std::string& label, uint64_t done, uint64_t total,
                             ProgressClock::time_point now) {
  auto [it, added] = index_.try_emplace(label, files_.size());
  if (added) {
    State state;
    state.label = label;
    files_.push_back(std::move(state));
  }
  State& file = files_[it->second];
  if (total != 0) file.size = total;
  if (!file.seen) {
    file.seen = true;
    file.resumed = done;
    file.started_order = next_order_++;
    file.rate.Add(now, 0);
  } else if (done >= file.done) {
    file.moved += done - file.done;
  }  // else: restarted from zero; what it had moved stays moved, done starts again
  file.done = done;
  file.rate.Add(now, file.moved);
  total_rate_.Add(now, MovedBytes());
}

uint64_t DownloadDisplay::TotalBytes() const {
  uint64_t total = 0;
  for (const State& file : files_) {
    if (file.size == 0) return 0;
    total += file.size;
  }
  return total;
}

uint64_t DownloadDisplay::DoneBytes() const {
  uint64_t done = 0;
  for (const State& file : files_)
    done += file.size != 0 ? std::min(file.done, file.size) : file.done;
  return done;
}

uint64_t DownloadDisplay::MovedBytes() const {
  uint64_t moved = 0;
  for (const State& file : files_) moved += file.moved;
  return moved;
}

bool DownloadDisplay::AllArrived() const {
  if (files_.empty()) return false;
  return std::all_of(files_.begin(), files_.end(), [&](const State& file) {
    return file.seen && (file.size == 0 || Done(file));
  });
}

std::vector<std::string> DownloadDisplay::Lines(ProgressClock::time_point now, size_t width) const {
  std::vector<const State*> in_flight;
  size_t done_files = 0;
  for (const State& file : files_) {
    if (Done(file)) {
      ++done_files;
    } else if (file.seen) {
      in_flight.push_back(&file);
    }
  }
  std::sort(in_flight.begin(), in_flight.end(),
            [](const State* a, const State* b) { return a->started_order < b->started_order; });

  const std::string total_label =
      "total " + std::to_string(done_files) + "/" + std::to_string(files_.size()) + " files";
  constexpr size_t kIndent = 2;
  // One label column for all lines: the longest name, within 40% of the width.
  size_t label_width = DisplayWidth(total_label);
  for (const State* file : in_flight) {
    label_width = std::max(label_width, DisplayWidth(file->label) + kIndent);
  }
  label_width = std::min(label_width, std::max<size_t>(DisplayWidth(total_label), width * 2 / 5));

  std::vector<std::string> lines;
  const size_t shown = in_flight.size() > kMaxFileLines ? kMaxFileLines - 1 : in_flight.size();
  for (size_t i = 0; i < shown; ++i) {
    const State& file = *in_flight[i];
    const size_t inner = width > kIndent ? width - kIndent : 0;
    lines.push_back(
        std::string(kIndent, ' ') +
        FormatTransferLine({file.label, file.done, file.size, file.rate.BytesPerSecond(now)},
                           label_width > kIndent ? label_width - kIndent : 0, inner));
  }
  if (shown < in_flight.size()) {
    lines.push_back(TruncateToWidth(
        "  ... and " + std::to_string(in_flight.size() - shown) + " more files in flight", width));
  }

  const uint64_t total = TotalBytes();
  const uint64_t done = DoneBytes();
  const std::optional<double> rate = total_rate_.BytesPerSecond(now);
  std::string eta = "  ETA ";
  if (total != 0 && done >= total) {
    eta += FormatDuration(0);
  } else if (total != 0 && rate && *rate > 0) {
    eta += FormatDuration(static_cast<double>(total - done) / *rate);
  } else {
    eta += "--";
  }
  const size_t eta_width = DisplayWidth(eta);
  const std::string total_line = FormatTransferLine({total_label, done, total, rate}, label_width,
                                                    width > eta_width ? width - eta_width : 0) +
                                 eta;
  lines.push_back(TruncateToWidth(total_line, width));
  return lines;
}

std::string DownloadDisplay::Summary(ProgressClock::time_point now) const {
  const std::chrono::duration<double> elapsed = now - start_;
  uint64_t resumed = 0;
  for (const State& file : files_) resumed += file.resumed;
  std::string summary = "downloaded " + std::to_string(files_.size()) +
                        (files_.size() == 1 ? " file, " : " files, ") + FormatBytes(DoneBytes()) +
                        " in " + FormatDuration(elapsed.count()) + " (";
  summary += elapsed.count() > 0 ? FormatRate(static_cast<double>(MovedBytes()) / elapsed.count())
                                 : FormatRate(std::nullopt);
  if (resumed != 0) summary += ", " + FormatBytes(resumed) + " resumed";
  return summary + ")";
}

DownloadProgress::DownloadProgress(Progress& progress, const std::vector<RemoteFile>& files)
    : progress_(progress), display_(FilesOf(files), ProgressClock::now()) {}

DownloadProgress::~DownloadProgress() {
  std::lock_guard lock(mutex_);
  if (progress_.enabled() && display_.AllArrived()) {
    progress_.Print(display_.Summary(ProgressClock::now()));
  }
}

DownloadProgressFn DownloadProgress::Callback() {
  if (!progress_.enabled()) return {};
  return [this](const std::string& label, uint64_t done, uint64_t total) {
    std::lock_guard lock(mutex_);
    const ProgressClock::time_point now = ProgressClock::now();
    display_.Update(label, done, total, now);
    if (now - last_draw_ < kRedrawInterval) return;
    last_draw_ = now;
    progress_.Show(display_.Lines(now, progress_.Width() - 1));
  };
}

}  // namespace mlos::axon
