// Shape (with the opset 15 start/end slice of the dimensions) and Size, as int64 tensors.
#include <algorithm>
#include <limits>

#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

class ShapeKernel : public Kernel {
 public:
  explicit ShapeKernel(const KernelInit& init)
      : start_(init.attributes.GetInt("start", 0)),
        end_(init.attributes.Has("end") ? init.attributes.GetInt("end", 0) : kToTheEnd) {}

  Status Compute(KernelContext& context) const override {
    const Shape& shape = context.input(0).shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    // Negative values count from the back; both ends are clamped to [0, rank].
    auto clamp = [rank](int64_t index) {
      return std::clamp(index < 0 ? index + rank : index, int64_t{0}, rank);
    };
    const int64_t start = clamp(start_);
    const int64_t end = std::max(start, clamp(end_));
    Tensor output(DataType::kInt64, {end - start});
    std::copy(shape.begin() + start, shape.begin() + end, output.data<int64_t>());
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  static constexpr int64_t kToTheEnd = std::numeric_limits<int64_t>::max();
  int64_t start_;
  int64_t end_;
};

class SizeKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    Tensor output(DataType::kInt64, {});
    output.data<int64_t>()[0] = context.input(0).element_count();
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }
};

}  // namespace

void RegisterShapeKernels(KernelRegistry& registry) {
  registry.Register({"", "Shape", 1, kLatestOpset, {}, &CreateKernel<ShapeKernel, 1>});
  registry.Register({"", "Size", 1, kLatestOpset, {}, &CreateKernel<SizeKernel, 1>});
}

}  // namespace mlos::engine
