// Test helper shared by the elementwise and tensor kernel tests (include from *_test.cc only).
#pragma once

#include "engine/kernels/kernel_test_util.h"

namespace mlos::engine::testing {

// Runs `node` at `opset` and returns its first output; a failure is a test failure (and an
// empty tensor).
inline Tensor RunOne(const NodeBuilder& node, const std::vector<Tensor>& inputs, int opset = 17) {
  StatusOr<std::vector<Tensor>> result = RunNode(node.Build(), opset, inputs);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? (*result)[0] : Tensor();
}

// The error message of running `node`, or "" (with a test failure) when it succeeds.
inline std::string RunError(const NodeBuilder& node, const std::vector<Tensor>& inputs,
                            int opset = 17) {
  StatusOr<std::vector<Tensor>> result = RunNode(node.Build(), opset, inputs);
  EXPECT_FALSE(result.ok()) << "expected an error";
  return result.ok() ? std::string() : result.status().message();
}

}  // namespace mlos::engine::testing
