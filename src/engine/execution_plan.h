// ExecutionPlan: a model's graph prepared for running — nodes in dependency order with their
// kernels, constants converted once, every value numbered, and a buffer-lifetime plan.
//
// Values live in numbered slots. Slots [0, constants.size()) hold constants (initializers and the
// outputs of Constant nodes, folded at load time); every other slot is filled at run time by a
// graph input or a node output. Each node lists the run-time slots whose last consumer it is, so
// the executor frees intermediate tensors as soon as nothing needs them. Graph outputs are never
// freed. The plan is immutable once built and may be read by many runs at once; it points into
// the ModelProto it was built from, which must outlive it.
//
// Subgraphs (If branches, Loop and Scan bodies) get plans of their own, built when their node's
// kernel compiles them. A node whose subgraphs read values of an enclosing graph lists them as
// implicit inputs after its own (so they are ordered and kept alive like any input); the
// subgraph's plan binds them to `captured_slots`. Enclosing constants are shared, not captured.
#pragma once

#include <onnx/onnx_pb.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/kernel.h"
#include "engine/kernel_registry.h"
#include "engine/value.h"

namespace mlos::engine {

inline constexpr int kNoSlot = -1;  // a missing optional input or an output nobody names

struct PlannedNode {
  const onnx::NodeProto* node = nullptr;
  std::string description;  // "node 'name' (Op)", the prefix of its errors
  std::unique_ptr<Kernel> kernel;
  std::vector<int> inputs;         // slot per node input, kNoSlot when absent, then captures
  size_t explicit_inputs = 0;      // how many of `inputs` are the node's own
  bool value_inputs = false;       // the kernel accepts sequences and optionals
  std::vector<int> outputs;        // slot per node output, kNoSlot when unnamed
  std::vector<int> release_after;  // run-time slots nothing reads after this node
};

struct ExecutionPlan {
  std::vector<Value> constants;    // tensors, each shared by every run
  int slot_count = 0;
  std::vector<int> input_slots;    // one per non-initializer graph input, in graph order
  std::vector<int> output_slots;   // one per graph output, in graph order
  std::vector<int> captured_slots;  // subgraphs: one per outer-scope value the node captures
  std::vector<PlannedNode> nodes;  // in execution (topological) order
  size_t constant_bytes = 0;

  bool IsConstant(int slot) const { return slot < static_cast<int>(constants.size()); }
};

// Builds the plan for `model` (as returned by LoadModelProto). Moves initializer data out of the
// model into the plan's constants. Fails with InvalidArgument on a cycle or a dangling input and
// with Unimplemented on an unsupported op, naming the node.
StatusOr<ExecutionPlan> BuildExecutionPlan(onnx::ModelProto& model, const KernelRegistry& registry);

}  // namespace mlos::engine
