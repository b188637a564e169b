// Kernels driven by element positions: NonZero (coordinates of nonzero elements) and Trilu
// (upper or lower triangle of the last two axes).
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

// NonZero: int64 [rank, count], column j holding the coordinates of the j-th nonzero element in
// row-major order (a scalar gives shape [0, 0 or 1]).
class NonZeroKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    return DispatchByType<NumericAndBoolTypes>(input.dtype(), "input 0 (X)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::vector<int64_t> positions;
      const T* values = input.data<T>();
      for (int64_t i = 0; i < input.element_count(); ++i) {
        if (static_cast<ComputeType<T>>(values[i]) != ComputeType<T>(0)) positions.push_back(i);
      }
      const Shape& shape = input.shape();
      const int64_t count = static_cast<int64_t>(positions.size());
      Tensor output(DataType::kInt64, {static_cast<int64_t>(shape.size()), count});
      int64_t* out = output.data<int64_t>();
      for (int64_t j = 0; j < count; ++j) {
        int64_t remaining = positions[static_cast<size_t>(j)];
        for (size_t d = shape.size(); d-- > 0;) {
          out[static_cast<int64_t>(d) * count + j] = remaining % shape[d];
          remaining /= shape[d];
        }
      }
      context.outputs[0] = std::move(output);
      return Status::Ok();
    });
  }
};

// Trilu: keeps elements with column - row >= k (upper=1) or <= k (upper=0) and zeroes the rest,
// for every matrix in the last two axes; k is the optional input 1 (default 0).
class TriluKernel : public Kernel {
 public:
  explicit TriluKernel(const KernelInit& init) : upper_(init.attributes.GetInt("upper", 1) != 0) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    if (shape.size() < 2) {
      return InvalidArgument("input 0 (input): expected rank >= 2, got shape " +
                             ShapeToString(shape));
    }
    int64_t k = 0;
    if (context.has_input(1)) {
      ASSIGN_OR_RETURN(k, ReadScalarInteger(context.input(1), "input 1 (k)"));
    }
    const int64_t rows = shape[shape.size() - 2];
    const int64_t columns = shape.back();
    Tensor output(input.dtype(), shape);
    RETURN_IF_ERROR(DispatchStorage(input.dtype(), "input 0 (input)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(input);
      T* out = Elements<T>(output);
      for (int64_t i = 0; i < input.element_count(); ++i) {
        const int64_t column = i % columns;
        const int64_t row = (i / columns) % rows;
        const bool keep = upper_ ? column - row >= k : column - row <= k;
        if (keep) out[i] = in[i];
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  bool upper_;
};

}  // namespace

void RegisterIndexKernels(KernelRegistry& registry) {
  registry.Register({"", "NonZero", 9, kLatestOpset, {}, &CreateKernel<NonZeroKernel, 1>});
  registry.Register({"", "Trilu", 14, kLatestOpset, {}, &CreateKernel<TriluKernel, 1, 2>});
}

}  // namespace mlos::engine
