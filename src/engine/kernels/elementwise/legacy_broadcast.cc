#include "engine/kernels/elementwise/legacy_broadcast.h"

#include <array>
#include <string>
#include <utility>

namespace mlos::engine {
namespace {

// Runs `inner` with input 1 viewed through the legacy broadcast shape.
class LegacyBroadcastKernel final : public Kernel {
 public:
  // `channel_axis`: PRelu's rule, axis 1 whenever B has lower rank than A.
  LegacyBroadcastKernel(std::unique_ptr<Kernel> inner, bool broadcast, std::optional<int64_t> axis,
                        bool channel_axis)
      : inner_(std::move(inner)), broadcast_(broadcast), axis_(axis), channel_axis_(channel_axis) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& a = context.input(0);
    const Tensor& b = context.input(1);
    std::optional<int64_t> axis = axis_;
    if (channel_axis_ && b.shape().size() < a.shape().size()) axis = 1;
    ASSIGN_OR_RETURN(Shape shape, LegacyBroadcastShape(a.shape(), b.shape(), broadcast_, axis));
    const Tensor view = b.Reshaped(std::move(shape));
    const std::array<const Tensor*, 2> inputs = {&a, &view};
    KernelContext inner_context = context;
    inner_context.inputs = inputs;
    inner_context.values = {};
    return inner_->Compute(inner_context);
  }

 private:
  const std::unique_ptr<Kernel> inner_;
  const bool broadcast_;
  const std::optional<int64_t> axis_;
  const bool channel_axis_;
};

}  // namespace

StatusOr<Shape> LegacyBroadcastShape(const Shape& a, const Shape& b, bool broadcast,
                                     std::optional<int64_t> axis) {
  auto mismatch = [&](const std::string& why) {
    return InvalidArgument("input 1 (B) has shape " + ShapeToString(b) +
                           ", which does not broadcast to input 0 (A) shape " + ShapeToString(a) +
                           " (" + why + ")");
  };
  if (!broadcast) {
    if (a == b) return b;
    return mismatch("attribute broadcast is 0: the shapes must be equal");
  }
  if (ElementCount(b) == 1) return Shape{};
  const int64_t rank = static_cast<int64_t>(a.size());
  const int64_t b_rank = static_cast<int64_t>(b.size());
  const int64_t start = axis.value_or(rank - b_rank);
  if (start < 0 || start + b_rank > rank) {
    return mismatch("axis " + std::to_string(start) + " leaves no room for " +
                    std::to_string(b_rank) + " dimensions");
  }
  Shape view = b;
  view.resize(static_cast<size_t>(rank - start), 1);
  for (int64_t d = 0; d < b_rank; ++d) {
    const int64_t dim = b[static_cast<size_t>(d)], target = a[static_cast<size_t>(start + d)];
    if (dim != target && dim != 1) {
      return mismatch("dimension " + std::to_string(d) + ": " + std::to_string(dim) + " vs " +
                      std::to_string(target) + " of A's dimension " + std::to_string(start + d));
    }
  }
  return view;
}

StatusOr<std::unique_ptr<Kernel>> CreateLegacyBroadcast(const KernelInit& init,
                                                        KernelFactory inner) {
  const int64_t broadcast = init.attributes.GetInt("broadcast", 0);
  if (broadcast != 0 && broadcast != 1) {
    return InvalidArgument("attribute broadcast must be 0 or 1, got " + std::to_string(broadcast));
  }
  std::optional<int64_t> axis;
  if (init.attributes.Has("axis")) axis = init.attributes.GetInt("axis", 0);
  ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel, inner(init));
  return std::unique_ptr<Kernel>(
      std::make_unique<LegacyBroadcastKernel>(std::move(kernel), broadcast == 1, axis, false));
}

StatusOr<std::unique_ptr<Kernel>> CreateLegacyPRelu(const KernelInit& init, KernelFactory inner) {
  ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel, inner(init));
  return std::unique_ptr<Kernel>(
      std::make_unique<LegacyBroadcastKernel>(std::move(kernel), true, std::nullopt, true));
}

}  // namespace mlos::engine
