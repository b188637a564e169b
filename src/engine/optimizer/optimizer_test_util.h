// Test helpers for the optimizer passes: count the ops a pass left, and check that a model gives
// the same outputs with and without the optimizer. Include only from *_test.cc files.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/session.h"
#include "engine/test_models.h"

namespace mlos::engine::testing {

// How many nodes of `graph` have this op_type (any domain).
inline int CountOps(const onnx::GraphProto& graph, const std::string& op_type) {
  return static_cast<int>(std::count_if(graph.node().begin(), graph.node().end(),
                                        [&](const onnx::NodeProto& n) { return n.op_type() == op_type; }));
}

// Runs the model saved at `path` with the optimizer on and off, on `inputs`, and expects every
// float output to agree within `tolerance` (relative to the larger magnitude, absolute near 0).
inline void ExpectOptimizedOutputsUnchanged(const std::string& path,
                                            const std::vector<NamedTensor>& inputs,
                                            double tolerance = 1e-5) {
  std::vector<std::vector<NamedTensor>> results;
  for (bool optimize : {true, false}) {
    StatusOr<std::unique_ptr<Session>> session =
        Session::Load(path, SessionOptions{.threads = 2, .optimize = optimize});
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    StatusOr<std::vector<NamedTensor>> outputs = (*session)->Run(inputs, {});
    ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
    results.push_back(*std::move(outputs));
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  for (size_t i = 0; i < results[0].size(); ++i) {
    const Tensor& fused = results[0][i].tensor;
    const Tensor& plain = results[1][i].tensor;
    ASSERT_EQ(fused.shape(), plain.shape()) << results[0][i].name;
    ASSERT_EQ(fused.dtype(), DataType::kFloat32) << results[0][i].name;
    for (int64_t j = 0; j < fused.element_count(); ++j) {
      const double a = fused.data<float>()[j], b = plain.data<float>()[j];
      const double scale = std::max({1.0, std::fabs(a), std::fabs(b)});
      ASSERT_NEAR(a, b, tolerance * scale) << results[0][i].name << " element " << j;
    }
  }
}

// Deterministic values in [-1, 1) for test inputs and weights.
inline std::vector<float> TestValues(size_t count, unsigned seed = 1) {
  std::vector<float> values(count);
  uint32_t state = seed * 2654435761u + 1;
  for (float& value : values) {
    state = state * 1664525u + 1013904223u;
    value = static_cast<float>(state >> 8) / static_cast<float>(1 << 23) - 1.0f;
  }
  return values;
}

}  // namespace mlos::engine::testing
