// mlos-bench-inprocess: the baseline the HTTP figures are compared with. Loads an ONNX model
// through the built-in onnx SMI plugin exactly as mlos-core does (PluginHost, LoadModel), decodes
// an MLOS API request body into the model's inputs once, then times Execute alone on them,
// one call after another on this thread. --batch N stacks the body's batch-1 inputs N times, to
// time the execution a dynamic batcher would make of N such requests.
//
//   mlos-bench-inprocess --model model.onnx --body-file request.json [--settings '{"threads":2}']
//                        [--duration 5 | --requests N] [--warmup 2] [--batch 8]
//
// Prints one JSON line: the fields of latency_summary.h plus "parse_us" and "decode_us" (median
// times to parse the body's JSON and to decode it into tensors: what the MLOS API does before
// executing) and "load_ms". Exit codes: 0 done, 1 the model or the body is refused, 2 bad usage,
// 3 an execution failed.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/api/inference_request.h"
#include "core/loaded_model.h"
#include "core/plugin_host.h"
#include "plugins/onnx/onnx_plugin.h"
#include "tools/bench-server/latency_summary.h"

namespace mlos::bench {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NanosecondsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("cannot open " + path);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

double MedianMicroseconds(std::vector<int64_t> nanoseconds) {
  std::sort(nanoseconds.begin(), nanoseconds.end());
  return static_cast<double>(NearestRank(nanoseconds, 0.5)) / 1e3;
}

// The inputs the server would decode from `body`, and the median times (µs) of parsing the JSON
// and of decoding it into tensors, over a few rounds.
struct DecodedBody {
  std::vector<core::NamedTensor> inputs;
  double parse_us = 0;
  double decode_us = 0;
};

StatusOr<DecodedBody> DecodeBody(const std::string& body, const core::ModelSignature& signature) {
  DecodedBody decoded;
  std::vector<int64_t> parse_ns, decode_ns;
  for (int round = 0; round < 3; ++round) {
    auto start = Clock::now();
    auto json = core::JsonDocument::Parse(body, "request body");
    parse_ns.push_back(NanosecondsSince(start));
    if (!json.ok()) return json.status();
    start = Clock::now();
    ASSIGN_OR_RETURN(decoded.inputs, core::DecodeInferenceInputs(json->root(), signature.inputs));
    decode_ns.push_back(NanosecondsSince(start));
  }
  decoded.parse_us = MedianMicroseconds(std::move(parse_ns));
  decoded.decode_us = MedianMicroseconds(std::move(decode_ns));
  return decoded;
}

// `inputs` stacked `batch` times along dimension 0, which must be 1 (a request of batch 1):
// what a dynamic batcher hands the model for `batch` such requests.
StatusOr<std::vector<core::NamedTensor>> Tile(const std::vector<core::NamedTensor>& inputs,
                                              int64_t batch) {
  std::vector<core::NamedTensor> tiled;
  for (const auto& input : inputs) {
    const Tensor& tensor = input.tensor;
    if (tensor.shape().empty() || tensor.shape()[0] != 1 || tensor.dtype() == DataType::kString) {
      return InvalidArgument(
          fmt::format("--batch needs numeric inputs of batch 1; '{}' is not", input.name));
    }
    Shape shape = tensor.shape();
    shape[0] = batch;
    Tensor stacked(tensor.dtype(), shape);
    for (int64_t i = 0; i < batch; ++i) {
      std::memcpy(static_cast<std::byte*>(stacked.raw_data()) + i * tensor.byte_size(),
                  tensor.raw_data(), tensor.byte_size());
    }
    tiled.push_back({input.name, std::move(stacked)});
  }
  return tiled;
}

struct Options {
  std::string model;
  std::string body_file;
  std::string settings = "{}";
  double duration_s = 5;
  uint64_t requests = 0;
  unsigned warmup = 2;
  int64_t batch = 1;
};

int Run(const Options& options) {
  const auto fail = [](int code, const Status& status) {
    std::fprintf(stderr, "mlos-bench-inprocess: %s\n", status.message().c_str());
    return code;
  };
  core::PluginHost plugins;
  if (Status status = plugins.Add(mlos_onnx_plugin_init, "built-in"); !status.ok()) {
    return fail(1, status);
  }
  const auto load_start = Clock::now();
  auto model = core::LoadModel(plugins.Find("onnx"), options.model, options.settings);
  if (!model.ok()) return fail(1, model.status().WithContext("loading " + options.model));
  const double load_ms = static_cast<double>(NanosecondsSince(load_start)) / 1e6;

  auto body = ReadFile(options.body_file);
  if (!body.ok()) return fail(1, body.status());
  auto decoded = DecodeBody(*body, (*model)->signature);
  if (!decoded.ok()) return fail(1, decoded.status().WithContext(options.body_file));
  std::vector<core::NamedTensor> inputs = std::move(decoded->inputs);
  if (options.batch > 1) {
    auto tiled = Tile(inputs, options.batch);
    if (!tiled.ok()) return fail(2, tiled.status());
    inputs = std::move(*tiled);
  }

  for (unsigned i = 0; i < options.warmup; ++i) {
    auto outputs = core::Execute(**model, inputs);
    if (!outputs.ok()) return fail(3, outputs.status().WithContext("warm-up"));
  }
  std::vector<int64_t> latencies;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.duration_s));
  while (options.requests > 0 ? latencies.size() < options.requests : Clock::now() < deadline) {
    const auto call = Clock::now();
    auto outputs = core::Execute(**model, inputs);
    latencies.push_back(NanosecondsSince(call));
    if (!outputs.ok()) return fail(3, outputs.status());
  }
  const double seconds = static_cast<double>(NanosecondsSince(start)) / 1e9;

  const std::string extra = fmt::format(R"("parse_us":{:.3f},"decode_us":{:.3f},"load_ms":{:.3f})",
                                        decoded->parse_us, decoded->decode_us, load_ms);
  std::printf("%s\n", ToJsonLine(Summarize(std::move(latencies), 0, seconds), extra).c_str());
  return 0;
}

int Main(int argc, char** argv) {
  Options options;
  CLI::App app{"Times Execute of an ONNX model in-process through the built-in onnx plugin"};
  app.add_option("--model", options.model, "the .onnx file (or model folder)")->required();
  app.add_option("--body-file", options.body_file, "an MLOS API request body (JSON)")->required();
  app.add_option("--settings", options.settings, "plugin settings JSON, as the server passes them");
  app.add_option("--duration", options.duration_s, "seconds of measured calls")
      ->check(CLI::PositiveNumber);
  app.add_option("--requests", options.requests, "measured calls (instead of --duration)");
  app.add_option("--warmup", options.warmup, "untimed calls first");
  app.add_option("--batch", options.batch,
                 "execute the body's batch-1 inputs stacked this many times along dimension 0")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  return Run(options);
}

}  // namespace
}  // namespace mlos::bench

int main(int argc, char** argv) { return mlos::bench::Main(argc, argv); }
