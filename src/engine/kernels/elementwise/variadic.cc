// Variadic elementwise kernels: Min, Max, Sum, Mean over one or more inputs broadcast together.
// Folded pairwise through BroadcastBinary; Mean divides the sum by the input count. Before opset 8
// the inputs must all have the same shape.
#include <algorithm>
#include <vector>

#include "engine/kernels/elementwise/broadcast_apply.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

struct Min {
  template <typename C>
  C operator()(C a, C b) const { return std::min(a, b); }
};
struct Max {
  template <typename C>
  C operator()(C a, C b) const { return std::max(a, b); }
};
struct Sum {
  template <typename C>
  C operator()(C a, C b) const { return a + b; }
};

template <typename Op, typename Types, bool kMean = false>
class VariadicKernel : public Kernel {
 public:
  explicit VariadicKernel(const KernelInit& init) : same_shapes_(init.opset < 8) {}

  Status Compute(KernelContext& context) const override {
    const DataType type = context.input(0).dtype();
    std::vector<Shape> shapes;
    for (size_t i = 0; i < context.input_count(); ++i) {
      if (!context.has_input(i)) {
        return InvalidArgument("input " + std::to_string(i) + " is missing");
      }
      const Tensor& input = context.input(i);
      if (input.dtype() != type) {
        return InvalidArgument("input " + std::to_string(i) + ": element type " +
                               Name(input.dtype()) + " does not match input 0 type " + Name(type));
      }
      if (same_shapes_ && input.shape() != context.input(0).shape()) {
        return InvalidArgument(
            "input " + std::to_string(i) + " has shape " + ShapeToString(input.shape()) +
            ", which differs from input 0 shape " + ShapeToString(context.input(0).shape()) +
            " (no broadcasting before opset 8)");
      }
      shapes.push_back(input.shape());
    }
    // Checked on all shapes at once so that the error names the right input.
    RETURN_IF_ERROR(BroadcastShapes(shapes).status());
    return DispatchByType<Types>(type, "input 0", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      auto apply = [](T a, T b) {
        return static_cast<T>(Op()(static_cast<C>(a), static_cast<C>(b)));
      };
      Tensor result = context.input(0);
      for (size_t i = 1; i < context.input_count(); ++i) {
        ASSIGN_OR_RETURN(result, (BroadcastBinary<T, T, T>(result, context.input(i), context.pool,
                                                          1.0, apply)));
      }
      if constexpr (kMean) {
        const C count = static_cast<C>(context.input_count());
        Tensor mean(type, result.shape());
        const T* sums = result.data<T>();
        T* out = mean.data<T>();
        for (int64_t i = 0; i < result.element_count(); ++i) {
          out[i] = static_cast<T>(static_cast<C>(sums[i]) / count);
        }
        result = std::move(mean);
      }
      context.outputs[0] = std::move(result);
      return Status::Ok();
    });
  }

 private:
  const bool same_shapes_;
};

template <typename Op, typename Types, bool kMean = false>
void RegisterVariadic(KernelRegistry& registry, const char* op_type) {
  // Versions 1 and 6 take inputs of one shape; opset 8 introduced broadcasting between them.
  registry.Register({"", op_type, 1, kLatestOpset, DataTypesOf(Types{}),
                     &CreateKernel<VariadicKernel<Op, Types, kMean>, 1, 1 << 16>});
}

}  // namespace

void RegisterVariadicKernels(KernelRegistry& registry) {
  RegisterVariadic<Min, NumericTypes>(registry, "Min");
  RegisterVariadic<Max, NumericTypes>(registry, "Max");
  RegisterVariadic<Sum, NumericTypes>(registry, "Sum");
  RegisterVariadic<Sum, FloatTypes, true>(registry, "Mean");
}

}  // namespace mlos::engine
