// The sequence ops that build, read and edit sequences of tensors. Sequences are immutable: every
// op returns a new one sharing the old one's tensors.
#include "engine/kernels/common/axes.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"
#include "engine/kernels/sequence/registrations.h"

namespace mlos::engine {
namespace {

// Reads input `index` as a position into a sequence of `size` items: [-size, size - 1], or
// [-size, size] when `end_allowed` (an insert position).
StatusOr<size_t> ReadPosition(const KernelContext& context, size_t index, size_t size,
                              bool end_allowed) {
  ASSIGN_OR_RETURN(const Tensor* tensor, TensorInput(context, index, "input position"));
  ASSIGN_OR_RETURN(int64_t position, ReadScalarInteger(*tensor, "input position"));
  const int64_t count = static_cast<int64_t>(size);
  const int64_t last = end_allowed ? count : count - 1;
  if (position < -count || position > last) {
    return InvalidArgument("input position: " + std::to_string(position) +
                           " is out of range [" + std::to_string(-count) + ", " +
                           std::to_string(last) + "] for a sequence of " + std::to_string(count) +
                           " tensors");
  }
  return static_cast<size_t>(position < 0 ? position + count : position);
}

Status CheckItemType(const Value& sequence, const Tensor& tensor) {
  if (sequence.items().empty() && sequence.element_type() == DataType::kInvalid) return Status::Ok();
  if (tensor.dtype() == sequence.element_type()) return Status::Ok();
  return InvalidArgument(std::string("input tensor: element type ") + Name(tensor.dtype()) +
                         " does not match the sequence's " + Name(sequence.element_type()));
}

class SequenceEmptyKernel : public Kernel {
 public:
  explicit SequenceEmptyKernel(DataType type) : type_(type) {}
  Status Compute(KernelContext& context) const override {
    context.value_outputs[0] = Value::Sequence(type_, {});
    return Status::Ok();
  }

 private:
  DataType type_;
};

StatusOr<std::unique_ptr<Kernel>> CreateSequenceEmpty(const KernelInit& init) {
  const int64_t code = init.attributes.GetInt("dtype", 1);
  std::optional<DataType> type = DataTypeFromCode(static_cast<int32_t>(code));
  if (!type) return InvalidArgument("attribute dtype: unknown element type " + std::to_string(code));
  return std::unique_ptr<Kernel>(std::make_unique<SequenceEmptyKernel>(*type));
}

class SequenceConstructKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    std::vector<Tensor> items;
    for (size_t i = 0; i < context.input_count(); ++i) {
      ASSIGN_OR_RETURN(const Tensor* item, TensorInput(context, i, "input"));
      if (item->dtype() != context.input(0).dtype()) {
        return InvalidArgument("input " + std::to_string(i) + ": element type " +
                               Name(item->dtype()) + " does not match input 0's " +
                               Name(context.input(0).dtype()));
      }
      items.push_back(*item);
    }
    context.value_outputs[0] = Value::Sequence(context.input(0).dtype(), std::move(items));
    return Status::Ok();
  }
};

class SequenceInsertKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const Value* sequence, SequenceInput(context, 0, "input input_sequence"));
    ASSIGN_OR_RETURN(const Tensor* inserted, TensorInput(context, 1, "input tensor"));
    const Tensor& tensor = *inserted;
    RETURN_IF_ERROR(CheckItemType(*sequence, tensor));
    std::vector<Tensor> items = sequence->items();
    size_t position = items.size();
    if (context.has_input(2)) {
      ASSIGN_OR_RETURN(position, ReadPosition(context, 2, items.size(), true));
    }
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(position), tensor);
    context.value_outputs[0] = Value::Sequence(tensor.dtype(), std::move(items));
    return Status::Ok();
  }
};

class SequenceAtKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const Value* sequence, SequenceInput(context, 0, "input input_sequence"));
    ASSIGN_OR_RETURN(size_t position, ReadPosition(context, 1, sequence->items().size(), false));
    context.outputs[0] = sequence->items()[position];
    return Status::Ok();
  }
};

class SequenceEraseKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const Value* sequence, SequenceInput(context, 0, "input input_sequence"));
    std::vector<Tensor> items = sequence->items();
    if (items.empty()) return InvalidArgument("input input_sequence: the sequence is empty");
    size_t position = items.size() - 1;
    if (context.has_input(1)) {
      ASSIGN_OR_RETURN(position, ReadPosition(context, 1, items.size(), false));
    }
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(position));
    context.value_outputs[0] = Value::Sequence(sequence->element_type(), std::move(items));
    return Status::Ok();
  }
};

class SequenceLengthKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const Value* sequence, SequenceInput(context, 0, "input input_sequence"));
    Tensor length(DataType::kInt64, {});
    *length.data<int64_t>() = static_cast<int64_t>(sequence->items().size());
    context.outputs[0] = std::move(length);
    return Status::Ok();
  }
};

}  // namespace

void RegisterSequenceOpKernels(KernelRegistry& registry) {
  auto add = [&](const char* op, KernelFactory factory) {
    registry.Register({"", op, 11, kLatestOpset, {}, factory, /*value_inputs=*/true});
  };
  add("SequenceEmpty", &CreateSequenceEmpty);
  add("SequenceConstruct", &CreateKernel<SequenceConstructKernel, 1, 1 << 16>);
  add("SequenceInsert", &CreateKernel<SequenceInsertKernel, 2, 3>);
  add("SequenceAt", &CreateKernel<SequenceAtKernel, 2>);
  add("SequenceErase", &CreateKernel<SequenceEraseKernel, 1, 2>);
  add("SequenceLength", &CreateKernel<SequenceLengthKernel, 1>);
}

}  // namespace mlos::engine
