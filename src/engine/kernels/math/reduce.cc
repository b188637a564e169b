// The Reduce* family: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
// ReduceSumSquare, ReduceLogSum and ReduceLogSumExp.
//
// Axes come from the `axes` attribute (every op up to opset 17 except ReduceSum, which takes them
// as optional input 1 from opset 13; all take the input form from opset 18). No axes means every
// axis, unless noop_with_empty_axes (input form only) makes the op an identity. keepdims
// (default 1) keeps reduced axes as size 1.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/shape_util.h"

namespace mlos::engine {
namespace {

// Each reducer folds the `count` values base[offsets[i]] into one.
struct SumReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    T sum = T(0);
    for (int64_t i = 0; i < count; ++i) sum += base[offsets[i]];
    return sum;
  }
};

struct MeanReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    return count == 0 ? T(0) : SumReducer::Reduce(base, offsets, count) / static_cast<T>(count);
  }
};

struct MaxReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    T best = std::numeric_limits<T>::lowest();
    for (int64_t i = 0; i < count; ++i) best = std::max(best, base[offsets[i]]);
    return best;
  }
};

struct MinReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    T best = std::numeric_limits<T>::max();
    for (int64_t i = 0; i < count; ++i) best = std::min(best, base[offsets[i]]);
    return best;
  }
};

struct ProdReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    T product = T(1);
    for (int64_t i = 0; i < count; ++i) product *= base[offsets[i]];
    return product;
  }
};

struct L1Reducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    T sum = T(0);
    for (int64_t i = 0; i < count; ++i) {
      const T value = base[offsets[i]];
      sum += value < T(0) ? T(-value) : value;
    }
    return sum;
  }
};

struct SumSquareReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    T sum = T(0);
    for (int64_t i = 0; i < count; ++i) sum += base[offsets[i]] * base[offsets[i]];
    return sum;
  }
};

struct L2Reducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    return static_cast<T>(std::sqrt(SumSquareReducer::Reduce(base, offsets, count)));
  }
};

struct LogSumReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    return static_cast<T>(std::log(SumReducer::Reduce(base, offsets, count)));
  }
};

struct LogSumExpReducer {
  template <typename T>
  static T Reduce(const T* base, const int64_t* offsets, int64_t count) {
    const T max = MaxReducer::Reduce(base, offsets, count);
    if (count == 0 || std::isinf(static_cast<double>(max))) return max;
    double sum = 0;
    for (int64_t i = 0; i < count; ++i)
      sum += std::exp(static_cast<double>(base[offsets[i]] - max));
    return static_cast<T>(static_cast<double>(max) + std::log(sum));
  }
};

enum class AxesSource { kAttribute, kInput };

template <typename Reducer>
class ReduceKernel final : public Kernel {
 public:
  ReduceKernel(std::vector<int64_t> attribute_axes, bool keep_dims, bool noop_with_empty_axes,
               AxesSource axes_source)
      : attribute_axes_(std::move(attribute_axes)),
        keep_dims_(keep_dims),
        noop_with_empty_axes_(noop_with_empty_axes),
        axes_source_(axes_source) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    const Shape& shape = data.shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    std::vector<int64_t> axes = attribute_axes_;
    if (axes_source_ == AxesSource::kInput && context.has_input(1)) {
      const Tensor& axes_tensor = context.input(1);
      if (axes_tensor.dtype() != DataType::kInt64) {
        return InvalidArgument(std::string("input 1 (axes): expected int64, got ") +
                               Name(axes_tensor.dtype()));
      }
      axes.assign(axes_tensor.values<int64_t>().begin(), axes_tensor.values<int64_t>().end());
    }
    Tensor& reduced = context.outputs[0];
    if (axes.empty() && noop_with_empty_axes_) {
      reduced = data.Clone();
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, rank, "attribute axes"));
    if (axes.empty()) {
      for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
    }
    const ReductionLayout layout = PlanReduction(shape, axes);
    Shape output_shape;
    for (size_t i = 0; i < shape.size(); ++i) {
      const bool is_reduced = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(i));
      if (!is_reduced || keep_dims_) output_shape.push_back(is_reduced ? 1 : shape[i]);
    }
    const std::vector<int64_t>& window = layout.window;
    const std::vector<int64_t>& starts = layout.starts;
    reduced = Tensor(data.dtype(), output_shape);
    return DispatchByType<TypeList<float, double, int32_t, int64_t, int8_t, uint8_t>>(
        data.dtype(), "Reduce", [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T* in = data.data<T>();
          T* out = reduced.data<T>();
          const int64_t count = static_cast<int64_t>(window.size());
          ParallelFor(context.pool, static_cast<int64_t>(starts.size()), static_cast<double>(count),
                      [&](int64_t begin, int64_t end) {
                        for (int64_t i = begin; i < end; ++i) {
                          out[i] = Reducer::Reduce(in + starts[i], window.data(), count);
                        }
                      });
          return Status::Ok();
        });
  }

 private:
  const std::vector<int64_t> attribute_axes_;
  const bool keep_dims_;
  const bool noop_with_empty_axes_;
  const AxesSource axes_source_;
};

template <typename Reducer, AxesSource kAxesSource>
StatusOr<std::unique_ptr<Kernel>> CreateReduce(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<ReduceKernel<Reducer>>(
      kAxesSource == AxesSource::kAttribute ? init.attributes.GetInts("axes")
                                            : std::vector<int64_t>{},
      init.attributes.GetInt("keepdims", 1) != 0,
      init.attributes.GetInt("noop_with_empty_axes", 0) != 0, kAxesSource));
}

// Registers `op` with attribute axes before `input_axes_since` and input axes from then on.
template <typename Reducer>
void RegisterReduce(KernelRegistry& registry, const std::string& op, int input_axes_since,
                    std::vector<DataType> types) {
  registry.Register(
      {"", op, 1, input_axes_since - 1, types, &CreateReduce<Reducer, AxesSource::kAttribute>});
  registry.Register(
      {"", op, input_axes_since, 1 << 30, types, &CreateReduce<Reducer, AxesSource::kInput>});
}

}  // namespace

void RegisterReduceKernels(KernelRegistry& registry) {
  const std::vector<DataType> numeric = DataTypesOf(TypeList<float, double, int32_t, int64_t>{});
  const std::vector<DataType> ordered =
      DataTypesOf(TypeList<float, double, int32_t, int64_t, int8_t, uint8_t>{});
  RegisterReduce<SumReducer>(registry, "ReduceSum", 13, numeric);
  RegisterReduce<MeanReducer>(registry, "ReduceMean", 18, numeric);
  RegisterReduce<MaxReducer>(registry, "ReduceMax", 18, ordered);
  RegisterReduce<MinReducer>(registry, "ReduceMin", 18, ordered);
  RegisterReduce<ProdReducer>(registry, "ReduceProd", 18, numeric);
  RegisterReduce<L1Reducer>(registry, "ReduceL1", 18, numeric);
  RegisterReduce<L2Reducer>(registry, "ReduceL2", 18, numeric);
  RegisterReduce<SumSquareReducer>(registry, "ReduceSumSquare", 18, numeric);
  RegisterReduce<LogSumReducer>(registry, "ReduceLogSum", 18, numeric);
  RegisterReduce<LogSumExpReducer>(registry, "ReduceLogSumExp", 18, numeric);
}

}  // namespace mlos::engine
