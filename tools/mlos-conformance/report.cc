#include "tools/mlos-conformance/report.h"

#include <map>
#include <string>

namespace mlos::conformance {
namespace {

enum class Outcome { kPassed, kFailed, kSkipped };

void Add(Counts& counts, Outcome outcome) {
  if (outcome == Outcome::kPassed) ++counts.passed;
  if (outcome == Outcome::kFailed) ++counts.failed;
  if (outcome == Outcome::kSkipped) ++counts.skipped;
}

void PrintTable(const char* title, const std::map<std::string, Counts>& rows, std::FILE* out) {
  size_t width = std::string(title).size();
  for (const auto& [name, counts] : rows) width = std::max(width, name.size());
  const int name_width = static_cast<int>(width);
  std::fprintf(out, "\n%-*s %7s %7s %8s\n", name_width, title, "passed", "failed", "skipped");
  for (const auto& [name, counts] : rows)
    std::fprintf(out, "%-*s %7d %7d %8d\n", name_width, name.c_str(), counts.passed, counts.failed,
                 counts.skipped);
}

}  // namespace

Counts PrintReport(const std::vector<CaseResult>& results, const Exclusions& exclusions,
                   bool verbose, std::FILE* out) {
  Counts total;
  std::map<std::string, Counts> by_operator;
  std::map<std::string, Counts> by_folder;
  for (const CaseResult& result : results) {
    const auto exclusion = exclusions.find(result.name);
    const bool excluded = exclusion != exclusions.end();
    const Outcome outcome = excluded        ? Outcome::kSkipped
                            : result.passed ? Outcome::kPassed
                                            : Outcome::kFailed;
    const double milliseconds = result.seconds * 1000;
    if (excluded && result.passed) {
      std::fprintf(out, "NOTE %s is excluded but passes\n", result.name.c_str());
    } else if (excluded && verbose) {
      std::fprintf(out, "SKIP %s: %s\n", result.name.c_str(), exclusion->second.c_str());
    } else if (!result.passed && verbose) {
      std::fprintf(out, "FAIL %s: %s (%.1f ms)\n", result.name.c_str(), result.message.c_str(),
                   milliseconds);
    } else if (!result.passed) {
      std::fprintf(out, "FAIL %s: %s\n", result.name.c_str(), result.message.c_str());
    } else if (verbose) {
      std::fprintf(out, "PASS %s (%.1f ms)\n", result.name.c_str(), milliseconds);
    }
    Add(total, outcome);
    Add(by_folder[result.folder], outcome);
    for (const std::string& op : result.operators) Add(by_operator[op], outcome);
  }
  PrintTable("operator", by_operator, out);
  PrintTable("folder", by_folder, out);
  std::fprintf(out, "\n%d passed, %d failed, %d skipped\n", total.passed, total.failed,
               total.skipped);
  return total;
}

}  // namespace mlos::conformance
