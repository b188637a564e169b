// Benchmark inputs: deterministic random tensors for one model at a batch and sequence length,
// written once as files that both mlos-bench-engine and bench_ort.js read, so that the two
// engines run on the same bytes.
//
// Shapes: a fixed dimension keeps its size; a symbolic one takes its size from `dims` by name
// (e.g. "sequence" -> 128, "source" -> 128), else the first dimension is the batch. Contents:
// float inputs uniform in [-1, 1); an integer input that indexes an embedding table (the indices
// of a Gather over an initializer) uniform below the table's row count (the smallest such table);
// every other integer input (attention masks) all ones; bool inputs all true. Equal arguments give
// equal bytes.
//
// Files: DIR/inputs.json = [{"name", "dtype" (engine name: "float32", "int64", ...), "shape",
// "file"}] in graph input order; each file holds the tensor's raw little-endian elements.
// Errors name the input or the file.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/session.h"

namespace mlos::bench {

struct InputSizes {
  int64_t batch = 1;
  std::map<std::string, int64_t> dims{};  // symbolic dimension name -> size
  uint64_t seed = 1;
};

// REQUIRES: `model` holds its initializers' dims (data may be external or absent).
StatusOr<std::vector<engine::NamedTensor>> MakeInputs(const onnx::ModelProto& model,
                                                      const InputSizes& sizes);

// Creates `dir` if needed and writes the files described above.
Status WriteInputFiles(const std::string& dir, std::span<const engine::NamedTensor> inputs);
StatusOr<std::vector<engine::NamedTensor>> ReadInputFiles(const std::string& dir);

}  // namespace mlos::bench
