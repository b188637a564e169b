// mlos-conformance: runs ONNX backend test cases on MLOS's engine and reports pass/fail per case,
// per operator and per folder (see docs/conformance.md).
//
//   mlos-conformance [--exclusions FILE] [--filter REGEX] [--jobs N] [--verbose] [DIR...]
//
// Each DIR is one case directory (model.onnx + test_data_set_N/) or a folder of them; without DIR
// it runs /usr/share/libonnx-testdata/data/{node,pytorch-converted,pytorch-operator,simple}.
// Exit codes: 0 every case that is not excluded passed, 1 one failed, 2 bad usage.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <regex>
#include <thread>

#include "tools/mlos-conformance/case_discovery.h"
#include "tools/mlos-conformance/case_runner.h"
#include "tools/mlos-conformance/exclusions.h"
#include "tools/mlos-conformance/report.h"

namespace mlos::conformance {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

namespace {

struct Options {
  std::string exclusions;
  std::string filter;
  int jobs = 0;
  bool verbose = false;
  std::vector<std::string> directories;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "mlos-conformance: %s\n", message.c_str());
  return kExitUsage;
}

// Runs every case on `jobs` threads; results come back in the order of `cases`.
std::vector<CaseResult> RunAll(const std::vector<Case>& cases, int jobs) {
  std::vector<CaseResult> results(cases.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < cases.size(); i = next++) results[i] = RunCase(cases[i], {});
  };
  std::vector<std::thread> workers;
  for (int j = 0; j < jobs; ++j) workers.emplace_back(work);
  for (std::thread& worker : workers) worker.join();
  return results;
}

int Run(const Options& options) {
  Exclusions exclusions;
  if (!options.exclusions.empty()) {
    StatusOr<Exclusions> read = ReadExclusions(options.exclusions);
    if (!read.ok()) return Usage(read.status().ToString());
    exclusions = std::move(read).value();
  }
  StatusOr<std::vector<Case>> cases =
      DiscoverCases(options.directories.empty() ? DefaultCaseDirectories() : options.directories);
  if (!cases.ok()) return Usage(cases.status().ToString());
  if (!options.filter.empty()) {
    std::regex filter;
    try {
      filter = std::regex(options.filter);
    } catch (const std::regex_error& error) {
      return Usage("bad --filter '" + options.filter + "': " + error.what());
    }
    std::erase_if(*cases, [&](const Case& c) { return !std::regex_search(c.name, filter); });
  }
  if (cases->empty()) return Usage("no cases found");
  if (options.directories.empty() && options.filter.empty()) {
    // The whole suite runs: an exclusion naming no case is stale.
    for (const auto& [name, reason] : exclusions)
      if (std::none_of(cases->begin(), cases->end(), [&](const Case& c) { return c.name == name; }))
        std::printf("NOTE %s is excluded but there is no such case\n", name.c_str());
  }

  const int jobs = options.jobs > 0
                       ? options.jobs
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::vector<CaseResult> results = RunAll(*cases, std::min<int>(jobs, cases->size()));
  const Counts counts = PrintReport(results, exclusions, options.verbose, stdout);
  return counts.failed > 0 ? kExitFailed : 0;
}

}  // namespace
}  // namespace mlos::conformance

int main(int argc, char** argv) {
  mlos::conformance::Options options;
  CLI::App app{"Runs ONNX backend conformance cases on MLOS's engine."};
  app.add_option("--exclusions", options.exclusions,
                 "exclusion list: one 'folder/case  # reason' per line");
  app.add_option("--filter", options.filter, "run only cases whose name matches this regex");
  app.add_option("--jobs,-j", options.jobs, "cases run in parallel (default: hardware threads)");
  app.add_flag("--verbose,-v", options.verbose, "also print passing and skipped cases, with times");
  app.add_option("directories", options.directories, "case directories or folders of cases");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);  // prints help or the error
    return code == 0 ? 0 : mlos::conformance::kExitUsage;
  }
  return mlos::conformance::Run(options);
}
