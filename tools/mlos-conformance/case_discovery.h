// Finding conformance cases on disk. A case is a directory holding model.onnx and
// test_data_set_N/ folders (input_K.pb, output_K.pb); its name is "<parent folder>/<case>",
// e.g. "node/test_abs".
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mlos::conformance {

struct DataSet {
  std::vector<std::string> inputs;   // input_0.pb, input_1.pb, ... in index order
  std::vector<std::string> outputs;  // output_0.pb, ...
};

struct Case {
  std::string name;    // "node/test_abs"
  std::string folder;  // "node"
  std::string directory;
  std::string model;  // <directory>/model.onnx
};

// The default directories: /usr/share/libonnx-testdata/data/{node,pytorch-converted,
// pytorch-operator,simple}.
std::vector<std::string> DefaultCaseDirectories();

// Each of `directories` is either one case or a folder of cases. Returns the cases sorted by
// name, without duplicates. NotFound naming the directory when it is neither.
StatusOr<std::vector<Case>> DiscoverCases(const std::vector<std::string>& directories);

// The test_data_set_N folders of `test_case`, in N order, with their files in index order.
StatusOr<std::vector<DataSet>> ListDataSets(const Case& test_case);

}  // namespace mlos::conformance
