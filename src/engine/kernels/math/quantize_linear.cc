// QuantizeLinear and DequantizeLinear (opset 10, 13): affine 8-bit quantisation.
//   QuantizeLinear:   y = saturate(round_half_to_even(x / scale) + zero_point), y uint8 or int8
//   DequantizeLinear: y = (x - zero_point) * scale, y float
// scale and zero_point are scalars (per tensor) or, from opset 13, 1-D along `axis` (default 1,
// per channel). A missing zero_point is 0, and QuantizeLinear then produces uint8.
// DynamicQuantizeLinear (opset 11) picks the uint8 scale and zero point from x itself: the range
// [min(0, min x), max(0, max x)] maps onto [0, 255].
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/quantization.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

// Where element i finds its scale and zero point: index (i / inner) % channels.
struct QuantizationAxis {
  int64_t channels = 1;
  int64_t inner = 1;
  int64_t ParameterIndex(int64_t i) const { return channels == 1 ? 0 : (i / inner) % channels; }
};

StatusOr<QuantizationAxis> ResolveQuantizationAxis(const Shape& shape, const Tensor& scale,
                                                   const Tensor* zero_point,
                                                   int64_t axis_attribute) {
  QuantizationAxis axis;
  if (scale.element_count() != 1) {
    if (scale.shape().size() != 1) {
      return InvalidArgument("input 1 (scale): expected a scalar or a 1-D tensor, got shape " +
                             ShapeToString(scale.shape()));
    }
    ASSIGN_OR_RETURN(
        const int64_t at,
        ResolveAxis(axis_attribute, static_cast<int64_t>(shape.size()), "attribute axis"));
    if (scale.shape()[0] != shape[at]) {
      return InvalidArgument("input 1 (scale): " + std::to_string(scale.shape()[0]) +
                             " values do not match the " + std::to_string(shape[at]) +
                             " channels on axis " + std::to_string(at) + " of input 0 (x)");
    }
    axis.channels = shape[at];
    axis.inner = DimensionProduct(shape, at + 1, shape.size());
  }
  if (zero_point != nullptr && zero_point->element_count() != axis.channels) {
    return InvalidArgument("input 2 (zero_point): expected " + std::to_string(axis.channels) +
                           " values, got shape " + ShapeToString(zero_point->shape()));
  }
  if (scale.dtype() != DataType::kFloat32) {
    return InvalidArgument(std::string("input 1 (scale): expected float32, got ") +
                           Name(scale.dtype()));
  }
  return axis;
}

class QuantizeLinearKernel final : public Kernel {
 public:
  explicit QuantizeLinearKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& scale = context.input(1);
    const Tensor* zero_point = context.has_input(2) ? &context.input(2) : nullptr;
    if (x.dtype() != DataType::kFloat32) {
      return Unimplemented(std::string("input 0 (x): QuantizeLinear supports float32, got ") +
                           Name(x.dtype()));
    }
    ASSIGN_OR_RETURN(const QuantizationAxis axis,
                     ResolveQuantizationAxis(x.shape(), scale, zero_point, axis_));
    const DataType output_type = zero_point ? zero_point->dtype() : DataType::kUInt8;
    Tensor& y = context.outputs[0];
    y = Tensor(output_type, x.shape());
    return DispatchByType<TypeList<uint8_t, int8_t>>(
        output_type, "QuantizeLinear output", [&](auto tag) {
          using Q = typename decltype(tag)::type;
          const float* in = x.data<float>();
          const float* scales = scale.data<float>();
          const Q* zero_points = zero_point ? zero_point->data<Q>() : nullptr;
          Q* out = y.data<Q>();
          const int64_t count = x.element_count();
          ParallelFor(context.pool, count, 4.0, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
              const int64_t p = axis.ParameterIndex(i);
              const double offset = zero_points ? static_cast<double>(zero_points[p]) : 0.0;
              out[i] = SaturateRound<Q>(in[i] / scales[p], offset);
            }
          });
          return Status::Ok();
        });
  }

 private:
  const int64_t axis_;
};

class DequantizeLinearKernel final : public Kernel {
 public:
  explicit DequantizeLinearKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& scale = context.input(1);
    const Tensor* zero_point = context.has_input(2) ? &context.input(2) : nullptr;
    if (zero_point != nullptr && zero_point->dtype() != x.dtype()) {
      return InvalidArgument(std::string("input 2 (x_zero_point): element type ") +
                             Name(zero_point->dtype()) + " does not match " + Name(x.dtype()) +
                             " of input 0 (x)");
    }
    ASSIGN_OR_RETURN(const QuantizationAxis axis,
                     ResolveQuantizationAxis(x.shape(), scale, zero_point, axis_));
    Tensor& y = context.outputs[0];
    y = Tensor(DataType::kFloat32, x.shape());
    return DispatchByType<TypeList<uint8_t, int8_t, int32_t>>(
        x.dtype(), "DequantizeLinear", [&](auto tag) {
          using Q = typename decltype(tag)::type;
          const Q* in = x.data<Q>();
          const float* scales = scale.data<float>();
          const Q* zero_points = zero_point ? zero_point->data<Q>() : nullptr;
          float* out = y.data<float>();
          const int64_t count = x.element_count();
          ParallelFor(context.pool, count, 2.0, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
              const int64_t p = axis.ParameterIndex(i);
              const int64_t offset = zero_points ? static_cast<int64_t>(zero_points[p]) : 0;
              out[i] = static_cast<float>(static_cast<int64_t>(in[i]) - offset) * scales[p];
            }
          });
          return Status::Ok();
        });
  }

 private:
  const int64_t axis_;
};

class DynamicQuantizeLinearKernel final : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    if (x.dtype() != DataType::kFloat32) {
      return InvalidArgument(std::string("input 0 (x): expected float32, got ") + Name(x.dtype()));
    }
    const std::span<const float> values = x.values<float>();
    // Float arithmetic throughout, as the operator's reference computes it.
    float low = 0, high = 0;
    for (float value : values) {
      low = std::min(low, value);
      high = std::max(high, value);
    }
    const float scale = (high - low) / 255.0f;
    const uint8_t zero_point = scale == 0 ? 0 : SaturateRound<uint8_t>(-low / scale, 0);
    Tensor& y = context.outputs[0];
    y = Tensor(DataType::kUInt8, x.shape());
    uint8_t* out = y.data<uint8_t>();
    for (size_t i = 0; i < values.size(); ++i) {
      out[i] = scale == 0 ? zero_point : SaturateRound<uint8_t>(values[i] / scale, zero_point);
    }
    context.outputs[1] = Tensor(DataType::kFloat32, {});
    context.outputs[1].data<float>()[0] = scale;
    context.outputs[2] = Tensor(DataType::kUInt8, {});
    context.outputs[2].data<uint8_t>()[0] = zero_point;
    return Status::Ok();
  }
};

StatusOr<std::unique_ptr<Kernel>> CreateDynamicQuantizeLinear(const KernelInit& init) {
  if (init.node.output_size() != 3) {
    return InvalidArgument(
        "DynamicQuantizeLinear needs its 3 outputs (y, y_scale, y_zero_point), got " +
        std::to_string(init.node.output_size()));
  }
  return std::unique_ptr<Kernel>(std::make_unique<DynamicQuantizeLinearKernel>());
}

template <typename KernelType>
StatusOr<std::unique_ptr<Kernel>> CreateQuantization(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<KernelType>(init.attributes.GetInt("axis", 1)));
}

}  // namespace

void RegisterQuantizeLinearKernels(KernelRegistry& registry) {
  registry.Register({"", "DynamicQuantizeLinear", 11, 1 << 30, DataTypesOf(TypeList<float>{}),
                     &CreateDynamicQuantizeLinear});
  registry.Register({"", "QuantizeLinear", 10, 1 << 30, DataTypesOf(TypeList<float>{}),
                     &CreateQuantization<QuantizeLinearKernel>});
  registry.Register({"", "DequantizeLinear", 10, 1 << 30,
                     DataTypesOf(TypeList<uint8_t, int8_t, int32_t>{}),
                     &CreateQuantization<DequantizeLinearKernel>});
}

}  // namespace mlos::engine
