// mlos-bench-plugins: the latency of the same fixture models through different SMI plugin modules,
// in-process (no HTTP, no Core): each module is dlopen'ed from --plugin-dir, the model loaded from
// its fixture directory (fixtures/make_fixtures.py: model.onnx for `onnx`, model.pt for
// `torchscript`), and model_execute timed on the inputs of test_data_set_0, one call after another
// on this thread.
//
//   mlos-bench-plugins --plugin-dir DIR --fixtures DIR [--models mlp,convnet] [--runs 200]
//                      [--repeats 5] [--warmup 20] [--threads 0] [--torchscript-optimize all]
//
// Each (model, plugin) is measured in --repeats rounds of --runs calls; a round's figure is its
// median latency and the printed figure the median of the rounds (with their min and max). The
// ratio is torchscript / onnx (above 1: torchscript is slower). --torchscript-optimize all also
// times the torchscript plugin's "none" and "inference" optimizations next to its default.
// Exit codes: 0 done, 1 a module, model or execution failed, 2 bad usage.
#include <dlfcn.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor_proto.h"
#include "mlos/smi.h"
#include "tools/bench-server/latency_summary.h"

namespace mlos::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Failure {
  std::string message;
};

// One input of data set 0, owned here and viewed as SMI sees it.
struct Input {
  std::string name;
  Tensor tensor;
  smi_tensor_view view() const {
    return {name.c_str(),
            static_cast<smi_dtype>(tensor.dtype()),
            static_cast<int32_t>(tensor.shape().size()),
            tensor.shape().data(),
            tensor.raw_data(),
            tensor.byte_size()};
  }
};

std::vector<Input> ReadInputs(const fs::path& model_dir) {
  std::vector<Input> inputs;
  for (int i = 0;; ++i) {
    std::ifstream file(model_dir / "test_data_set_0" / fmt::format("input_{}.pb", i),
                       std::ios::binary);
    if (!file) break;
    onnx::TensorProto proto;
    if (!proto.ParseFromIstream(&file)) throw Failure{"cannot parse input " + std::to_string(i)};
    StatusOr<Tensor> tensor = engine::TensorFromProto(proto);
    if (!tensor.ok()) throw Failure{tensor.status().ToString()};
    inputs.push_back({proto.name(), *std::move(tensor)});
  }
  if (inputs.empty()) throw Failure{"no test_data_set_0/input_*.pb in " + model_dir.string()};
  return inputs;
}

// Output buffers for one call: 64-byte aligned, freed when the next call starts.
class OutputArena {
 public:
  ~OutputArena() { Clear(); }
  void Clear() {
    for (void* buffer : buffers_) std::free(buffer);
    buffers_.clear();
  }
  smi_allocator allocator() {
    return {this,
            [](void* context, const char*, smi_dtype, int32_t, const int64_t*,
               uint64_t byte_size) -> void* {
              auto* arena = static_cast<OutputArena*>(context);
              void* buffer = std::aligned_alloc(64, (byte_size + 64) / 64 * 64);
              arena->buffers_.push_back(buffer);
              return buffer;
            }};
  }

 private:
  std::vector<void*> buffers_;
};

// A plugin module, its instance and one loaded model; everything released in reverse order.
class LoadedPlugin {
 public:
  LoadedPlugin(const fs::path& library, const std::string& plugin_config) {
    module_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module_ == nullptr) throw Failure{dlerror()};
    auto init = reinterpret_cast<smi_plugin_init_fn>(dlsym(module_, SMI_PLUGIN_INIT_SYMBOL));
    api_ = init != nullptr ? init(SMI_VERSION_MAJOR, SMI_VERSION_MINOR) : nullptr;
    if (api_ == nullptr) throw Failure{library.string() + ": no SMI 1.x table"};
    smi_error error{};
    if (api_->plugin_create(plugin_config.c_str(), &plugin_, &error) != SMI_OK) {
      throw Failure{library.string() + ": " + error.message};
    }
  }
  ~LoadedPlugin() {
    if (model_ != nullptr) api_->model_unload(model_);
    if (plugin_ != nullptr) api_->plugin_destroy(plugin_);
    // The module stays mapped: LibTorch does not support being unloaded.
  }
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  void Load(const fs::path& path, const std::string& config) {
    if (model_ != nullptr) api_->model_unload(model_);
    model_ = nullptr;
    smi_error error{};
    if (api_->model_load(plugin_, path.c_str(), config.c_str(), &model_, &error) != SMI_OK) {
      throw Failure{path.string() + ": " + error.message};
    }
  }
  // One model_execute of `inputs`; returns its wall time in nanoseconds.
  int64_t Execute(const std::vector<smi_tensor_view>& inputs, OutputArena& outputs) {
    outputs.Clear();
    const smi_request request{static_cast<uint32_t>(inputs.size()), inputs.data(), 0, nullptr,
                              outputs.allocator()};
    smi_error error{};
    const Clock::time_point start = Clock::now();
    const smi_status status = api_->model_execute(model_, &request, 1, &error);
    const int64_t elapsed =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    if (status != SMI_OK) throw Failure{std::string("execute: ") + error.message};
    return elapsed;
  }

 private:
  void* module_ = nullptr;
  const smi_plugin_api* api_ = nullptr;
  smi_plugin* plugin_ = nullptr;
  smi_model* model_ = nullptr;
};

struct Options {
  std::string plugin_dir;
  std::string fixtures;
  std::vector<std::string> models{"mlp", "convnet"};
  int runs = 200;
  int repeats = 5;
  int warmup = 20;
  int threads = 0;
  std::string torchscript_optimize = "default";
};

// What is timed: a plugin, with a model configuration.
struct Variant {
  std::string label;
  LoadedPlugin* plugin = nullptr;
  std::string model_config;
};

struct Figure {
  double median_us = 0;
  double min_us = 0;  // of the rounds' medians
  double max_us = 0;
};

Figure Measure(Variant& variant, const fs::path& model_dir, const std::vector<Input>& inputs,
               const Options& options) {
  variant.plugin->Load(model_dir, variant.model_config);
  std::vector<smi_tensor_view> views;
  for (const Input& input : inputs) views.push_back(input.view());
  OutputArena outputs;
  for (int i = 0; i < options.warmup; ++i) variant.plugin->Execute(views, outputs);
  std::vector<int64_t> round_medians;
  for (int round = 0; round < options.repeats; ++round) {
    std::vector<int64_t> latencies;
    for (int i = 0; i < options.runs; ++i)
      latencies.push_back(variant.plugin->Execute(views, outputs));
    std::sort(latencies.begin(), latencies.end());
    round_medians.push_back(NearestRank(latencies, 0.5));
  }
  std::sort(round_medians.begin(), round_medians.end());
  return {NearestRank(round_medians, 0.5) / 1e3, round_medians.front() / 1e3,
          round_medians.back() / 1e3};
}

int Main(int argc, char** argv) {
  Options options;
  CLI::App app{"In-process latency of fixture models through the onnx and torchscript plugins"};
  app.add_option("--plugin-dir", options.plugin_dir, "<build>/lib/plugins")->required();
  app.add_option("--fixtures", options.fixtures, "fixtures/make_fixtures.py's --out")->required();
  app.add_option("--models", options.models, "fixture names")->delimiter(',');
  app.add_option("--runs", options.runs, "calls per round")->check(CLI::PositiveNumber);
  app.add_option("--repeats", options.repeats, "rounds")->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup, "untimed calls first")->check(CLI::NonNegativeNumber);
  app.add_option("--threads", options.threads, "intra-op threads of both plugins (0: per core)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--torchscript-optimize", options.torchscript_optimize,
                 "'default', or 'all' to also time the 'none' and 'inference' optimizations");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  try {
    const std::string plugin_config = fmt::format(R"({{"threads": {}}})", options.threads);
    const fs::path plugin_dir(options.plugin_dir);
    LoadedPlugin onnx(plugin_dir / "libmlos_plugin_onnx.so", plugin_config);
    LoadedPlugin torchscript(plugin_dir / "libmlos_plugin_torchscript.so", plugin_config);
    std::vector<Variant> variants = {{"onnx", &onnx, "{}"}, {"torchscript", &torchscript, "{}"}};
    if (options.torchscript_optimize == "all") {
      variants.push_back({"torchscript:none", &torchscript, R"({"optimize": "none"})"});
      variants.push_back({"torchscript:inference", &torchscript, R"({"optimize": "inference"})"});
    }
    fmt::print("{:<10} {:<22} {:>11} {:>21} {:>8}\n", "model", "plugin", "median_us",
               "rounds min..max", "vs onnx");
    for (const std::string& model : options.models) {
      const fs::path model_dir = fs::path(options.fixtures) / model;
      const std::vector<Input> inputs = ReadInputs(model_dir);
      double onnx_us = 0;
      for (Variant& variant : variants) {
        const Figure figure = Measure(variant, model_dir, inputs, options);
        if (variant.plugin == &onnx) onnx_us = figure.median_us;
        fmt::print("{:<10} {:<22} {:>11.1f} {:>10.1f}..{:<10.1f} {:>8.2f}\n", model, variant.label,
                   figure.median_us, figure.min_us, figure.max_us, figure.median_us / onnx_us);
        std::fflush(stdout);
      }
    }
  } catch (const Failure& failure) {
    fmt::print(stderr, "mlos-bench-plugins: {}\n", failure.message);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace mlos::bench

int main(int argc, char** argv) { return mlos::bench::Main(argc, argv); }
