// mlos-run: runs one ONNX model on tensors from files with MLOS's engine, writes every output as
// .npy and prints timings.
//
//   mlos-run MODEL [--input NAME=FILE.npy|FILE.pb ...] [--output-dir D] [--threads N] [--repeat N]
//
// Exit codes: 0 success, 1 bad usage, bad input or a failed run, 2 the model does not load.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "common/npy.h"
#include "engine/session.h"
#include "tools/mlos-run/tensor_files.h"

namespace mlos::run {
namespace {

constexpr int kExitBadInput = 1;
constexpr int kExitModelFailed = 2;

struct Options {
  std::string model;
  std::vector<std::string> inputs;
  std::string output_dir = ".";
  int threads = 0;
  int repeat = 0;
};

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

int Fail(int code, const Status& status) {
  std::fprintf(stderr, "mlos-run: %s\n", status.ToString().c_str());
  return code;
}

StatusOr<std::vector<engine::NamedTensor>> RunTimed(const engine::Session& session,
                                                    std::span<const engine::NamedTensor> inputs,
                                                    double& milliseconds) {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<std::vector<engine::NamedTensor>> outputs = session.Run(inputs, {});
  milliseconds = MillisecondsSince(start);
  return outputs;
}

void PrintLatencies(std::vector<double> latencies) {
  std::sort(latencies.begin(), latencies.end());
  const size_t n = latencies.size();
  const double median = n % 2 ? latencies[n / 2] : (latencies[n / 2 - 1] + latencies[n / 2]) / 2;
  const double mean =
      std::accumulate(latencies.begin(), latencies.end(), 0.0) / static_cast<double>(n);
  std::printf("repeat %zu: median %.3f ms, mean %.3f ms, min %.3f ms\n", n, median, mean,
              latencies[0]);
}

Status WriteOutputs(const std::vector<engine::NamedTensor>& outputs, const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error)
    return InvalidArgument("cannot create output directory '" + directory +
                           "': " + error.message());
  std::vector<std::string> names;
  for (const engine::NamedTensor& output : outputs) names.push_back(output.name);
  const std::vector<std::string> files = OutputFileNames(names);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string path = (std::filesystem::path(directory) / files[i]).string();
    RETURN_IF_ERROR(WriteNpyFile(path, outputs[i].tensor));
    std::printf("output '%s': %s %s -> %s\n", outputs[i].name.c_str(),
                Name(outputs[i].tensor.dtype()), ShapeToString(outputs[i].tensor.shape()).c_str(),
                path.c_str());
  }
  return Status::Ok();
}

int Run(const Options& options) {
  const auto load_start = std::chrono::steady_clock::now();
  StatusOr<std::unique_ptr<engine::Session>> session =
      engine::Session::Load(options.model, {options.threads});
  if (!session.ok()) return Fail(kExitModelFailed, session.status());
  std::printf("load: %.3f ms\n", MillisecondsSince(load_start));

  std::vector<engine::NamedTensor> inputs;
  for (const std::string& argument : options.inputs) {
    StatusOr<engine::NamedTensor> input = ReadInput(argument, (*session)->signature().inputs);
    if (!input.ok()) return Fail(kExitBadInput, input.status());
    inputs.push_back(std::move(input).value());
  }
  double first_run = 0;
  StatusOr<std::vector<engine::NamedTensor>> outputs = RunTimed(**session, inputs, first_run);
  if (!outputs.ok()) return Fail(kExitBadInput, outputs.status());
  std::printf("first run: %.3f ms\n", first_run);
  if (options.repeat > 0) {
    std::vector<double> latencies(static_cast<size_t>(options.repeat));
    for (double& latency : latencies) {
      StatusOr<std::vector<engine::NamedTensor>> again = RunTimed(**session, inputs, latency);
      if (!again.ok()) return Fail(kExitBadInput, again.status());
    }
    PrintLatencies(std::move(latencies));
  }
  const Status written = WriteOutputs(*outputs, options.output_dir);
  return written.ok() ? 0 : Fail(kExitBadInput, written);
}

}  // namespace
}  // namespace mlos::run

int main(int argc, char** argv) {
  mlos::run::Options options;
  CLI::App app{"Runs one ONNX model with the MLOS engine on tensors from files."};
  app.add_option("model", options.model, "the .onnx file")->required();
  app.add_option(
      "--input", options.inputs,
      "NAME=FILE.npy or NAME=FILE.pb (a .pb may omit NAME: its TensorProto name is used)");
  app.add_option("--output-dir", options.output_dir, "where <output>.npy files are written")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "intra-op threads, 0 = one per core")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  app.add_option("--repeat", options.repeat, "timed runs after the first")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : mlos::run::kExitBadInput;
  }
  return mlos::run::Run(options);
}
