// libFuzzer target for the engine's model loading: every input is written as `model.onnx` into a
// private directory and loaded with Session::Load, which parses it, resolves external data, runs
// the ONNX checker and shape inference, converts weights and creates a kernel for every node. The
// model is not run. The directory also holds `weights.bin` (4 KiB), so external-data references
// that stay inside it are read; everything else must fail with a Status, never crash, hang or
// allocate without bound (the runner sets -rss_limit_mb and -timeout). Build and run: README.md.
#include <google/protobuf/stubs/logging.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/session.h"

namespace {

std::filesystem::path& Directory() {
  static std::filesystem::path directory;
  return directory;
}

void RemoveDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(Directory(), ignored);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);  // parse failures are expected; keep the log readable
  std::string pattern = (std::filesystem::temp_directory_path() / "mlos_fuzz_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  Directory() = pattern;
  std::atexit(RemoveDirectory);
  std::string weights(4096, '\0');
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<char>(i * 7);
  std::ofstream(Directory() / "weights.bin", std::ios::binary) << weights;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path model = Directory() / "model.onnx";
  {
    std::ofstream file(model, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  mlos::StatusOr<std::unique_ptr<mlos::engine::Session>> session =
      mlos::engine::Session::Load(model.string(), mlos::engine::SessionOptions{.threads = 1});
  if (session.ok()) {
    // Touch what a caller reads first, so a half-built session shows up here.
    (void)(*session)->signature().inputs.size();
    (void)(*session)->memory_bytes();
  }
  return 0;
}
