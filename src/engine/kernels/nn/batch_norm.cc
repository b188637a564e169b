// BatchNormalization (opset 1, 6, 7, 9, 14, 15):
// Y = (X - mean) / sqrt(var + epsilon) * scale + B per channel of X [N, C, ...], with scale, B,
// mean and var of shape [C]. The per-channel affine form (multiplier, offset) is computed once in
// the factory when all four are constant initializers, else on each call.
// With training_mode = 1 (opset 14+) or is_test = 0 (opset 1-6, the default), mean and var are the
// batch's own (population) statistics, and the optional outputs running_mean and running_var are
// input_statistic * momentum + batch_statistic * (1 - momentum).
// spatial = 0 (opset < 9) and the outputs saved_mean, saved_var (opset < 14) are Unimplemented;
// consumed_inputs (opset 1) is ignored.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"

namespace mlos::engine {
namespace {

// y = x * multiplier[c] + offset[c].
struct ChannelAffine {
  std::vector<double> multiplier, offset;
};

constexpr const char* kParameterNames[] = {"input 1 (scale)", "input 2 (B)", "input 3 (input_mean)",
                                           "input 4 (input_var)"};

// REQUIRES: parameters holds the four tensors scale, B, mean, var.
StatusOr<ChannelAffine> FoldParameters(const std::vector<const Tensor*>& parameters, DataType dtype,
                                       int64_t channels, float epsilon) {
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i]->shape() != Shape{channels}) {
      return InvalidArgument(std::string(kParameterNames[i]) + ": expected shape [" +
                             std::to_string(channels) + "], got " +
                             ShapeToString(parameters[i]->shape()));
    }
    if (parameters[i]->dtype() != dtype) {
      return InvalidArgument(std::string(kParameterNames[i]) + ": element type " +
                             Name(parameters[i]->dtype()) + " does not match " + Name(dtype) +
                             " of input 0 (X)");
    }
  }
  ChannelAffine affine;
  Status status =
      DispatchByType<TypeList<float, double>>(dtype, "BatchNormalization", [&](auto tag) {
        using T = typename decltype(tag)::type;
        for (int64_t c = 0; c < channels; ++c) {
          const double scale = parameters[0]->data<T>()[c], bias = parameters[1]->data<T>()[c];
          const double mean = parameters[2]->data<T>()[c], variance = parameters[3]->data<T>()[c];
          const double multiplier = scale / std::sqrt(variance + static_cast<double>(epsilon));
          affine.multiplier.push_back(multiplier);
          affine.offset.push_back(bias - mean * multiplier);
        }
        return Status::Ok();
      });
  RETURN_IF_ERROR(status);
  return affine;
}

// Per-channel mean and population variance of X [N, C, ...], as [C] tensors of X's type.
template <typename T>
std::pair<Tensor, Tensor> BatchStatistics(const Tensor& x) {
  const int64_t batch = x.shape()[0], channels = x.shape()[1];
  const int64_t plane = batch * channels == 0 ? 0 : x.element_count() / (batch * channels);
  Tensor mean(x.dtype(), {channels}), variance(x.dtype(), {channels});
  const T* in = x.data<T>();
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0, sum_of_squares = 0;
    for (int64_t n = 0; n < batch; ++n) {
      const T* values = in + (n * channels + c) * plane;
      for (int64_t i = 0; i < plane; ++i) {
        sum += static_cast<double>(values[i]);
        sum_of_squares += static_cast<double>(values[i]) * static_cast<double>(values[i]);
      }
    }
    const double count = std::max<double>(1.0, static_cast<double>(batch * plane));
    mean.data<T>()[c] = static_cast<T>(sum / count);
    variance.data<T>()[c] =
        static_cast<T>(std::max(0.0, sum_of_squares / count - (sum / count) * (sum / count)));
  }
  return {mean, variance};
}

// running = input * momentum + batch * (1 - momentum), element-wise over [C].
Status BlendRunningStatistic(const Tensor& input, const Tensor& batch, float momentum,
                             Tensor& running) {
  running = Tensor(batch.dtype(), batch.shape());
  return DispatchByType<TypeList<float, double>>(
      batch.dtype(), "BatchNormalization", [&](auto tag) {
        using T = typename decltype(tag)::type;
        for (int64_t c = 0; c < batch.element_count(); ++c) {
          running.data<T>()[c] =
              static_cast<T>(input.data<T>()[c] * momentum + batch.data<T>()[c] * (1 - momentum));
        }
        return Status::Ok();
      });
}

class BatchNormKernel final : public Kernel {
 public:
  BatchNormKernel(float epsilon, std::optional<ChannelAffine> folded,
                  std::optional<float> training_momentum)
      : epsilon_(epsilon), folded_(std::move(folded)), training_momentum_(training_momentum) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    if (shape.size() < 2) {
      return InvalidArgument("input 0 (X): expected [N, C, ...], got shape " +
                             ShapeToString(shape));
    }
    const int64_t channels = shape[1];
    std::optional<ChannelAffine> computed;
    if (!folded_) {
      for (size_t i = 1; i <= 4; ++i) {
        if (!context.has_input(i))
          return InvalidArgument(std::string(kParameterNames[i - 1]) + " is missing");
      }
      std::pair<Tensor, Tensor> statistics{context.input(3), context.input(4)};
      if (training_momentum_) {
        Status status =
            DispatchByType<TypeList<float, double>>(x.dtype(), "BatchNormalization", [&](auto tag) {
              statistics = BatchStatistics<typename decltype(tag)::type>(x);
              return Status::Ok();
            });
        RETURN_IF_ERROR(status);
      }
      ASSIGN_OR_RETURN(computed, FoldParameters({&context.input(1), &context.input(2),
                                                 &statistics.first, &statistics.second},
                                                x.dtype(), channels, epsilon_));
      for (size_t output = 1; training_momentum_ && output < 3 && output < context.outputs.size();
           ++output) {
        RETURN_IF_ERROR(BlendRunningStatistic(context.input(output + 2),
                                              output == 1 ? statistics.first : statistics.second,
                                              *training_momentum_, context.outputs[output]));
      }
    }
    const ChannelAffine& affine = folded_ ? *folded_ : *computed;
    if (static_cast<int64_t>(affine.multiplier.size()) != channels) {
      return InvalidArgument(
          "input 0 (X): " + std::to_string(channels) + " channels do not match the " +
          std::to_string(affine.multiplier.size()) + " of the constant parameters");
    }
    const int64_t planes = shape[0] * channels;
    const int64_t plane_size = planes == 0 ? 0 : x.element_count() / planes;
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), shape);
    return DispatchByType<TypeList<float, double>>(x.dtype(), "BatchNormalization", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      ParallelFor(context.pool, planes, static_cast<double>(plane_size),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t plane = begin; plane < end; ++plane) {
                      const T multiplier = static_cast<T>(affine.multiplier[plane % channels]);
                      const T offset = static_cast<T>(affine.offset[plane % channels]);
                      const T* values = in + plane * plane_size;
                      T* results = out + plane * plane_size;
                      for (int64_t i = 0; i < plane_size; ++i)
                        results[i] = values[i] * multiplier + offset;
                    }
                  });
      return Status::Ok();
    });
  }

 private:
  const float epsilon_;
  const std::optional<ChannelAffine> folded_;
  const std::optional<float> training_momentum_;  // set in training mode
};

StatusOr<std::unique_ptr<Kernel>> CreateBatchNorm(const KernelInit& init) {
  const bool training = init.opset >= 14
                            ? init.attributes.GetInt("training_mode", 0) != 0
                            : init.opset < 7 && init.attributes.GetInt("is_test", 0) == 0;
  if (init.opset < 9 && init.attributes.GetInt("spatial", 1) == 0) {
    return Unimplemented("BatchNormalization with spatial = 0 is not supported");
  }
  for (int i = training ? 3 : 1; i < init.node.output_size(); ++i) {
    if (!init.node.output(i).empty()) {
      return Unimplemented("BatchNormalization output " + std::to_string(i) +
                           " (training statistics) is not supported at opset " +
                           std::to_string(init.opset));
    }
  }
  const float epsilon = init.attributes.GetFloat("epsilon", 1e-5f);
  std::optional<ChannelAffine> folded;
  const auto& constants = init.constant_inputs;
  const bool all_constant =
      constants.size() >= 5 && constants[1] && constants[2] && constants[3] && constants[4];
  if (all_constant && !training) {
    ASSIGN_OR_RETURN(folded,
                     FoldParameters({constants[1], constants[2], constants[3], constants[4]},
                                    constants[1]->dtype(), constants[1]->element_count(), epsilon));
  }
  std::optional<float> training_momentum;
  if (training) training_momentum = init.attributes.GetFloat("momentum", 0.9f);
  return std::unique_ptr<Kernel>(
      std::make_unique<BatchNormKernel>(epsilon, std::move(folded), training_momentum));
}

}  // namespace

void RegisterBatchNormKernel(KernelRegistry& registry) {
  registry.Register({"", "BatchNormalization", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}),
                     &CreateBatchNorm});
}

}  // namespace mlos::engine
