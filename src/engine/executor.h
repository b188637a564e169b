// The executor: runs an ExecutionPlan's nodes in order over a table of values. Shared by the
// Session (the main graph) and by subgraphs (If branches, Loop and Scan bodies).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/execution_plan.h"
#include "engine/kernel.h"
#include "engine/op_profile.h"
#include "engine/value.h"

namespace mlos::engine {

// Runs every node of `plan`. REQUIRES: `values` has plan.slot_count entries with the plan's input
// and captured slots bound. Node outputs land in their slots; values nothing reads any more are
// released. Errors carry the failing node's description. When `profile` is not null, each node's
// wall time is added to it under the node's op type.
Status RunPlan(const ExecutionPlan& plan, std::vector<Value>& values, ThreadPool* pool,
               OpProfile* profile = nullptr);

// The value in `slot` after RunPlan: a constant of the plan or a run-time value.
inline const Value& ValueInSlot(const ExecutionPlan& plan, const std::vector<Value>& values,
                                int slot) {
  return plan.IsConstant(slot) ? plan.constants[slot] : values[slot];
}

// Wraps a subgraph's plan as the Subgraph its node's kernel runs.
std::unique_ptr<Subgraph> MakeSubgraph(ExecutionPlan plan, const onnx::GraphProto& graph);

}  // namespace mlos::engine
