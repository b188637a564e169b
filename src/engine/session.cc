// Session::Load and the executor behind Session::Run.
#include "engine/session.h"

#include <exception>
#include <new>
#include <thread>

#include "engine/execution_plan.h"
#include "engine/input_validation.h"
#include "engine/model_loader.h"
#include "engine/model_signature.h"
#include "engine/thread_pool.h"

namespace mlos::engine {
namespace {

// True iff `a` and `b` share storage (one is a view of the other).
bool SharesBytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() == DataType::kString && b.dtype() == DataType::kString) {
    return &a.strings() == &b.strings();
  }
  if (a.byte_size() == 0 || b.byte_size() == 0) return false;
  const auto* a_begin = static_cast<const std::byte*>(a.raw_data());
  const auto* b_begin = static_cast<const std::byte*>(b.raw_data());
  return a_begin < b_begin + b.byte_size() && b_begin < a_begin + a.byte_size();
}

class GraphSession final : public Session {
 public:
  GraphSession(onnx::ModelProto model, ModelSignature signature, int threads)
      : model_(std::move(model)), signature_(std::move(signature)), pool_(threads) {}

  Status Prepare() {
    ASSIGN_OR_RETURN(plan_, BuildExecutionPlan(model_, KernelRegistry::BuiltIn()));
    return Status::Ok();
  }

  const ModelSignature& signature() const override { return signature_; }
  size_t memory_bytes() const override { return plan_.constant_bytes; }

  StatusOr<std::vector<NamedTensor>> Run(std::span<const NamedTensor> inputs,
                                         std::span<const std::string> output_names) const override {
    try {
      return Execute(inputs, output_names);
    } catch (const std::bad_alloc&) {
      return OutOfMemory("out of memory while running the model");
    } catch (const std::exception& e) {
      return Internal(std::string("unexpected error while running the model: ") + e.what());
    }
  }

 private:
  // Indices into signature_.outputs; all of them when `output_names` is empty.
  StatusOr<std::vector<int>> WantedOutputs(std::span<const std::string> output_names) const {
    std::vector<int> wanted;
    if (output_names.empty()) {
      for (size_t i = 0; i < signature_.outputs.size(); ++i) wanted.push_back(static_cast<int>(i));
    }
    for (const std::string& name : output_names) {
      size_t index = 0;
      while (index < signature_.outputs.size() && signature_.outputs[index].name != name) ++index;
      if (index == signature_.outputs.size())
        return InvalidArgument("unknown output '" + name + "'");
      wanted.push_back(static_cast<int>(index));
    }
    return wanted;
  }

  StatusOr<std::vector<NamedTensor>> Execute(std::span<const NamedTensor> inputs,
                                             std::span<const std::string> output_names) const {
    ASSIGN_OR_RETURN(std::vector<const Tensor*> matched, MatchInputs(signature_.inputs, inputs));
    ASSIGN_OR_RETURN(std::vector<int> wanted, WantedOutputs(output_names));
    std::vector<Tensor> values(static_cast<size_t>(plan_.slot_count));
    for (size_t i = 0; i < matched.size(); ++i) values[plan_.input_slots[i]] = *matched[i];
    for (const PlannedNode& node : plan_.nodes) RETURN_IF_ERROR(RunNode(node, values));

    std::vector<NamedTensor> outputs;
    for (int output : wanted) {
      const int slot = plan_.output_slots[output];
      const Tensor& value = plan_.IsConstant(slot) ? plan_.constants[slot] : values[slot];
      if (value.empty()) {
        return Internal("graph output '" + signature_.outputs[output].name + "' was not produced");
      }
      outputs.push_back({signature_.outputs[output].name, OwnedCopy(value, matched)});
    }
    return outputs;
  }

  Status RunNode(const PlannedNode& node, std::vector<Tensor>& values) const {
    std::vector<const Tensor*> inputs(node.inputs.size(), nullptr);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int slot = node.inputs[i];
      if (slot == kNoSlot) continue;
      inputs[i] = plan_.IsConstant(slot) ? &plan_.constants[slot] : &values[slot];
      if (inputs[i]->empty()) {
        return Internal(node.description + ": input '" + node.node->input(static_cast<int>(i)) +
                        "' was not produced");
      }
    }
    std::vector<Tensor> outputs(node.outputs.size());
    KernelContext context{inputs, outputs, &pool_};
    RETURN_IF_ERROR(node.kernel->Compute(context).WithContext(node.description));
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i] != kNoSlot) values[node.outputs[i]] = std::move(outputs[i]);
    }
    for (int slot : node.release_after) values[slot] = Tensor();
    return Status::Ok();
  }

  // Outputs belong to the caller: a view of a constant or of a caller's input is copied.
  Tensor OwnedCopy(const Tensor& value, const std::vector<const Tensor*>& inputs) const {
    for (const Tensor* input : inputs) {
      if (SharesBytes(value, *input)) return value.Clone();
    }
    for (const Tensor& constant : plan_.constants) {
      if (SharesBytes(value, constant)) return value.Clone();
    }
    return value;
  }

  onnx::ModelProto model_;  // the plan points into its nodes
  ModelSignature signature_;
  ExecutionPlan plan_;
  mutable ThreadPool pool_;  // ParallelFor is safe from concurrent runs
};

int ThreadCount(const SessionOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

StatusOr<std::unique_ptr<Session>> Session::Load(const std::string& path,
                                                 const SessionOptions& options) {
  try {
    ASSIGN_OR_RETURN(onnx::ModelProto model, LoadModelProto(path));
    ModelSignature signature = SignatureOf(model);
    auto session = std::make_unique<GraphSession>(std::move(model), std::move(signature),
                                                  ThreadCount(options));
    RETURN_IF_ERROR(session->Prepare().WithContext("model '" + path + "'"));
    return std::unique_ptr<Session>(std::move(session));
  } catch (const std::bad_alloc&) {
    return OutOfMemory("out of memory while loading model '" + path + "'");
  } catch (const std::exception& e) {
    return Internal("unexpected error while loading model '" + path + "': " + e.what());
  }
}

}  // namespace mlos::engine
