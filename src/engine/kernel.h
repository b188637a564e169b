// Kernel: the unit of computation of the ONNX engine.
//
// A kernel is small and stateless between calls: a factory sees the node once at load time (its
// attributes, its opset, and any inputs that are constant initializers, e.g. weights to prepack)
// and returns a Kernel; Compute() then runs it on concrete tensors. Compute() is const and may be
// called concurrently from several threads on one Kernel object (one model, many requests), so any
// scratch memory lives on the stack or in the call, never in mutable members.
//
// Most kernels see only tensors (KernelContext::inputs/outputs). Kernels over sequences and
// optionals (registered with `value_inputs`) read KernelContext::values and may write
// KernelContext::value_outputs. Control-flow kernels (If, Loop, Scan) compile their graph
// attributes once through KernelInit::compile_subgraph and run them with the outer-scope values
// the executor hands them (KernelContext::captured()).
//
// Kernels compute their own output shapes (Reshape, NonZero and friends are data dependent) and
// fill every output they produce. Errors name the node ("node 'Gemm_3' (Gemm): ...") — the
// executor adds that prefix, the kernel says what is wrong with which input.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/node_attributes.h"
#include "engine/thread_pool.h"
#include "engine/value.h"

namespace mlos::engine {

// A graph attribute of a node (an If branch, a Loop or Scan body), prepared once at load time and
// owned by the kernel that compiled it. Run() is const and thread-safe.
class Subgraph {
 public:
  virtual ~Subgraph() = default;
  // The body's formal inputs and outputs, in graph order.
  virtual const std::vector<std::string>& input_names() const = 0;
  virtual const std::vector<std::string>& output_names() const = 0;
  // The declared element type of each output (of its tensors, for a sequence); kInvalid when the
  // graph does not say. Used to type the empty results of zero iterations.
  virtual const std::vector<DataType>& output_types() const = 0;
  // Runs the body once: `inputs` bind its formal inputs in order; `captured` are the outer-scope
  // values of the node (pass KernelContext::captured() unchanged). Returns one value per output.
  virtual StatusOr<std::vector<Value>> Run(std::span<const Value> inputs,
                                           std::span<const Value* const> captured,
                                           ThreadPool* pool) const = 0;
};

// Compiles the node's graph attribute `attribute`; InvalidArgument when the node has none.
using SubgraphCompiler =
    std::function<StatusOr<std::unique_ptr<Subgraph>>(const std::string& attribute)>;

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
  // Set for nodes that have graph attributes; empty otherwise.
  SubgraphCompiler compile_subgraph = nullptr;
};

// What Compute() sees on every run.
struct KernelContext {
  // One entry per node input; nullptr for a missing optional input.
  std::span<const Tensor* const> inputs;
  // Sized to the node's output count on entry; the kernel assigns each output it produces.
  std::span<Tensor> outputs;
  // May be null: run inline.
  ThreadPool* pool = nullptr;
  // One entry per node input (nullptr when absent), then one per outer-scope value the node's
  // subgraphs read. A tensor input appears in both `inputs` and here; a sequence or an empty
  // optional only here (its `inputs` entry is nullptr).
  std::span<const Value* const> values = {};
  // Sized like `outputs`. A kernel producing a sequence or an optional sets the entry; entries
  // left unset take the tensor in `outputs`.
  std::span<Value> value_outputs = {};

  size_t input_count() const { return inputs.size(); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const Tensor& input(size_t i) const { return *inputs[i]; }
  // The value of input `i`, or nullptr when absent.
  const Value* value(size_t i) const { return i < values.size() ? values[i] : nullptr; }
  std::span<const Value* const> captured() const {
    return values.size() > inputs.size() ? values.subspan(inputs.size())
                                         : std::span<const Value* const>();
  }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Compute(KernelContext& context) const = 0;
};

using KernelFactory = StatusOr<std::unique_ptr<Kernel>> (*)(const KernelInit& init);

}  // namespace mlos::engine
