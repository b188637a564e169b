#include "axon/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "axon/progress_format.h"

namespace mlos::axon {
namespace {

// "\r", up to the block's first line, erase to the end of the screen.
std::string EraseBlock(size_t lines) {
  if (lines == 0) return "";
  std::string text = "\r";
  if (lines > 1) text += "\033[" + std::to_string(lines - 1) + "A";
  return text + "\033[J";
}

}  // namespace

Progress Progress::ForTerminal(std::FILE* out) {
  return Progress(::isatty(::fileno(out)) ? out : nullptr);
}

size_t Progress::Width() const {
  if (const char* columns = std::getenv("COLUMNS")) {
    size_t value = 0;
    const char* end = columns + std::strlen(columns);
    const auto [at, error] = std::from_chars(columns, end, value);
    if (error == std::errc() && at == end && value >= 20 && value <= 10000) return value;
  }
  winsize size{};
  if (out_ != nullptr && ::ioctl(::fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_col >= 20) {
    return size.ws_col;
  }
  return 80;
}

void Progress::Show(const std::vector<std::string>& lines) {
  if (out_ == nullptr) return;
  const size_t width = Width() - 1;
  std::string frame = EraseBlock(shown_lines_);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) frame += "\n";
    frame += TruncateToWidth(lines[i], width);
  }
  std::fputs(frame.c_str(), out_);
  std::fflush(out_);
  shown_lines_ = lines.size();
}

void Progress::Clear() {
  if (out_ == nullptr || shown_lines_ == 0) return;
  std::fputs(EraseBlock(shown_lines_).c_str(), out_);
  std::fflush(out_);
  shown_lines_ = 0;
}

void Progress::Print(const std::string& line) {
  if (out_ == nullptr) return;
  Clear();
  std::fputs((line + "\n").c_str(), out_);
  std::fflush(out_);
}

ByteProgress Progress::Track(std::string label, uint64_t total) {
  if (out_ == nullptr) return {};
  struct Step {
    std::string label;
    uint64_t total = 0;
    ProgressClock::time_point last_draw{};
    RateWindow rate{};
  };
  auto step = std::make_shared<Step>();
  step->label = std::move(label);
  step->total = total;
  const ProgressClock::time_point started = ProgressClock::now();
  step->rate.Add(started, 0);
  return [this, step](uint64_t done) {
    const ProgressClock::time_point now = ProgressClock::now();
    step->rate.Add(now, done);
    const bool finished = step->total != 0 && done >= step->total;
    if (!finished && now - step->last_draw < std::chrono::milliseconds(100)) return;
    step->last_draw = now;
    const size_t width = Width() - 1;
    Show({FormatTransferLine({step->label, done, step->total, step->rate.BytesPerSecond(now)},
                             std::min(DisplayWidth(step->label), width / 2), width)});
  };
}

}  // namespace mlos::axon
