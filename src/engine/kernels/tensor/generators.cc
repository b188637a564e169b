// Kernels that make new tensors from attributes and small inputs: Constant, ConstantOfShape,
// Range, OneHot, EyeLike, and the window functions HannWindow, HammingWindow, BlackmanWindow.
#include <algorithm>
#include <cmath>
#include <optional>

#include "engine/constant_node.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/tensor/registrations.h"
#include "engine/tensor_proto.h"

namespace mlos::engine {
namespace {

// Constant: the value is decoded once, by the same function the loader folds Constants with.
class ConstantKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    ASSIGN_OR_RETURN(Tensor value, ConstantNodeValue(init.node));
    return std::unique_ptr<Kernel>(new ConstantKernel(std::move(value)));
  }
  Status Compute(KernelContext& context) const override {
    context.outputs[0] = value_;  // shared, never written: outputs are immutable
    return Status::Ok();
  }

 private:
  explicit ConstantKernel(Tensor value) : value_(std::move(value)) {}
  Tensor value_;
};

// ConstantOfShape: a tensor of the shape in input 0 filled with the one element of the `value`
// attribute (default: float32 zero).
class ConstantOfShapeKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 1, 1));
    Tensor value(DataType::kFloat32, {1});
    if (const onnx::TensorProto* proto = init.attributes.GetTensor("value")) {
      ASSIGN_OR_RETURN(value, TensorFromProto(*proto));
      if (value.element_count() != 1) {
        return InvalidArgument("attribute value: expected one element, got shape " +
                               ShapeToString(value.shape()));
      }
    }
    return std::unique_ptr<Kernel>(new ConstantOfShapeKernel(std::move(value)));
  }

  Status Compute(KernelContext& context) const override {
    constexpr const char* kWhat = "input 0 (input)";
    ASSIGN_OR_RETURN(Shape shape, ReadIntegers(context.input(0), kWhat));
    RETURN_IF_ERROR(CheckDimensions(shape, kWhat));
    Tensor output(value_.dtype(), shape);
    RETURN_IF_ERROR(DispatchStorage(value_.dtype(), "attribute value", [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::fill_n(Elements<T>(output), output.element_count(), Elements<T>(value_)[0]);
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  explicit ConstantOfShapeKernel(Tensor value) : value_(std::move(value)) {}
  Tensor value_;
};

// Range: start, start + delta, ... up to (excluding) limit; max(ceil((limit - start) / delta), 0)
// elements.
class RangeKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& start = context.input(0);
    const char* names[] = {"start", "limit", "delta"};
    for (int i = 0; i < 3; ++i) {
      const Tensor& input = context.input(i);
      if (input.dtype() != start.dtype() || input.element_count() != 1) {
        return InvalidArgument(InputName(i, names[i]) + ": expected a single " +
                               Name(start.dtype()) + ", got " + Name(input.dtype()) +
                               " of shape " + ShapeToString(input.shape()));
      }
    }
    using RangeTypes = TypeList<float, double, int16_t, int32_t, int64_t>;
    return DispatchByType<RangeTypes>(start.dtype(), "input 0 (start)", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T first = start.data<T>()[0];
      const T limit = context.input(1).data<T>()[0];
      const T delta = context.input(2).data<T>()[0];
      if (delta == 0) return InvalidArgument("input 2 (delta): must not be zero");
      int64_t count;
      if constexpr (std::is_integral_v<T>) {
        const int64_t span = static_cast<int64_t>(limit) - first;
        count = span / delta + (span % delta != 0 ? 1 : 0);  // ceil when signs agree
      } else {
        count = static_cast<int64_t>(std::ceil((static_cast<double>(limit) - first) / delta));
      }
      Tensor output(start.dtype(), {std::max<int64_t>(count, 0)});
      T* out = output.data<T>();
      for (int64_t i = 0; i < output.element_count(); ++i) out[i] = static_cast<T>(first + i * delta);
      context.outputs[0] = std::move(output);
      return Status::Ok();
    });
  }
};

// OneHot: a new axis of size `depth` at `axis`, holding values[1] where the position equals the
// index (negative indices count from depth) and values[0] elsewhere.
class OneHotKernel : public Kernel {
 public:
  explicit OneHotKernel(const KernelInit& init) : axis_(init.attributes.GetInt("axis", -1)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& indices_tensor = context.input(0);
    const Tensor& depth_tensor = context.input(1);
    const Tensor& values = context.input(2);
    std::vector<int64_t> indices;
    RETURN_IF_ERROR(ReadAsIntegers(indices_tensor, "input 0 (indices)", indices));
    std::vector<int64_t> depths;
    RETURN_IF_ERROR(ReadAsIntegers(depth_tensor, "input 1 (depth)", depths));
    if (depths.size() != 1 || depths[0] < 1) {
      return InvalidArgument("input 1 (depth): expected one positive value");
    }
    if (values.element_count() != 2) {
      return InvalidArgument("input 2 (values): expected [off, on], got shape " +
                             ShapeToString(values.shape()));
    }
    const int64_t depth = depths[0];
    const Shape& shape = indices_tensor.shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    ASSIGN_OR_RETURN(const int64_t axis, ResolveAxis(axis_, rank + 1, "attribute axis"));
    Shape output_shape = shape;
    output_shape.insert(output_shape.begin() + axis, depth);
    Tensor output(values.dtype(), output_shape);
    int64_t inner = 1;
    for (int64_t d = axis; d < rank; ++d) inner *= shape[static_cast<size_t>(d)];
    RETURN_IF_ERROR(DispatchStorage(values.dtype(), "input 2 (values)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* value_pair = Elements<T>(values);
      T* out = Elements<T>(output);
      std::fill_n(out, output.element_count(), value_pair[0]);
      for (size_t i = 0; i < indices.size(); ++i) {
        int64_t index = indices[i] < 0 ? indices[i] + depth : indices[i];
        if (index < 0 || index >= depth) continue;
        const int64_t outer = static_cast<int64_t>(i) / inner;
        const int64_t position = static_cast<int64_t>(i) % inner;
        out[(outer * depth + index) * inner + position] = value_pair[1];
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  // Indices and depth may have any numeric type; floating-point values are truncated.
  static Status ReadAsIntegers(const Tensor& tensor, const char* what, std::vector<int64_t>& out) {
    return DispatchByType<NumericTypes>(tensor.dtype(), what, [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (T value : tensor.values<T>()) out.push_back(ConvertElement<int64_t>(value));
      return Status::Ok();
    });
  }

  int64_t axis_;
};

// EyeLike: a 2-D tensor of input 0's shape with ones on diagonal k (column - row == k), of the
// `dtype` attribute's type or else input 0's.
class EyeLikeKernel : public Kernel {
 public:
  explicit EyeLikeKernel(const KernelInit& init)
      : dtype_code_(init.attributes.GetInt("dtype", 0)), k_(init.attributes.GetInt("k", 0)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    if (input.shape().size() != 2) {
      return InvalidArgument("input 0 (input): expected a 2-D tensor, got shape " +
                             ShapeToString(input.shape()));
    }
    DataType type = input.dtype();
    if (dtype_code_ != 0) {
      std::optional<DataType> requested = DataTypeFromCode(static_cast<int32_t>(dtype_code_));
      if (!requested) {
        return InvalidArgument("attribute dtype: " + std::to_string(dtype_code_) +
                               " is not a known element type");
      }
      type = *requested;
    }
    Tensor output(type, input.shape());
    const int64_t rows = input.shape()[0];
    const int64_t columns = input.shape()[1];
    RETURN_IF_ERROR(DispatchByType<NumericAndBoolTypes>(type, "output type", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = output.data<T>();
      for (int64_t row = std::max<int64_t>(0, -k_); row < rows && row + k_ < columns; ++row) {
        out[row * columns + row + k_] = ConvertElement<T>(1);
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  int64_t dtype_code_;
  int64_t k_;
};

// The window functions of opset 17: `size` samples of a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N),
// N = size when periodic (the default), size - 1 when symmetric. The coefficients come as a type
// (clang 14 has no floating-point template parameters).
struct HannCoefficients {
  static constexpr double a0 = 0.5, a1 = 0.5, a2 = 0.0;
};
struct HammingCoefficients {
  static constexpr double a0 = 25.0 / 46.0, a1 = 21.0 / 46.0, a2 = 0.0;
};
struct BlackmanCoefficients {
  static constexpr double a0 = 0.42, a1 = 0.5, a2 = 0.08;
};

template <typename Coefficients>
class WindowKernel : public Kernel {
 public:
  explicit WindowKernel(const KernelInit& init)
      : periodic_(init.attributes.GetInt("periodic", 1) != 0),
        output_code_(init.attributes.GetInt("output_datatype", 1)) {}

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const int64_t size, ReadScalarInteger(context.input(0), "input 0 (size)"));
    if (size < 0) return InvalidArgument("input 0 (size): " + std::to_string(size) + " is negative");
    const std::optional<DataType> type = DataTypeFromCode(static_cast<int32_t>(output_code_));
    if (!type) {
      return InvalidArgument("attribute output_datatype: " + std::to_string(output_code_) +
                             " is not a known element type");
    }
    Tensor output(*type, {size});
    const double period = static_cast<double>(periodic_ ? size : size - 1);
    RETURN_IF_ERROR(DispatchByType<NumericTypes>(*type, "attribute output_datatype", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = output.data<T>();
      for (int64_t n = 0; n < size; ++n) {
        const double angle = period > 0 ? 2.0 * M_PI * static_cast<double>(n) / period : 0.0;
        out[n] = ConvertElement<T>(Coefficients::a0 - Coefficients::a1 * std::cos(angle) +
                                   Coefficients::a2 * std::cos(2.0 * angle));
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  bool periodic_;
  int64_t output_code_;
};

}  // namespace

void RegisterGeneratorKernels(KernelRegistry& registry) {
  registry.Register({"", "Constant", 1, kLatestOpset, {}, &ConstantKernel::Create});
  registry.Register({"", "ConstantOfShape", 9, kLatestOpset, {}, &ConstantOfShapeKernel::Create});
  registry.Register({"", "Range", 11, kLatestOpset, {}, &CreateKernel<RangeKernel, 3>});
  registry.Register({"", "HannWindow", 17, kLatestOpset, {},
                     &CreateKernel<WindowKernel<HannCoefficients>, 1>});
  registry.Register({"", "HammingWindow", 17, kLatestOpset, {},
                     &CreateKernel<WindowKernel<HammingCoefficients>, 1>});
  registry.Register({"", "BlackmanWindow", 17, kLatestOpset, {},
                     &CreateKernel<WindowKernel<BlackmanCoefficients>, 1>});
  registry.Register({"", "EyeLike", 9, kLatestOpset, {}, &CreateKernel<EyeLikeKernel, 1>});
  registry.Register({"", "OneHot", 9, kLatestOpset, {}, &CreateKernel<OneHotKernel, 3>});
}

}  // namespace mlos::engine
