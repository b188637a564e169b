// The conformance report: a line per failing case (and, verbose, per passing or skipped one), a
// per-operator table, per-folder counts and the final "N passed, N failed, N skipped" line.
// Excluded cases count as skipped whatever their outcome; one that passes gets a NOTE.
#pragma once

#include <cstdio>
#include <vector>

#include "tools/mlos-conformance/case_runner.h"
#include "tools/mlos-conformance/exclusions.h"

namespace mlos::conformance {

struct Counts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// Prints the report for `results` (in the order given) to `out`. Returns the totals.
Counts PrintReport(const std::vector<CaseResult>& results, const Exclusions& exclusions,
                   bool verbose, std::FILE* out);

}  // namespace mlos::conformance
