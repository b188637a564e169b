// NegativeLogLikelihoodLoss (opset 12, 13) and SoftmaxCrossEntropyLoss (opset 12, 13).
//
// For input [N, C, d...] (log-probabilities; for SoftmaxCrossEntropyLoss raw scores, turned into
// log-probabilities along C first) and int32/int64 target [N, d...]:
//   loss[n, d] = -input[n, target[n, d], d] * weight[target[n, d]]
// with weight (optional input 2, [C]) defaulting to 1, and loss 0 and weight 0 where the target
// equals ignore_index. reduction "none" returns loss; "sum" its sum; "mean" (the default) the sum
// divided by the sum of the weights used. SoftmaxCrossEntropyLoss's optional second output is the
// log-probabilities.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"
#include "engine/kernels/nn/softmax.h"

namespace mlos::engine {
namespace {

enum class Reduction { kNone, kSum, kMean };

struct LossOptions {
  Reduction reduction = Reduction::kMean;
  std::optional<int64_t> ignore_index;
};

// Reads target element i as int64.
int64_t TargetAt(const Tensor& target, int64_t i) {
  return target.dtype() == DataType::kInt32 ? target.data<int32_t>()[i] : target.data<int64_t>()[i];
}

// The loss of `log_probabilities` [N, C, d...] against `target` [N, d...] (see the file comment).
template <typename T>
StatusOr<Tensor> NegativeLogLikelihood(const T* log_probabilities, const Shape& shape,
                                       const Tensor& target, const Tensor* weight,
                                       const LossOptions& options) {
  const int64_t batch = shape[0], classes = shape[1];
  const int64_t inner = DimensionProduct(shape, 2, shape.size());
  Shape expected_target{batch};
  expected_target.insert(expected_target.end(), shape.begin() + 2, shape.end());
  if (target.shape() != expected_target) {
    return InvalidArgument("input 1 (target): expected shape " + ShapeToString(expected_target) +
                           ", got " + ShapeToString(target.shape()));
  }
  if (target.dtype() != DataType::kInt32 && target.dtype() != DataType::kInt64) {
    return InvalidArgument(std::string("input 1 (target): expected int32 or int64, got ") +
                           Name(target.dtype()));
  }
  if (weight != nullptr && weight->shape() != Shape{classes}) {
    return InvalidArgument("input 2 (weight): expected shape [" + std::to_string(classes) +
                           "], got " + ShapeToString(weight->shape()));
  }
  std::vector<T> losses(static_cast<size_t>(batch * inner));
  double loss_sum = 0, weight_sum = 0;
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t d = 0; d < inner; ++d) {
      const int64_t i = n * inner + d;
      const int64_t label = TargetAt(target, i);
      if (options.ignore_index && label == *options.ignore_index) {
        losses[i] = T(0);
        continue;
      }
      if (label < 0 || label >= classes) {
        return InvalidArgument("input 1 (target): class " + std::to_string(label) + " at element " +
                               std::to_string(i) + " is outside [0, " + std::to_string(classes) +
                               ")");
      }
      const T class_weight = weight ? weight->data<T>()[label] : T(1);
      losses[i] = -log_probabilities[(n * classes + label) * inner + d] * class_weight;
      loss_sum += static_cast<double>(losses[i]);
      weight_sum += static_cast<double>(class_weight);
    }
  }
  if (options.reduction == Reduction::kNone) {
    Tensor result(DataTypeFor<T>(), expected_target);
    std::copy(losses.begin(), losses.end(), result.data<T>());
    return result;
  }
  Tensor result(DataTypeFor<T>(), {});
  result.data<T>()[0] =
      static_cast<T>(options.reduction == Reduction::kSum ? loss_sum : loss_sum / weight_sum);
  return result;
}

template <bool kFromScores>
class LossKernel final : public Kernel {
 public:
  explicit LossKernel(LossOptions options) : options_(options) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    if (shape.size() < 2) {
      return InvalidArgument("input 0: expected [N, C, ...], got shape " + ShapeToString(shape));
    }
    const Tensor* weight = context.has_input(2) ? &context.input(2) : nullptr;
    if (weight != nullptr && weight->dtype() != input.dtype()) {
      return InvalidArgument(std::string("input 2 (weight): element type ") +
                             Name(weight->dtype()) + " does not match " + Name(input.dtype()) +
                             " of input 0");
    }
    return DispatchByType<TypeList<float, double>>(input.dtype(), "loss", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor log_probabilities = input;
      if constexpr (kFromScores) {
        log_probabilities = Tensor(input.dtype(), shape);
        const int64_t classes = shape[1], inner = DimensionProduct(shape, 2, shape.size());
        for (int64_t line = 0; line < shape[0] * inner; ++line) {
          const int64_t offset = (line / inner) * classes * inner + line % inner;
          NormalizeLine<Normalizer::kLogSoftmax>(
              input.data<T>() + offset, log_probabilities.data<T>() + offset, classes, inner);
        }
      }
      ASSIGN_OR_RETURN(context.outputs[0],
                       NegativeLogLikelihood<T>(log_probabilities.data<T>(), shape,
                                                context.input(1), weight, options_));
      if (kFromScores && context.outputs.size() > 1) context.outputs[1] = log_probabilities;
      return Status::Ok();
    });
  }

 private:
  const LossOptions options_;
};

template <bool kFromScores>
StatusOr<std::unique_ptr<Kernel>> CreateLoss(const KernelInit& init) {
  LossOptions options;
  const std::string reduction = init.attributes.GetString("reduction", "mean");
  if (reduction == "none") {
    options.reduction = Reduction::kNone;
  } else if (reduction == "sum") {
    options.reduction = Reduction::kSum;
  } else if (reduction != "mean") {
    return InvalidArgument("attribute reduction: expected none, sum or mean, got '" + reduction +
                           "'");
  }
  if (init.attributes.Has("ignore_index"))
    options.ignore_index = init.attributes.GetInt("ignore_index", 0);
  return std::unique_ptr<Kernel>(std::make_unique<LossKernel<kFromScores>>(options));
}

}  // namespace

void RegisterLossKernels(KernelRegistry& registry) {
  const std::vector<DataType> types = DataTypesOf(TypeList<float, double>{});
  registry.Register({"", "NegativeLogLikelihoodLoss", 12, 1 << 30, types, &CreateLoss<false>});
  registry.Register({"", "SoftmaxCrossEntropyLoss", 12, 1 << 30, types, &CreateLoss<true>});
}

}  // namespace mlos::engine
