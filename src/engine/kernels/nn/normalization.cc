// LayerNormalization (opset 17), InstanceNormalization (opset 1, 6) and
// MeanVarianceNormalization (opset 9, 13): all standardise groups of X's elements to zero mean
// and unit variance (biased). The first two add epsilon to the variance and then apply a scale
// and bias; MeanVarianceNormalization groups over `axes` (default [0, 2, 3]) and divides by
// sqrt(variance) + 1e-9, as its function definition does.
//
// LayerNormalization's rows are the trailing dimensions from `axis` (default -1); Scale and the
// optional B broadcast to those dimensions, and the optional outputs Mean and InvStdDev have X's
// shape with the normalised dimensions set to 1. InstanceNormalization's rows are the spatial
// planes of X [N, C, spatial...], with scale and B of shape [C]. Statistics accumulate in double.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

struct RowStatistics {
  double mean = 0;
  double inverse_std_dev = 0;
};

template <typename T>
RowStatistics Standardize(const T* row, int64_t size, double epsilon) {
  double sum = 0, sum_of_squares = 0;
  for (int64_t i = 0; i < size; ++i) {
    const double value = static_cast<double>(row[i]);
    sum += value;
    sum_of_squares += value * value;
  }
  const double mean = size == 0 ? 0 : sum / static_cast<double>(size);
  const double variance =
      size == 0 ? 0 : std::max(0.0, sum_of_squares / static_cast<double>(size) - mean * mean);
  return {mean, 1.0 / std::sqrt(variance + epsilon)};
}

class LayerNormKernel final : public Kernel {
 public:
  LayerNormKernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    ASSIGN_OR_RETURN(const int64_t axis,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    const Shape row_shape(shape.begin() + axis, shape.end());
    const int64_t rows = DimensionProduct(shape, 0, axis);
    const int64_t row_size = ElementCount(row_shape);
    Shape statistics_shape = shape;
    for (size_t i = axis; i < shape.size(); ++i) statistics_shape[i] = 1;
    for (size_t i = 1; i < 3; ++i) {
      if (context.has_input(i) && context.input(i).dtype() != x.dtype()) {
        return InvalidArgument(std::string(i == 1 ? "input 1 (Scale)" : "input 2 (B)") +
                               ": element type " + Name(context.input(i).dtype()) +
                               " does not match " + Name(x.dtype()) + " of input 0 (X)");
      }
    }
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), shape);
    Tensor* mean = context.outputs.size() > 1 ? &context.outputs[1] : nullptr;
    Tensor* inverse_std_dev = context.outputs.size() > 2 ? &context.outputs[2] : nullptr;
    if (mean) *mean = Tensor(x.dtype(), statistics_shape);
    if (inverse_std_dev) *inverse_std_dev = Tensor(x.dtype(), statistics_shape);
    return DispatchByType<TypeList<float, double>>(x.dtype(), "LayerNormalization", [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::vector<T> scale(row_size), bias(row_size, T(0));
      RETURN_IF_ERROR(ExpandInto<T>(context.input(1), row_shape, "input 1 (Scale)", scale.data()));
      if (context.has_input(2)) {
        RETURN_IF_ERROR(ExpandInto<T>(context.input(2), row_shape, "input 2 (B)", bias.data()));
      }
      const T* in = x.data<T>();
      T* out = y.data<T>();
      ParallelFor(context.pool, rows, 4.0 * static_cast<double>(row_size),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t r = begin; r < end; ++r) {
                      const T* row = in + r * row_size;
                      const RowStatistics statistics = Standardize(row, row_size, epsilon_);
                      const T row_mean = static_cast<T>(statistics.mean);
                      const T inverse = static_cast<T>(statistics.inverse_std_dev);
                      T* result = out + r * row_size;
                      for (int64_t i = 0; i < row_size; ++i)
                        result[i] = (row[i] - row_mean) * inverse * scale[i] + bias[i];
                      if (mean) mean->data<T>()[r] = row_mean;
                      if (inverse_std_dev) inverse_std_dev->data<T>()[r] = inverse;
                    }
                  });
      return Status::Ok();
    });
  }

 private:
  const int64_t axis_;
  const double epsilon_;
};

class InstanceNormKernel final : public Kernel {
 public:
  explicit InstanceNormKernel(float epsilon) : epsilon_(epsilon) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    if (shape.size() < 3) {
      return InvalidArgument("input 0 (input): expected [N, C, spatial...], got shape " +
                             ShapeToString(shape));
    }
    const int64_t channels = shape[1];
    for (size_t i = 1; i < 3; ++i) {
      const Tensor& parameter = context.input(i);
      const char* name = i == 1 ? "input 1 (scale)" : "input 2 (B)";
      if (parameter.shape() != Shape{channels}) {
        return InvalidArgument(std::string(name) + ": expected shape [" + std::to_string(channels) +
                               "], got " + ShapeToString(parameter.shape()));
      }
      if (parameter.dtype() != x.dtype()) {
        return InvalidArgument(std::string(name) + ": element type " + Name(parameter.dtype()) +
                               " does not match " + Name(x.dtype()) + " of input 0 (input)");
      }
    }
    const int64_t planes = shape[0] * channels;
    const int64_t plane_size = DimensionProduct(shape, 2, shape.size());
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), shape);
    return DispatchByType<TypeList<float, double>>(
        x.dtype(), "InstanceNormalization", [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T* in = x.data<T>();
          const T* scale = context.input(1).data<T>();
          const T* bias = context.input(2).data<T>();
          T* out = y.data<T>();
          ParallelFor(context.pool, planes, 4.0 * static_cast<double>(plane_size),
                      [&](int64_t begin, int64_t end) {
                        for (int64_t plane = begin; plane < end; ++plane) {
                          const T* values = in + plane * plane_size;
                          const RowStatistics statistics =
                              Standardize(values, plane_size, epsilon_);
                          const T multiplier =
                              static_cast<T>(statistics.inverse_std_dev) * scale[plane % channels];
                          const T offset =
                              bias[plane % channels] - static_cast<T>(statistics.mean) * multiplier;
                          T* result = out + plane * plane_size;
                          for (int64_t i = 0; i < plane_size; ++i)
                            result[i] = values[i] * multiplier + offset;
                        }
                      });
          return Status::Ok();
        });
  }

 private:
  const double epsilon_;
};

class MeanVarianceNormalizationKernel final : public Kernel {
 public:
  explicit MeanVarianceNormalizationKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    ASSIGN_OR_RETURN(
        const std::vector<int64_t> axes,
        NormalizeAxes(axes_, static_cast<int64_t>(x.shape().size()), "attribute axes"));
    const ReductionLayout layout = PlanReduction(x.shape(), axes);
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), x.shape());
    return DispatchByType<TypeList<float, double>>(
        x.dtype(), "MeanVarianceNormalization", [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T* in = x.data<T>();
          T* out = y.data<T>();
          const std::vector<int64_t>& window = layout.window;
          const double count = static_cast<double>(std::max<size_t>(1, window.size()));
          ParallelFor(context.pool, static_cast<int64_t>(layout.starts.size()), 4.0 * count,
                      [&](int64_t begin, int64_t end) {
                        for (int64_t i = begin; i < end; ++i) {
                          const T* group = in + layout.starts[i];
                          double sum = 0, sum_of_squares = 0;
                          for (int64_t offset : window) {
                            sum += static_cast<double>(group[offset]);
                            sum_of_squares += static_cast<double>(group[offset]) *
                                              static_cast<double>(group[offset]);
                          }
                          const double mean = sum / count;
                          const double deviation =
                              std::sqrt(std::max(0.0, sum_of_squares / count - mean * mean));
                          for (int64_t offset : window) {
                            out[layout.starts[i] + offset] = static_cast<T>(
                                (static_cast<double>(group[offset]) - mean) / (deviation + 1e-9));
                          }
                        }
                      });
          return Status::Ok();
        });
  }

 private:
  const std::vector<int64_t> axes_;
};

StatusOr<std::unique_ptr<Kernel>> CreateMeanVarianceNormalization(const KernelInit& init) {
  std::vector<int64_t> axes = init.attributes.GetInts("axes");
  if (!init.attributes.Has("axes")) axes = {0, 2, 3};
  return std::unique_ptr<Kernel>(
      std::make_unique<MeanVarianceNormalizationKernel>(std::move(axes)));
}

StatusOr<std::unique_ptr<Kernel>> CreateLayerNorm(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<LayerNormKernel>(
      init.attributes.GetInt("axis", -1), init.attributes.GetFloat("epsilon", 1e-5f)));
}

StatusOr<std::unique_ptr<Kernel>> CreateInstanceNorm(const KernelInit& init) {
  return std::unique_ptr<Kernel>(
      std::make_unique<InstanceNormKernel>(init.attributes.GetFloat("epsilon", 1e-5f)));
}

}  // namespace

void RegisterNormalizationKernels(KernelRegistry& registry) {
  const std::vector<DataType> types = DataTypesOf(TypeList<float, double>{});
  registry.Register({"", "LayerNormalization", 17, 1 << 30, types, &CreateLayerNorm});
  registry.Register({"", "InstanceNormalization", 1, 1 << 30, types, &CreateInstanceNorm});
  registry.Register(
      {"", "MeanVarianceNormalization", 9, 1 << 30, types, &CreateMeanVarianceNormalization});
}

}  // namespace mlos::engine
