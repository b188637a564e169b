// The progress display's text (progress_format.h), the download display's state -> lines
// (download_progress.h) and the terminal writer's escape sequences (progress.h).
#include "axon/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "axon/download_progress.h"
#include "axon/progress_format.h"

namespace mlos::axon {
namespace {

using std::chrono::milliseconds;
constexpr uint64_t kMiB = 1 << 20;
const ProgressClock::time_point kT0{};

ProgressClock::time_point At(int ms) { return kT0 + milliseconds(ms); }

TEST(ProgressFormatTest, BytesRatesAndDurations) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(999), "999 B");
  EXPECT_EQ(FormatBytes(1000), "1.0 KiB");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(110000000), "104.9 MiB");
  EXPECT_EQ(FormatBytes(3ull << 30), "3.0 GiB");
  EXPECT_EQ(FormatBytePair(12 * kMiB + kMiB / 2, 40 * kMiB), "12.5/40.0 MiB");
  EXPECT_EQ(FormatBytePair(5, 345), "5/345 B");
  EXPECT_EQ(FormatRate(std::nullopt), "--");
  EXPECT_EQ(FormatRate(49.8 * kMiB), "49.8 MiB/s");
  EXPECT_EQ(FormatDuration(2.14), "2.1 s");
  EXPECT_EQ(FormatDuration(42.4), "42 s");
  EXPECT_EQ(FormatDuration(65), "1m05s");
  EXPECT_EQ(FormatDuration(7380), "2h03m");
}

TEST(ProgressFormatTest, ElisionKeepsBothEndsAndCountsCodePoints) {
  EXPECT_EQ(ElideMiddle("model.onnx", 20), "model.onnx");
  EXPECT_EQ(ElideMiddle("onnx/very_long_model_name.onnx_data", 11), "onn\u2026nx_data");
  EXPECT_EQ(DisplayWidth(ElideMiddle("onnx/very_long_model_name.onnx_data", 11)), 11u);
  EXPECT_EQ(ElideMiddle("ünïcödé_ünïcödé", 5), "ü\u2026ödé");
  EXPECT_EQ(TruncateToWidth("ünï", 2), "ün");
  EXPECT_EQ(Bar(0.5, 12), "[#####-----]");
  EXPECT_EQ(Bar(2.0, 5), "[###]");
}

TEST(ProgressFormatTest, TransferLineFitsTheWidth) {
  const TransferView view{"onnx/model.onnx", 12 * kMiB, 48 * kMiB, 3.5 * kMiB};
  EXPECT_EQ(FormatTransferLine(view, 15, 80), "onnx/model.onnx  [" + std::string(7, '#') +
                                                  std::string(22, '-') +
                                                  "]  12.0/48.0 MiB   25%  3.5 MiB/s");
  for (size_t width : {20u, 40u, 60u, 79u, 200u}) {
    EXPECT_LE(DisplayWidth(FormatTransferLine(view, 40, width)), width) << width;
  }
  // Unknown size: no bar, no percentage.
  EXPECT_EQ(FormatTransferLine({"x.bin", 2048, 0, std::nullopt}, 5, 80), "x.bin  2.0 KiB  --");
}

TEST(RateWindowTest, SlidingWindowAndStallDecay) {
  RateWindow rate(std::chrono::seconds(1));
  rate.Add(At(0), 0);
  EXPECT_FALSE(rate.BytesPerSecond(At(100)).has_value());  // under 200 ms
  for (int ms = 100; ms <= 2000; ms += 100) rate.Add(At(ms), static_cast<uint64_t>(ms) * 1000);
  // 1,000,000 B/s, measured over the last second only.
  EXPECT_NEAR(*rate.BytesPerSecond(At(2000)), 1e6, 1e3);
  // Nothing moves for 2 s: the rate decays.
  EXPECT_LT(*rate.BytesPerSecond(At(4000)), 0.5e6);
}

DownloadDisplay TwoFiles() {
  return DownloadDisplay({{"model.onnx", 40 * kMiB}, {"config.json", 1000}}, kT0);
}

TEST(DownloadDisplayTest, FileLinesTotalLineRateAndEta) {
  DownloadDisplay display = TwoFiles();
  display.Update("model.onnx", 0, 40 * kMiB, At(0));
  display.Update("model.onnx", 10 * kMiB, 40 * kMiB, At(1000));
  const std::vector<std::string> lines = display.Lines(At(1000), 100);
  ASSERT_EQ(lines.size(), 2u);  // config.json has not started: no line
  EXPECT_EQ(lines[0].substr(0, 16), "  model.onnx    ");
  EXPECT_NE(lines[0].find("10.0/40.0 MiB   25%  10.0 MiB/s"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].substr(0, 16), "total 0/2 files ");
  // (40 MiB + 1000 B - 10 MiB) at 10 MiB/s: 3 s.
  EXPECT_NE(lines[1].find("10.0/40.0 MiB   24%  10.0 MiB/s  ETA 3.0 s"), std::string::npos)
      << lines[1];
  for (const std::string& line : lines) EXPECT_LE(DisplayWidth(line), 100u);

  display.Update("config.json", 0, 1000, At(1100));
  display.Update("config.json", 1000, 1000, At(1200));
  display.Update("model.onnx", 40 * kMiB, 40 * kMiB, At(2000));
  EXPECT_TRUE(display.AllArrived());
  const std::vector<std::string> end = display.Lines(At(2000), 100);
  ASSERT_EQ(end.size(), 1u);  // finished files leave the display
  EXPECT_EQ(end[0].substr(0, 15), "total 2/2 files");
  EXPECT_NE(end[0].find("100%"), std::string::npos);
  EXPECT_NE(end[0].find("ETA 0.0 s"), std::string::npos) << end[0];
  EXPECT_EQ(display.Summary(At(2000)), "downloaded 2 files, 40.0 MiB in 2.0 s (20.0 MiB/s)");
}

TEST(DownloadDisplayTest, ResumedBytesCountAsDoneButNotInTheRate) {
  DownloadDisplay display({{"model.onnx", 40 * kMiB}}, kT0);
  display.Update("model.onnx", 30 * kMiB, 40 * kMiB, At(0));  // 30 MiB already on disk
  EXPECT_FALSE(display.AllArrived());
  display.Update("model.onnx", 35 * kMiB, 40 * kMiB, At(1000));
  const std::vector<std::string> lines = display.Lines(At(1000), 120);
  EXPECT_NE(lines[0].find("35.0/40.0 MiB   87%  5.0 MiB/s"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("ETA 1.0 s"), std::string::npos) << lines[1];
  display.Update("model.onnx", 40 * kMiB, 40 * kMiB, At(2000));
  EXPECT_EQ(display.Summary(At(2000)),
            "downloaded 1 file, 40.0 MiB in 2.0 s (5.0 MiB/s, 30.0 MiB resumed)");
}

TEST(DownloadDisplayTest, RestartFromZeroAndRetries) {
  DownloadDisplay display({{"model.onnx", 10 * kMiB}}, kT0);
  display.Update("model.onnx", 0, 10 * kMiB, At(0));
  display.Update("model.onnx", 4 * kMiB, 10 * kMiB, At(1000));
  // A retry that continues reports the same bytes again; a restart from zero goes back.
  display.Update("model.onnx", 4 * kMiB, 10 * kMiB, At(1500));
  display.Update("model.onnx", 0, 10 * kMiB, At(2000));
  std::vector<std::string> lines = display.Lines(At(2000), 120);
  EXPECT_NE(lines[0].find("0.0/10.0 MiB    0%"), std::string::npos) << lines[0];
  display.Update("model.onnx", 10 * kMiB, 10 * kMiB, At(4000));
  // 4 MiB before the restart and 10 MiB after were transferred: 14 MiB in 4 s.
  EXPECT_EQ(display.Summary(At(4000)), "downloaded 1 file, 10.0 MiB in 4.0 s (3.5 MiB/s)");
}

TEST(DownloadDisplayTest, UnknownAndZeroSizes) {
  DownloadDisplay display({{"model.onnx", 2000}, {"stream.bin", 0}}, kT0);
  display.Update("stream.bin", 0, 0, At(0));
  display.Update("stream.bin", 3000, 0, At(500));
  std::vector<std::string> lines = display.Lines(At(500), 100);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("  stream.bin ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(" 2.9 KiB  5.9 KiB/s"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find('%'), std::string::npos);
  EXPECT_EQ(lines[0].find('['), std::string::npos);
  // The total is unknown while one size is: bytes and rate, no percentage, no ETA.
  EXPECT_EQ(lines[1].find('%'), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("ETA --"), std::string::npos) << lines[1];
  EXPECT_FALSE(display.AllArrived());  // model.onnx never reported
  display.Update("model.onnx", 2000, 2000, At(600));
  EXPECT_TRUE(display.AllArrived());
  // A size learned from a report (the server's Content-Range) replaces "unknown".
  DownloadDisplay learned({{"a", 0}}, kT0);
  learned.Update("a", 0, 100, At(0));
  EXPECT_NE(learned.Lines(At(0), 80)[0].find("0/100 B"), std::string::npos);
  learned.Update("a", 100, 100, At(10));
  EXPECT_TRUE(learned.AllArrived());
}

TEST(DownloadDisplayTest, LongNamesAreElidedAndManyFilesSummedUp) {
  std::vector<DownloadDisplay::File> files;
  for (int i = 0; i < 12; ++i) {
    files.push_back(
        {"onnx/a_rather_long_folder_name/and_a_long_file_name_" + std::to_string(i) + ".onnx_data",
         kMiB});
  }
  DownloadDisplay display(files, kT0);
  for (int i = 0; i < 12; ++i) display.Update(files[i].label, 1000, kMiB, At(i));
  for (size_t width : {40u, 79u, 132u}) {
    const std::vector<std::string> lines = display.Lines(At(1000), width);
    ASSERT_EQ(lines.size(), DownloadDisplay::kMaxFileLines + 1) << width;
    EXPECT_EQ(lines[DownloadDisplay::kMaxFileLines - 1], "  ... and 5 more files in flight");
    EXPECT_NE(lines[0].find("\u2026"), std::string::npos) << lines[0];
    if (width >= 79) {  // the end of the name is kept
      EXPECT_NE(lines[0].find("name_0.onnx_data"), std::string::npos) << lines[0];
    }
    for (const std::string& line : lines) EXPECT_LE(DisplayWidth(line), width) << line;
  }
}

// The writer: the block is redrawn in place and erased with cursor movement.
TEST(ProgressWriterTest, RedrawsAndErasesTheBlockInPlace) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* stream = open_memstream(&buffer, &size);
  ASSERT_NE(stream, nullptr);
  ::setenv("COLUMNS", "30", 1);
  {
    Progress progress = Progress::ForStream(stream);
    ASSERT_TRUE(progress.enabled());
    EXPECT_EQ(progress.Width(), 30u);
    progress.Show({"a", std::string(40, 'x')});
    progress.Show({"b", "c", "d"});
    progress.Clear();
    progress.Print("done");
  }
  ::unsetenv("COLUMNS");
  std::fclose(stream);
  const std::string written(buffer, size);
  std::free(buffer);
  EXPECT_EQ(written, "a\n" + std::string(29, 'x') +  // cut to width - 1
                         "\r\033[1A\033[J" + "b\nc\nd" + "\r\033[2A\033[J" + "done\n");
  Progress disabled = Progress::Disabled();
  disabled.Show({"nothing"});
  EXPECT_FALSE(disabled.Track("hashing", 10));
}

}  // namespace
}  // namespace mlos::axon
