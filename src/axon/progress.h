// Progress: a one-line progress display for long steps (hashing large files), shown on a terminal
// only. When disabled (output is not a terminal, or scripts asked for quiet) every call is a no-op.
// Not thread-safe: one step at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "axon/sha256.h"

namespace mlos::axon {

class Progress {
 public:
  // Enabled iff `out` is a terminal.
  static Progress ForTerminal(std::FILE* out);
  static Progress Disabled() { return Progress(nullptr); }

  // A callback that shows "<label>  42% (12.0/28.6 MiB)" as bytes advance towards `total`.
  // Lines are redrawn at most every 100 ms; Clear() erases the line when the step ends.
  ByteProgress Track(std::string label, uint64_t total);
  void Clear();

 private:
  explicit Progress(std::FILE* out) : out_(out) {}
  std::FILE* out_;  // null = disabled
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace mlos::axon
