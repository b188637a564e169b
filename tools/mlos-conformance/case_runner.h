// Running one conformance case: load the model with the engine (one intra-op thread), run every
// test_data_set_N and compare each output with output_K.pb. Thread-safe: cases run in parallel.
#pragma once

#include <set>
#include <string>

#include "tools/mlos-conformance/case_discovery.h"
#include "tools/mlos-conformance/compare.h"

namespace mlos::conformance {

struct CaseResult {
  std::string name;    // "node/test_abs"
  std::string folder;  // "node"
  bool passed = false;
  std::string message;              // why it failed: the error or the first mismatch
  std::set<std::string> operators;  // see ModelFacts::operators
  double seconds = 0;               // wall time
};

// Never throws: an exception from the engine or a library fails the case with its what().
CaseResult RunCase(const Case& test_case, const Tolerance& tolerance);

}  // namespace mlos::conformance
