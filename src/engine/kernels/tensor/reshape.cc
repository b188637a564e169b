// Kernels that only change the shape, sharing the input's bytes: Reshape, Flatten, Squeeze,
// Unsqueeze.
#include <algorithm>

#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

// Reshape (opset 5+): a 0 in `shape` copies the input's dimension (unless allowzero=1, opset
// 14+, where it means 0), and one -1 is inferred from the element count.
class ReshapeKernel : public Kernel {
 public:
  explicit ReshapeKernel(const KernelInit& init)
      : allow_zero_(init.attributes.GetInt("allowzero", 0) != 0) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    constexpr std::string_view kWhat = "input 1 (shape)";
    ASSIGN_OR_RETURN(Shape shape, ReadIntegers(context.input(1), kWhat));
    int inferred = -1;
    int64_t known_count = 1;
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t& dim = shape[d];
      if (dim == 0 && !allow_zero_) {
        if (d >= data.shape().size()) {
          return InvalidArgument(std::string(kWhat) + ": 0 at position " + std::to_string(d) +
                                 " copies a dimension the input (rank " +
                                 std::to_string(data.shape().size()) + ") does not have");
        }
        dim = data.shape()[d];
      }
      if (dim == -1) {
        if (inferred >= 0) return InvalidArgument(std::string(kWhat) + ": more than one -1");
        inferred = static_cast<int>(d);
        continue;
      }
      if (dim < 0) {
        return InvalidArgument(std::string(kWhat) + ": " + std::to_string(dim) +
                               " is not a valid dimension");
      }
      known_count *= dim;
    }
    const int64_t count = data.element_count();
    if (inferred >= 0) {
      if (known_count == 0 || count % known_count != 0) {
        return InvalidArgument(std::string(kWhat) + ": cannot infer the -1 in " +
                               ShapeToString(shape) + " for " + std::to_string(count) +
                               " elements");
      }
      shape[static_cast<size_t>(inferred)] = count / known_count;
    } else if (known_count != count) {
      return InvalidArgument(std::string(kWhat) + ": " + ShapeToString(shape) + " holds " +
                             std::to_string(known_count) + " elements, input 0 (data) " +
                             ShapeToString(data.shape()) + " holds " + std::to_string(count));
    }
    context.outputs[0] = data.Reshaped(std::move(shape));
    return Status::Ok();
  }

 private:
  bool allow_zero_;
};

// Flatten: [d0..d(axis-1)] x [d(axis)..] as a 2-D tensor; axis in [-rank, rank].
class FlattenKernel : public Kernel {
 public:
  explicit FlattenKernel(const KernelInit& init) : axis_(init.attributes.GetInt("axis", 1)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    // axis == rank is allowed: everything goes to the first dimension.
    if (axis_ < -rank || axis_ > rank) {
      return InvalidArgument("attribute axis: " + std::to_string(axis_) + " is out of range [" +
                             std::to_string(-rank) + ", " + std::to_string(rank) + "]");
    }
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[static_cast<size_t>(d)];
    const int64_t inner = outer == 0 ? ElementCount(Shape(shape.begin() + axis, shape.end()))
                                     : input.element_count() / outer;
    context.outputs[0] = input.Reshaped({outer, inner});
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

// Axes for Squeeze/Unsqueeze: the `axes` attribute before opset 13, input 1 from 13.
class AxesSource {
 public:
  explicit AxesSource(const KernelInit& init)
      : from_input_(init.opset >= 13), attribute_(init.attributes.GetInts("axes")) {}

  // Empty when absent.
  StatusOr<std::vector<int64_t>> Read(const KernelContext& context) const {
    if (!from_input_) return attribute_;
    if (!context.has_input(1)) return std::vector<int64_t>();
    return ReadIntegers(context.input(1), "input 1 (axes)");
  }
  const char* name() const { return from_input_ ? "input 1 (axes)" : "attribute axes"; }

 private:
  bool from_input_;
  std::vector<int64_t> attribute_;
};

// Squeeze: drops the listed dimensions of size 1, or all of them when no axes are given.
class SqueezeKernel : public Kernel {
 public:
  explicit SqueezeKernel(const KernelInit& init) : axes_(init) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    ASSIGN_OR_RETURN(std::vector<int64_t> listed, axes_.Read(context));
    ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                     ResolveAxes(listed, static_cast<int64_t>(shape.size()), axes_.name()));
    Shape squeezed;
    for (size_t d = 0; d < shape.size(); ++d) {
      const bool listed_axis =
          std::find(axes.begin(), axes.end(), static_cast<int64_t>(d)) != axes.end();
      if (listed_axis && shape[d] != 1) {
        return InvalidArgument(std::string(axes_.name()) + ": dimension " + std::to_string(d) +
                               " of input 0 " + ShapeToString(shape) + " is not 1");
      }
      if (listed_axis || (axes.empty() && shape[d] == 1)) continue;
      squeezed.push_back(shape[d]);
    }
    context.outputs[0] = input.Reshaped(std::move(squeezed));
    return Status::Ok();
  }

 private:
  AxesSource axes_;
};

// Unsqueeze: inserts dimensions of size 1 at the listed axes of the output.
class UnsqueezeKernel : public Kernel {
 public:
  explicit UnsqueezeKernel(const KernelInit& init) : axes_(init) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    ASSIGN_OR_RETURN(std::vector<int64_t> listed, axes_.Read(context));
    if (listed.empty()) return InvalidArgument(std::string(axes_.name()) + ": missing or empty");
    const int64_t rank = static_cast<int64_t>(shape.size() + listed.size());
    ASSIGN_OR_RETURN(std::vector<int64_t> axes, ResolveAxes(listed, rank, axes_.name()));
    Shape expanded;
    auto next = shape.begin();
    for (int64_t d = 0; d < rank; ++d) {
      const bool inserted = std::find(axes.begin(), axes.end(), d) != axes.end();
      expanded.push_back(inserted ? 1 : *next++);
    }
    context.outputs[0] = input.Reshaped(std::move(expanded));
    return Status::Ok();
  }

 private:
  AxesSource axes_;
};

}  // namespace

void RegisterReshapeKernels(KernelRegistry& registry) {
  registry.Register({"", "Reshape", 5, kLatestOpset, {}, &CreateKernel<ReshapeKernel, 2>});
  registry.Register({"", "Flatten", 1, kLatestOpset, {}, &CreateKernel<FlattenKernel, 1>});
  registry.Register({"", "Squeeze", 1, 12, {}, &CreateKernel<SqueezeKernel, 1>});
  registry.Register({"", "Squeeze", 13, kLatestOpset, {}, &CreateKernel<SqueezeKernel, 1, 2>});
  registry.Register({"", "Unsqueeze", 1, 12, {}, &CreateKernel<UnsqueezeKernel, 1>});
  registry.Register({"", "Unsqueeze", 13, kLatestOpset, {}, &CreateKernel<UnsqueezeKernel, 2>});
}

}  // namespace mlos::engine
