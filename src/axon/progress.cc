#include "axon/progress.h"

#include <unistd.h>

namespace mlos::axon {

Progress Progress::ForTerminal(std::FILE* out) {
  return Progress(::isatty(::fileno(out)) ? out : nullptr);
}

ByteProgress Progress::Track(std::string label, uint64_t total) {
  if (out_ == nullptr) return {};
  return [this, label = std::move(label), total](uint64_t done) {
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr double kMiB = 1024.0 * 1024.0;
    const int percent =
        total == 0
            ? 100
            : static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total));
    std::fprintf(out_, "\r\033[K%s  %3d%% (%.1f/%.1f MiB)", label.c_str(), percent,
                 static_cast<double>(done) / kMiB, static_cast<double>(total) / kMiB);
    std::fflush(out_);
  };
}

void Progress::Clear() {
  if (out_ == nullptr) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace mlos::axon
