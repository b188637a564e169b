// Progress text: the pure pieces of Axon's progress display (progress.h, download_progress.h) —
// byte counts, rates, durations, bars, elided names, one transfer's line — and RateWindow, a
// sliding-window rate meter. No I/O and no clock: callers pass the time in, so every line can be
// tested exactly. Widths are in columns, counted as UTF-8 code points (wide CJK characters count
// one; names are elided, not measured with wcwidth).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace mlos::axon {

using ProgressClock = std::chrono::steady_clock;

// "512 B", "1.5 KiB", "104.9 MiB", "2.0 GiB" (binary units, one decimal from KiB up).
std::string FormatBytes(uint64_t bytes);
// "12.3/45.6 MiB": `done` in the unit of `total`.
std::string FormatBytePair(uint64_t done, uint64_t total);
// "49.8 MiB/s"; "--" when unknown.
std::string FormatRate(std::optional<double> bytes_per_second);
// "0.4 s", "12 s", "1m05s", "2h03m".
std::string FormatDuration(double seconds);

// Columns `text` takes: its UTF-8 code points.
size_t DisplayWidth(std::string_view text);
// `text` in at most `width` columns: unchanged if it fits, else a third of its start and two thirds
// of its end around "…".
std::string ElideMiddle(std::string_view text, size_t width);
// `text` cut to at most `width` columns (whole code points).
std::string TruncateToWidth(std::string_view text, size_t width);
// "[#####-----]" of `width` columns in all (brackets included), filled to `fraction` (0..1).
std::string Bar(double fraction, size_t width);

// What one transfer line shows.
struct TransferView {
  std::string label{};
  uint64_t done = 0;
  uint64_t total = 0;  // 0: unknown (no bar, no percentage)
  std::optional<double> bytes_per_second{};
};
// "<label padded to label_width>  [####----]  12.3/45.6 MiB  27%  3.4 MiB/s" in at most `width`
// columns: the label is elided in the middle to `label_width` and the bar takes what is left
// (dropped below 5 columns; the label shrinks before the numbers do).
std::string FormatTransferLine(const TransferView& view, size_t label_width, size_t width);

// Bytes per second over the last `span` of (time, cumulative bytes) samples. Not thread-safe.
class RateWindow {
 public:
  explicit RateWindow(std::chrono::milliseconds span = std::chrono::seconds(3)) : span_(span) {}
  // `moved` is cumulative and never decreases (a caller that restarts keeps counting upward).
  void Add(ProgressClock::time_point now, uint64_t moved);
  // Bytes per second from the oldest sample in the window up to `now` (so a stall decays the
  // rate); nullopt until the samples span 200 ms.
  std::optional<double> BytesPerSecond(ProgressClock::time_point now) const;

 private:
  std::chrono::milliseconds span_;
  std::deque<std::pair<ProgressClock::time_point, uint64_t>> samples_;
};

}  // namespace mlos::axon
