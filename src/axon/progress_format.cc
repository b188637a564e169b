#include "axon/progress_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlos::axon {
namespace {

constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

// The unit index for `bytes` (0 = B) and the value in that unit.
std::pair<int, double> Scaled(uint64_t bytes) {
  double value = static_cast<double>(bytes);
  int unit = 0;
  // Switch units at 1000 of the smaller one so that "1023.9 KiB" never shows as "1024.0 KiB".
  while (unit < 5 && value >= 1000.0) {
    value /= 1024.0;
    ++unit;
  }
  return {unit, value};
}

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  const auto [unit, value] = Scaled(bytes);
  if (unit == 0) return std::to_string(bytes) + " B";
  return Fixed(value, 1) + " " + kUnits[unit];
}

std::string FormatBytePair(uint64_t done, uint64_t total) {
  const auto [unit, total_value] = Scaled(total);
  if (unit == 0) return std::to_string(done) + "/" + std::to_string(total) + " B";
  const double done_value = static_cast<double>(done) / std::pow(1024.0, unit);
  return Fixed(done_value, 1) + "/" + Fixed(total_value, 1) + " " + kUnits[unit];
}

std::string FormatRate(std::optional<double> bytes_per_second) {
  if (!bytes_per_second || !std::isfinite(*bytes_per_second) || *bytes_per_second < 0) return "--";
  return FormatBytes(static_cast<uint64_t>(std::llround(*bytes_per_second))) + "/s";
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  if (seconds < 10) return Fixed(seconds, 1) + " s";
  const uint64_t whole = static_cast<uint64_t>(std::llround(seconds));
  if (whole < 60) return std::to_string(whole) + " s";
  char text[32];
  if (whole < 3600) {
    std::snprintf(text, sizeof text, "%llum%02llus", static_cast<unsigned long long>(whole / 60),
                  static_cast<unsigned long long>(whole % 60));
  } else {
    std::snprintf(text, sizeof text, "%lluh%02llum", static_cast<unsigned long long>(whole / 3600),
                  static_cast<unsigned long long>(whole / 60 % 60));
  }
  return text;
}

size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !IsContinuation(c); }));
}

std::string TruncateToWidth(std::string_view text, size_t width) {
  size_t columns = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsContinuation(text[i])) continue;
    if (columns == width) return std::string(text.substr(0, i));
    ++columns;
  }
  return std::string(text);
}

std::string ElideMiddle(std::string_view text, size_t width) {
  const size_t columns = DisplayWidth(text);
  if (columns <= width) return std::string(text);
  if (width == 0) return "";
  // One column for "…"; the end gets two thirds of the rest: a file's name says more than its
  // folder.
  const size_t keep = width - 1;
  const size_t head = keep / 3;
  const size_t tail = keep - head;
  // The tail: the last `tail` code points.
  size_t tail_start = text.size();
  for (size_t counted = 0; counted < tail && tail_start > 0;) {
    --tail_start;
    if (!IsContinuation(text[tail_start])) ++counted;
  }
  return TruncateToWidth(text, head) + "\u2026" + std::string(text.substr(tail_start));
}

std::string Bar(double fraction, size_t width) {
  if (width < 3) return "";
  const size_t inner = width - 2;
  const double clamped = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
  const size_t filled = static_cast<size_t>(clamped * static_cast<double>(inner));
  std::string bar(width, '-');
  bar.front() = '[';
  bar.back() = ']';
  bar.replace(1, filled, filled, '#');
  return bar;
}

std::string FormatTransferLine(const TransferView& view, size_t label_width, size_t width) {
  std::string numbers;
  if (view.total > 0) {
    const double fraction =
        static_cast<double>(std::min(view.done, view.total)) / static_cast<double>(view.total);
    char percent[8];
    std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(fraction * 100.0));
    numbers = FormatBytePair(view.done, view.total) + "  " + percent;
  } else {
    numbers = FormatBytes(view.done);
  }
  numbers += "  " + FormatRate(view.bytes_per_second);
  const size_t numbers_width = DisplayWidth(numbers);
  // The label gives way first, down to 8 columns, then the numbers are cut.
  const size_t room_for_label = width > numbers_width + 2 ? width - numbers_width - 2 : 0;
  const size_t label_columns = std::min(label_width, std::max<size_t>(room_for_label, 8));
  const std::string label = ElideMiddle(view.label, label_columns);
  std::string line = label + std::string(label_columns - DisplayWidth(label), ' ') + "  ";
  const size_t used = label_columns + 2 + numbers_width;
  if (view.total > 0 && width >= used + 2 + 5) {
    const size_t bar_width = std::min<size_t>(width - used - 2, 32);
    line +=
        Bar(static_cast<double>(std::min(view.done, view.total)) / static_cast<double>(view.total),
            bar_width) +
        "  ";
  }
  return TruncateToWidth(line + numbers, width);
}

void RateWindow::Add(ProgressClock::time_point now, uint64_t moved) {
  // Samples closer than 50 ms replace the last one: the window stays small under busy callbacks.
  if (samples_.size() >= 2 &&
      now - samples_[samples_.size() - 2].first < std::chrono::milliseconds(50)) {
    samples_.back() = {now, moved};
  } else {
    samples_.emplace_back(now, moved);
  }
  // Keep one sample at or before the window's start as its anchor.
  while (samples_.size() > 2 && samples_[1].first <= now - span_) samples_.pop_front();
}

std::optional<double> RateWindow::BytesPerSecond(ProgressClock::time_point now) const {
  if (samples_.empty()) return std::nullopt;
  const std::chrono::duration<double> elapsed = now - samples_.front().first;
  if (elapsed < std::chrono::milliseconds(200)) return std::nullopt;
  return static_cast<double>(samples_.back().second - samples_.front().second) / elapsed.count();
}

}  // namespace mlos::axon
