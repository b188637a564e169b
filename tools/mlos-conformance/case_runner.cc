#include "tools/mlos-conformance/case_runner.h"

#include <chrono>
#include <exception>
#include <optional>

#include "engine/session.h"
#include "tools/mlos-conformance/value_files.h"

namespace mlos::conformance {
namespace {

using engine::NamedValue;
using engine::Value;

// The output named `name`, else the one at `index` (outputs come in graph order).
const Value* FindOutput(const std::vector<NamedValue>& outputs, const std::string& name,
                        size_t index) {
  for (const NamedValue& output : outputs)
    if (output.name == name) return &output.value;
  return index < outputs.size() ? &outputs[index].value : nullptr;
}

using Failure = std::optional<std::string>;

Failure Describe(const Status& status, const std::string& context) {
  return context + ": " + status.ToString();
}

// Runs one data set; nullopt iff every output matches, else the error or the first mismatch.
Failure RunDataSet(const engine::Session& session, const ModelFacts& facts, const DataSet& data_set,
                   const Tolerance& tolerance) {
  if (data_set.inputs.size() > facts.inputs.size())
    return std::to_string(data_set.inputs.size()) + " input files for " +
           std::to_string(facts.inputs.size()) + " graph inputs";
  if (data_set.outputs.size() > facts.outputs.size())
    return std::to_string(data_set.outputs.size()) + " output files for " +
           std::to_string(facts.outputs.size()) + " graph outputs";
  std::vector<NamedValue> inputs;
  for (size_t k = 0; k < data_set.inputs.size(); ++k) {
    StatusOr<Value> value = ReadValueFile(data_set.inputs[k], facts.inputs[k]);
    if (!value.ok()) return Describe(value.status(), "input");
    inputs.push_back({facts.inputs[k].name, std::move(value).value()});
  }

  StatusOr<std::vector<NamedValue>> outputs = session.RunValues(inputs, {});
  if (!outputs.ok()) return Describe(outputs.status(), "run");

  for (size_t k = 0; k < data_set.outputs.size(); ++k) {
    const DeclaredValue& declared = facts.outputs[k];
    const std::string what = "output '" + declared.name + "'";
    StatusOr<Value> expected = ReadValueFile(data_set.outputs[k], declared);
    if (!expected.ok()) return Describe(expected.status(), what);
    const Value* got = FindOutput(*outputs, declared.name, k);
    if (got == nullptr) return what + " was not produced";
    Failure mismatch;
    if (facts.has_random_operators) {
      const auto check = facts.random_checks.find(declared.name);
      mismatch = CheckRandomValue(
          *got, *expected,
          check == facts.random_checks.end() ? RandomOutputCheck() : check->second);
    } else {
      mismatch = CompareValues(*got, *expected, tolerance);
    }
    if (mismatch) return what + " " + *mismatch;
  }
  return std::nullopt;
}

Failure RunCaseOrFail(const Case& test_case, const Tolerance& tolerance, CaseResult& result) {
  StatusOr<ModelFacts> facts = ReadModelFacts(test_case.model);
  if (!facts.ok()) return Describe(facts.status(), "model");
  result.operators = facts->operators;
  StatusOr<std::vector<DataSet>> data_sets = ListDataSets(test_case);
  if (!data_sets.ok()) return Describe(data_sets.status(), "test data");

  engine::SessionOptions options;
  options.threads = 1;  // cases run in parallel instead
  StatusOr<std::unique_ptr<engine::Session>> session =
      engine::Session::Load(test_case.model, options);
  if (!session.ok()) {
    // The case name already says which model; drop the engine's "model '<path>': " prefix.
    std::string message = session.status().ToString();
    const std::string prefix = "model '" + test_case.model + "': ";
    if (const size_t at = message.find(prefix); at != std::string::npos)
      message.erase(at, prefix.size());
    return "load: " + message;
  }

  for (size_t n = 0; n < data_sets->size(); ++n) {
    Failure failure = RunDataSet(**session, *facts, (*data_sets)[n], tolerance);
    if (failure && data_sets->size() > 1)
      return "test_data_set_" + std::to_string(n) + ": " + *failure;
    if (failure) return failure;
  }
  return std::nullopt;
}

}  // namespace

CaseResult RunCase(const Case& test_case, const Tolerance& tolerance) {
  CaseResult result;
  result.name = test_case.name;
  result.folder = test_case.folder;
  const auto start = std::chrono::steady_clock::now();
  try {
    const Failure failure = RunCaseOrFail(test_case, tolerance, result);
    result.passed = !failure.has_value();
    result.message = failure.value_or("");
  } catch (const std::exception& error) {
    result.passed = false;
    result.message = std::string("exception: ") + error.what();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace mlos::conformance
