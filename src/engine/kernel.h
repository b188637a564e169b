// Kernel: the unit of computation of the ONNX engine.
//
// A kernel is small and stateless between calls: a factory sees the node once at load time (its
// attributes, its opset, and any inputs that are constant initializers, e.g. weights to prepack)
// and returns a Kernel; Compute() then runs it on concrete tensors. Compute() is const and may be
// called concurrently from several threads on one Kernel object (one model, many requests), so any
// scratch memory lives on the stack or in the call, never in mutable members.
//
// Kernels compute their own output shapes (Reshape, NonZero and friends are data dependent) and
// fill every output they produce. Errors name the node ("node 'Gemm_3' (Gemm): ...") — the
// executor adds that prefix, the kernel says what is wrong with which input.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/node_attributes.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

// What a factory sees once, at load time.
struct KernelInit {
  const onnx::NodeProto& node;
  NodeAttributes attributes;
  int opset = 0;  // the model's opset for the node's domain
  // One entry per node input: the tensor when that input is a constant initializer (or folded
  // constant), else nullptr. Missing optional inputs ("" names) are nullptr too.
  std::vector<const Tensor*> constant_inputs;
  // One entry per node input: the element type if known from the graph (shape inference), else
  // DataType::kInvalid.
  std::vector<DataType> input_types;
};

// What Compute() sees on every run.
struct KernelContext {
  // One entry per node input; nullptr for a missing optional input.
  std::span<const Tensor* const> inputs;
  // Sized to the node's output count on entry; the kernel assigns each output it produces.
  std::span<Tensor> outputs;
  // May be null: run inline.
  ThreadPool* pool = nullptr;

  size_t input_count() const { return inputs.size(); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const Tensor& input(size_t i) const { return *inputs[i]; }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Compute(KernelContext& context) const = 0;
};

using KernelFactory = StatusOr<std::unique_ptr<Kernel>> (*)(const KernelInit& init);

}  // namespace mlos::engine
