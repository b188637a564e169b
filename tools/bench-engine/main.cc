// mlos-bench-engine: times one model in MLOS's engine, for tools/bench-engine/bench.py (which runs
// ONNX Runtime on the same inputs with bench_ort.js).
//
//   mlos-bench-engine MODEL --write-inputs DIR [--batch 1] [--dim sequence=128 ...] [--seed 1]
//       writes the benchmark inputs (bench_inputs.h) and exits;
//   mlos-bench-engine MODEL --inputs DIR [--threads 1] [--warmup 2] [--min-runs 10]
//                     [--seconds 2] [--max-seconds 10] [--profile]
//       loads MODEL with an intra-op pool of --threads, runs --warmup untimed runs, then timed runs
//       one after another until --seconds have passed and at least --min-runs were made, or, for
//       a slow model, once --max-seconds have passed (and at least 3 runs were made).
//
// Prints one JSON line: load_ms (Session::Load), runs, p50_ms/p90_ms/mean_ms (nearest rank),
// peak_rss_mib (this process's VmHWM, loading included) and start_rss_mib (VmHWM before loading);
// openblas_threads and openblas_core (the threads OpenBLAS's own GEMMs use, whatever --threads
// says, and the kernel family it picked: both follow OPENBLAS_* variables);
// with --profile also "profile": [{"op_type", "nodes", "ms"}] per timed run, most time first.
// Exit codes: 0 done, 1 the model or the inputs are refused or a run failed, 2 bad usage.
#include <cblas.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "engine/model_loader.h"
#include "engine/op_profile.h"
#include "engine/session.h"
#include "tools/bench-engine/bench_inputs.h"
#include "tools/bench-server/latency_summary.h"

namespace mlos::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct TimingOptions {
  int threads = 1;
  int warmup = 2;
  int min_runs = 10;
  double seconds = 2;
  double max_seconds = 10;
  bool profile = false;
};

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// VmHWM of this process in MiB: its peak resident memory so far.
double PeakRssMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// Whether timing may stop after `runs` runs in `seconds` (the rule bench_ort.js follows too).
bool EnoughRuns(int runs, double seconds, const TimingOptions& options) {
  constexpr int kFewestRuns = 3;  // even a model slower than --max-seconds gets a median of 3
  return (runs >= options.min_runs && seconds >= options.seconds) ||
         (runs >= kFewestRuns && seconds >= options.max_seconds);
}

int WriteInputs(const std::string& model_path, const InputSizes& sizes, const std::string& dir) {
  StatusOr<onnx::ModelProto> model = engine::LoadModelProto(model_path);
  StatusOr<std::vector<engine::NamedTensor>> inputs =
      model.ok() ? MakeInputs(*model, sizes)
                 : StatusOr<std::vector<engine::NamedTensor>>(model.status());
  const Status written = inputs.ok() ? WriteInputFiles(dir, *inputs) : inputs.status();
  if (!written.ok()) {
    std::cerr << "mlos-bench-engine: " << written.ToString() << "\n";
    return 1;
  }
  return 0;
}

// {"op_type", "nodes", "ms"} per timed run: `after` minus `before` (the warm-up), over `runs`.
nlohmann::json ProfilePerRun(const std::vector<engine::OpTypeTime>& before,
                             const std::vector<engine::OpTypeTime>& after, int runs) {
  std::map<std::string, engine::OpTypeTime> warmup;
  for (const engine::OpTypeTime& total : before) warmup[total.op_type] = total;
  nlohmann::json profile = nlohmann::json::array();
  for (const engine::OpTypeTime& total : after) {
    const engine::OpTypeTime& early = warmup[total.op_type];
    profile.push_back({{"op_type", total.op_type},
                       {"nodes", (total.nodes_run - early.nodes_run) / runs},
                       {"ms", (total.milliseconds - early.milliseconds) / runs}});
  }
  std::stable_sort(profile.begin(), profile.end(), [](const auto& a, const auto& b) {
    return a["ms"].template get<double>() > b["ms"].template get<double>();
  });
  return profile;
}

int Time(const std::string& model_path, const std::string& inputs_dir,
         const TimingOptions& options) {
  const double start_rss_mib = PeakRssMib();
  StatusOr<std::vector<engine::NamedTensor>> inputs = ReadInputFiles(inputs_dir);
  if (!inputs.ok()) {
    std::cerr << "mlos-bench-engine: " << inputs.status().ToString() << "\n";
    return 1;
  }
  auto op_profile = options.profile ? std::make_shared<engine::OpProfile>() : nullptr;
  const Clock::time_point load_started = Clock::now();
  StatusOr<std::unique_ptr<engine::Session>> session = engine::Session::Load(
      model_path, engine::SessionOptions{.threads = options.threads, .op_profile = op_profile});
  const double load_ms = MillisecondsSince(load_started);
  if (!session.ok()) {
    std::cerr << "mlos-bench-engine: " << session.status().ToString() << "\n";
    return 1;
  }
  auto run_once = [&]() -> Status {
    StatusOr<std::vector<engine::NamedTensor>> outputs = (*session)->Run(*inputs, {});
    return outputs.status();
  };
  for (int i = 0; i < options.warmup; ++i) {
    if (Status status = run_once(); !status.ok()) {
      std::cerr << "mlos-bench-engine: " << status.ToString() << "\n";
      return 1;
    }
  }
  const std::vector<engine::OpTypeTime> after_warmup =
      op_profile ? op_profile->Totals() : std::vector<engine::OpTypeTime>{};
  std::vector<int64_t> latencies_ns;
  const Clock::time_point timed_started = Clock::now();
  while (!EnoughRuns(static_cast<int>(latencies_ns.size()), MillisecondsSince(timed_started) / 1e3,
                     options)) {
    const Clock::time_point started = Clock::now();
    if (Status status = run_once(); !status.ok()) {
      std::cerr << "mlos-bench-engine: " << status.ToString() << "\n";
      return 1;
    }
    latencies_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count());
  }
  const LatencySummary summary = Summarize(latencies_ns, 0, MillisecondsSince(timed_started) / 1e3);
  nlohmann::json result = {{"engine", "mlos"},
                           {"threads", options.threads},
                           {"load_ms", load_ms},
                           {"warmup", options.warmup},
                           {"runs", summary.count},
                           {"p50_ms", summary.p50_us / 1e3},
                           {"p90_ms", summary.p90_us / 1e3},
                           {"mean_ms", summary.mean_us / 1e3},
                           {"peak_rss_mib", PeakRssMib()},
                           {"start_rss_mib", start_rss_mib},
                           {"openblas_threads", openblas_get_num_threads()},
                           {"openblas_core", openblas_get_corename()}};
  if (op_profile) {
    result["profile"] =
        ProfilePerRun(after_warmup, op_profile->Totals(), static_cast<int>(latencies_ns.size()));
  }
  std::cout << result.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace mlos::bench

int main(int argc, char** argv) {
  CLI::App app{"Times one ONNX model in MLOS's engine (tools/bench-engine)"};
  std::string model_path;
  std::string write_inputs_dir;
  std::string inputs_dir;
  mlos::bench::InputSizes sizes;
  mlos::bench::TimingOptions options;
  app.add_option("model", model_path, "the .onnx file")->required();
  app.add_option("--write-inputs", write_inputs_dir, "write the benchmark inputs into DIR, exit");
  app.add_option("--batch", sizes.batch, "batch size of the written inputs")
      ->check(CLI::PositiveNumber);
  std::vector<std::string> dims;
  app.add_option("--dim", dims, "size of a symbolic dimension, NAME=SIZE (repeatable)");
  app.add_option("--seed", sizes.seed, "seed of the written inputs");
  app.add_option("--inputs", inputs_dir, "time runs on the inputs written into DIR");
  app.add_option("--threads", options.threads, "intra-op threads")->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup, "untimed runs first")->check(CLI::NonNegativeNumber);
  app.add_option("--min-runs", options.min_runs, "at least this many timed runs")
      ->check(CLI::PositiveNumber);
  app.add_option("--seconds", options.seconds, "time runs until this much time has passed");
  app.add_option("--max-seconds", options.max_seconds, "stop after this long (3 runs at least)");
  app.add_flag("--profile", options.profile, "time every node; print ms per run by op type");
  CLI11_PARSE(app, argc, argv);
  for (const std::string& dim : dims) {
    const size_t equals = dim.find('=');
    try {
      if (equals == std::string::npos) throw std::invalid_argument(dim);
      sizes.dims[dim.substr(0, equals)] = std::stoll(dim.substr(equals + 1));
    } catch (const std::exception&) {
      std::cerr << "mlos-bench-engine: --dim " << dim << ": expected NAME=SIZE\n";
      return 2;
    }
  }
  if (write_inputs_dir.empty() == inputs_dir.empty()) {
    std::cerr << "mlos-bench-engine: give exactly one of --write-inputs DIR and --inputs DIR\n";
    return 2;
  }
  if (!write_inputs_dir.empty()) {
    return mlos::bench::WriteInputs(model_path, sizes, write_inputs_dir);
  }
  return mlos::bench::Time(model_path, inputs_dir, options);
}
