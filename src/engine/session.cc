// Session::Load and the executor behind Session::Run.
#include "engine/session.h"

#include <exception>
#include <new>
#include <thread>

#include "engine/execution_plan.h"
#include "engine/executor.h"
#include "engine/input_validation.h"
#include "engine/model_loader.h"
#include "engine/model_signature.h"
#include "engine/op_profile.h"
#include "engine/optimizer/graph_optimizer.h"
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
  GraphSession(onnx::ModelProto model, ModelSignature signature, std::shared_ptr<ThreadPool> pool,
               std::shared_ptr<OpProfile> op_profile)
      : model_(std::move(model)),
        signature_(std::move(signature)),
        pool_(std::move(pool)),
        op_profile_(std::move(op_profile)) {}

  Status Prepare(bool optimize) {
    if (optimize) OptimizeGraph(model_);
    ASSIGN_OR_RETURN(plan_, BuildExecutionPlan(model_, KernelRegistry::BuiltIn()));
    return Status::Ok();
  }

  const ModelSignature& signature() const override { return signature_; }
  size_t memory_bytes() const override { return plan_.constant_bytes; }

  StatusOr<std::vector<NamedValue>> RunValues(
      std::span<const NamedValue> inputs,
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

  StatusOr<std::vector<NamedValue>> Execute(std::span<const NamedValue> inputs,
                                            std::span<const std::string> output_names) const {
    ASSIGN_OR_RETURN(std::vector<const Value*> matched, MatchInputs(signature_.inputs, inputs));
    ASSIGN_OR_RETURN(std::vector<int> wanted, WantedOutputs(output_names));
    std::vector<Value> values(static_cast<size_t>(plan_.slot_count));
    for (size_t i = 0; i < matched.size(); ++i) values[plan_.input_slots[i]] = *matched[i];
    RETURN_IF_ERROR(RunPlan(plan_, values, pool_.get(), op_profile_.get()));

    std::vector<NamedValue> outputs;
    for (int output : wanted) {
      const Value& value = ValueInSlot(plan_, values, plan_.output_slots[output]);
      if (!value.is_set()) {
        return Internal("graph output '" + signature_.outputs[output].name + "' was not produced");
      }
      outputs.push_back({signature_.outputs[output].name, OwnedCopy(value, matched)});
    }
    return outputs;
  }

  // Outputs belong to the caller: a view of a constant or of a caller's input is copied.
  Tensor OwnedCopy(const Tensor& tensor, const std::vector<const Value*>& inputs) const {
    for (const Value* input : inputs) {
      if (input->is_tensor() && SharesBytes(tensor, input->tensor())) return tensor.Clone();
      if (!input->is_sequence()) continue;
      for (const Tensor& item : input->items()) {
        if (SharesBytes(tensor, item)) return tensor.Clone();
      }
    }
    for (const Value& constant : plan_.constants) {
      if (SharesBytes(tensor, constant.tensor())) return tensor.Clone();
    }
    return tensor;
  }

  Value OwnedCopy(const Value& value, const std::vector<const Value*>& inputs) const {
    if (value.is_tensor()) return OwnedCopy(value.tensor(), inputs);
    if (!value.is_sequence()) return value;
    std::vector<Tensor> items;
    for (const Tensor& item : value.items()) items.push_back(OwnedCopy(item, inputs));
    return Value::Sequence(value.element_type(), std::move(items));
  }

  onnx::ModelProto model_;  // the plan points into its nodes
  ModelSignature signature_;
  ExecutionPlan plan_;
  std::shared_ptr<ThreadPool> pool_;  // ParallelFor is safe from concurrent runs
  std::shared_ptr<OpProfile> op_profile_;  // null unless SessionOptions asked for one
};

std::shared_ptr<ThreadPool> PoolFor(const SessionOptions& options) {
  if (options.thread_pool) return options.thread_pool;
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::make_shared<ThreadPool>(threads);
}

}  // namespace

StatusOr<std::vector<NamedTensor>> Session::Run(std::span<const NamedTensor> inputs,
                                                std::span<const std::string> output_names) const {
  std::vector<NamedValue> input_values;
  input_values.reserve(inputs.size());
  for (const NamedTensor& input : inputs) input_values.push_back({input.name, input.tensor});
  ASSIGN_OR_RETURN(std::vector<NamedValue> outputs, RunValues(input_values, output_names));
  std::vector<NamedTensor> tensors;
  tensors.reserve(outputs.size());
  for (NamedValue& output : outputs) {
    if (!output.value.is_tensor()) {
      return InvalidArgument("output '" + output.name + "' is a " + output.value.Describe() +
                             ", not a tensor");
    }
    tensors.push_back({output.name, std::move(output.value.tensor())});
  }
  return tensors;
}

StatusOr<std::unique_ptr<Session>> Session::Load(const std::string& path,
                                                 const SessionOptions& options) {
  try {
    ASSIGN_OR_RETURN(onnx::ModelProto model, LoadModelProto(path));
    ModelSignature signature = SignatureOf(model);
    auto session = std::make_unique<GraphSession>(std::move(model), std::move(signature),
                                                  PoolFor(options), options.op_profile);
    RETURN_IF_ERROR(session->Prepare(options.optimize).WithContext("model '" + path + "'"));
    return std::unique_ptr<Session>(std::move(session));
  } catch (const std::bad_alloc&) {
    return OutOfMemory("out of memory while loading model '" + path + "'");
  } catch (const std::exception& e) {
    return Internal("unexpected error while loading model '" + path + "': " + e.what());
  }
}

}  // namespace mlos::engine
