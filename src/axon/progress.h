// Progress: Axon's progress display on a terminal (stderr), silent otherwise. It owns a block of
// "live" lines at the bottom of the terminal that it redraws in place with ANSI cursor movement
// (Show), erases (Clear), or replaces by a line that stays (Print). Track gives the one-line bar
// with rate of single steps (hashing, converting); download_progress.h draws the multi-line
// download display through Show. The text itself comes from progress_format.h.
//
// When disabled (output is not a terminal) every call is a no-op, so scripts reading stdout or a
// redirected stderr see nothing of it. Not thread-safe: callers from several threads serialize
// (DownloadProgress does). Lines are cut to the terminal's width minus one column, so the
// terminal never wraps them and the cursor arithmetic stays exact.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "axon/sha256.h"

namespace mlos::axon {

class Progress {
 public:
  // Enabled iff `out` is a terminal.
  static Progress ForTerminal(std::FILE* out);
  // Enabled whatever `out` is: for tests that capture the escape sequences.
  static Progress ForStream(std::FILE* out) { return Progress(out); }
  static Progress Disabled() { return Progress(nullptr); }

  bool enabled() const { return out_ != nullptr; }
  // Terminal columns: $COLUMNS when it is a number >= 20, else the terminal's (TIOCGWINSZ),
  // else 80.
  size_t Width() const;

  // Replaces the live block by `lines` (each cut to Width() - 1 columns).
  void Show(const std::vector<std::string>& lines);
  // Erases the live block; the cursor is back where the block began.
  void Clear();
  // Erases the live block and writes `line` as a permanent line.
  void Print(const std::string& line);

  // A callback for one step: "<label>  [###---]  12.0/28.6 MiB   42%  95.1 MiB/s" as bytes advance
  // towards `total` (0: unknown), redrawn at most every 100 ms. Clear() erases it when the step
  // ends. The callback refers to this Progress, which must outlive it.
  ByteProgress Track(std::string label, uint64_t total);

 private:
  explicit Progress(std::FILE* out) : out_(out) {}
  std::FILE* out_;          // null = disabled
  size_t shown_lines_ = 0;  // lines of the live block on the terminal now
};

}  // namespace mlos::axon
