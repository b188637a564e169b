// Session: one loaded ONNX model, ready to run. The engine's entry point for the rest of MLOS.
//
// Load() reads the file (external data included), validates it with the ONNX checker, infers
// shapes, resolves a kernel for every node (an unsupported op fails here, naming the node, op,
// domain and opset) and prepares the execution plan. Run() is const and thread-safe: many
// requests may run one Session at once. Outputs are freshly allocated tensors owned by the caller.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/value.h"

namespace mlos::engine {

// A declared graph input or output. Dynamic or symbolic dimensions are -1; `rank_known` is false
// when the graph does not say the rank (shape is then empty). Sequence and optional inputs and
// outputs (rare outside conformance tests) have kind kSequence/kOptional and describe their
// element tensors in dtype (kInvalid when unknown).
struct TensorInfo {
  enum class Kind { kTensor, kSequence, kOptional, kOther };
  std::string name;
  DataType dtype = DataType::kInvalid;
  Shape shape;
  bool rank_known = true;
  Kind kind = Kind::kTensor;
};

struct ModelSignature {
  std::vector<TensorInfo> inputs;   // graph inputs that are not initializers
  std::vector<TensorInfo> outputs;
  int64_t ir_version = 0;
  int64_t opset = 0;                // ai.onnx opset
  std::string producer;             // producer_name + " " + producer_version
};

// Reads the inputs and outputs of the ONNX model at `path` without preparing kernels (Axon uses
// this to write a manifest). Fails with InvalidArgument naming the file when it is not a valid
// ONNX model.
StatusOr<ModelSignature> ReadModelSignature(const std::string& path);

class ThreadPool;
class OpProfile;

struct SessionOptions {
  int threads = 0;  // intra-op threads of the session's own pool; 0 = one per core
  // A pool shared with other sessions (e.g. every model of a server), so that models running at
  // once share the cores instead of oversubscribing them; when set, `threads` is ignored.
  std::shared_ptr<ThreadPool> thread_pool{};
  // When set, every run adds each node's wall time to it by op type (engine/op_profile.h); the
  // caller reads it. Null, the default, times nothing.
  std::shared_ptr<OpProfile> op_profile{};
  // Rewrite the graph with engine/optimizer before planning it (fusions, identity elimination).
  // Off only to compare against the graph as exported.
  bool optimize = true;
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct NamedValue {
  std::string name;
  Value value;
};

class Session {
 public:
  virtual ~Session() = default;

  static StatusOr<std::unique_ptr<Session>> Load(const std::string& path,
                                                 const SessionOptions& options);

  virtual const ModelSignature& signature() const = 0;

  // Runs the model. Every graph input must be given, with the declared dtype and a shape that
  // matches the declared one (fixed dims equal); otherwise InvalidArgument names the input, the
  // expected dtype/shape and what came. `output_names` empty = all outputs, in graph order.
  // Fails with InvalidArgument when a wanted output is not a tensor (see RunValues).
  StatusOr<std::vector<NamedTensor>> Run(std::span<const NamedTensor> inputs,
                                         std::span<const std::string> output_names) const;

  // Run() for models whose inputs or outputs are sequences or optionals as well as tensors.
  virtual StatusOr<std::vector<NamedValue>> RunValues(
      std::span<const NamedValue> inputs, std::span<const std::string> output_names) const = 0;

  // Bytes held by weights and prepared buffers.
  virtual size_t memory_bytes() const = 0;
};

}  // namespace mlos::engine
