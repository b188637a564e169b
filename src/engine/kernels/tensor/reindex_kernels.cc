// Data-movement kernels expressed as per-axis offset tables for Reindex() (see reindex.h):
// Transpose, DepthToSpace, SpaceToDepth, Slice, Tile, Expand, Pad.
#include <algorithm>
#include <array>
#include <limits>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/elementwise/broadcast.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/tensor/registrations.h"
#include "engine/kernels/tensor/reindex.h"

namespace mlos::engine {
namespace {

// The table start*stride, (start+step)*stride, ... with `count` entries.
std::vector<int64_t> Arithmetic(int64_t start, int64_t step, int64_t count, int64_t stride) {
  std::vector<int64_t> offsets(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) offsets[static_cast<size_t>(i)] = (start + i * step) * stride;
  return offsets;
}

// `input` with its axes permuted: output axis d is input axis perm[d]. REQUIRES: perm is a
// permutation of the input's axes.
StatusOr<Tensor> Transposed(const Tensor& input, const std::vector<int64_t>& perm,
                            ThreadPool* pool) {
  const Shape& shape = input.shape();
  const std::vector<int64_t> strides = DenseStrides(shape);
  Shape output_shape;
  AxisOffsets offsets;
  for (int64_t axis : perm) {
    output_shape.push_back(shape[axis]);
    offsets.push_back(Arithmetic(0, 1, shape[axis], strides[axis]));
  }
  return Reindex(input, output_shape, offsets, nullptr, pool);
}

Status Finish(KernelContext& context, const Tensor& input, const Shape& output_shape,
              const AxisOffsets& offsets, const Tensor* fill = nullptr) {
  ASSIGN_OR_RETURN(context.outputs[0], Reindex(input, output_shape, offsets, fill, context.pool));
  return Status::Ok();
}

// Transpose: output axis d is input axis perm[d]; perm defaults to reversing the axes.
class TransposeKernel : public Kernel {
 public:
  explicit TransposeKernel(const KernelInit& init) : perm_(init.attributes.GetInts("perm")) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    const size_t rank = shape.size();
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      for (size_t d = rank; d-- > 0;) perm.push_back(static_cast<int64_t>(d));
    }
    std::vector<bool> seen(rank, false);
    bool valid = perm.size() == rank;
    for (size_t d = 0; d < perm.size() && valid; ++d) {
      valid = perm[d] >= 0 && perm[d] < static_cast<int64_t>(rank) && !seen[perm[d]];
      if (valid) seen[perm[d]] = true;
    }
    if (!valid) {
      return InvalidArgument("attribute perm: " + ShapeToString(perm) +
                             " is not a permutation of the " + std::to_string(rank) +
                             " axes of input 0 " + ShapeToString(shape));
    }
    ASSIGN_OR_RETURN(context.outputs[0], Transposed(input, perm, context.pool));
    return Status::Ok();
  }

 private:
  std::vector<int64_t> perm_;
};

// DepthToSpace and SpaceToDepth: [N, C, H, W] viewed as 6-D, transposed, viewed as 4-D.
class SpaceDepthKernel : public Kernel {
 public:
  SpaceDepthKernel(const KernelInit& init, bool to_space)
      : to_space_(to_space),
        column_row_depth_(init.attributes.GetString("mode", "DCR") == "CRD"),
        block_(init.attributes.GetInt("blocksize", 0)) {}

  template <bool kToSpace>
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 1, 1));
    auto kernel = std::make_unique<SpaceDepthKernel>(init, kToSpace);
    if (kernel->block_ < 1) {
      return InvalidArgument("attribute blocksize: " + std::to_string(kernel->block_) +
                             " is not a positive block size");
    }
    return std::unique_ptr<Kernel>(std::move(kernel));
  }

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    const int64_t b = block_;
    const bool divisible = shape.size() == 4 && (to_space_ ? shape[1] % (b * b) == 0
                                                           : shape[2] % b == 0 && shape[3] % b == 0);
    if (!divisible) {
      return InvalidArgument("input 0 (input): shape " + ShapeToString(shape) +
                             " is not [N, C, H, W] with " +
                             (to_space_ ? "C" : "H and W") + " divisible by blocksize " +
                             (to_space_ ? std::to_string(b) + "^2" : std::to_string(b)));
    }
    const int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3];
    Shape view;
    std::vector<int64_t> perm;
    Shape output_shape;
    if (to_space_ && column_row_depth_) {
      view = {n, c / (b * b), b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else if (to_space_) {
      view = {n, b, b, c / (b * b), h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else {
      view = {n, c, h / b, b, w / b, b};
      perm = {0, 3, 5, 1, 2, 4};
    }
    output_shape = to_space_ ? Shape{n, c / (b * b), h * b, w * b} : Shape{n, c * b * b, h / b, w / b};
    ASSIGN_OR_RETURN(Tensor output, Transposed(input.Reshaped(view), perm, context.pool));
    context.outputs[0] = output.Reshaped(output_shape);
    return Status::Ok();
  }

 private:
  bool to_space_;
  bool column_row_depth_;
  int64_t block_;
};

// Slice: attributes starts/ends/axes before opset 10; inputs starts, ends, axes, steps from 10.
// Indices count from the end when negative and are clamped to the axis, as ONNX specifies for
// both step signs.
class SliceKernel : public Kernel {
 public:
  explicit SliceKernel(const KernelInit& init)
      : from_inputs_(init.opset >= 10),
        starts_(init.attributes.GetInts("starts")),
        ends_(init.attributes.GetInts("ends")),
        axes_(init.attributes.GetInts("axes")) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    if (from_inputs_) {
      ASSIGN_OR_RETURN(starts, ReadIntegers(context.input(1), "input 1 (starts)"));
      ASSIGN_OR_RETURN(ends, ReadIntegers(context.input(2), "input 2 (ends)"));
      if (context.has_input(3)) {
        ASSIGN_OR_RETURN(axes, ReadIntegers(context.input(3), "input 3 (axes)"));
      }
      if (context.has_input(4)) {
        ASSIGN_OR_RETURN(steps, ReadIntegers(context.input(4), "input 4 (steps)"));
      }
    }
    const char* axes_name = from_inputs_ ? "input 3 (axes)" : "attribute axes";
    if (axes.empty()) {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size()) {
      return InvalidArgument("starts, ends, axes and steps have different lengths (" +
                             std::to_string(starts.size()) + ", " + std::to_string(ends.size()) +
                             ", " + std::to_string(axes.size()) + ", " +
                             std::to_string(steps.size()) + ")");
    }
    ASSIGN_OR_RETURN(axes, ResolveAxes(axes, rank, axes_name));
    // Per axis: first index, step and element count; untouched axes are copied whole.
    std::vector<int64_t> first(shape.size(), 0), step(shape.size(), 1);
    Shape output_shape = shape;
    for (size_t i = 0; i < axes.size(); ++i) {
      const size_t axis = static_cast<size_t>(axes[i]);
      const int64_t dim = shape[axis];
      if (steps[i] == 0) return InvalidArgument("input 4 (steps): step 0 for axis " + std::to_string(axis));
      int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
      int64_t count;
      if (steps[i] > 0) {
        start = std::clamp(start, int64_t{0}, dim);
        end = std::clamp(end, int64_t{0}, dim);
        count = end > start ? (end - start + steps[i] - 1) / steps[i] : 0;
      } else {
        start = std::clamp(start, int64_t{0}, dim - 1);
        end = std::clamp(end, int64_t{-1}, dim - 1);
        count = start > end ? (start - end - steps[i] - 1) / -steps[i] : 0;
      }
      first[axis] = start;
      step[axis] = steps[i];
      output_shape[axis] = count;
    }
    const std::vector<int64_t> strides = DenseStrides(shape);
    AxisOffsets offsets;
    for (size_t d = 0; d < shape.size(); ++d) {
      offsets.push_back(Arithmetic(first[d], step[d], output_shape[d], strides[d]));
    }
    return Finish(context, input, output_shape, offsets);
  }

 private:
  bool from_inputs_;
  std::vector<int64_t> starts_;
  std::vector<int64_t> ends_;
  std::vector<int64_t> axes_;
};

// Tile: output dimension d is input dimension d times repeats[d], cycling through the input.
class TileKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    constexpr const char* kWhat = "input 1 (repeats)";
    ASSIGN_OR_RETURN(std::vector<int64_t> repeats, ReadIntegers(context.input(1), kWhat));
    if (repeats.size() != shape.size()) {
      return InvalidArgument(std::string(kWhat) + ": " + std::to_string(repeats.size()) +
                             " values for input 0 of rank " + std::to_string(shape.size()));
    }
    RETURN_IF_ERROR(CheckDimensions(repeats, kWhat));
    const std::vector<int64_t> strides = DenseStrides(shape);
    Shape output_shape;
    AxisOffsets offsets;
    for (size_t d = 0; d < shape.size(); ++d) {
      output_shape.push_back(shape[d] * repeats[d]);
      std::vector<int64_t> axis(static_cast<size_t>(output_shape.back()));
      for (size_t i = 0; i < axis.size(); ++i) {
        axis[i] = (static_cast<int64_t>(i) % shape[d]) * strides[d];
      }
      offsets.push_back(std::move(axis));
    }
    return Finish(context, input, output_shape, offsets);
  }
};

// Expand: broadcasts the input with `shape` (multidirectionally, as numpy does).
class ExpandKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    constexpr const char* kWhat = "input 1 (shape)";
    ASSIGN_OR_RETURN(Shape target, ReadIntegers(context.input(1), kWhat));
    RETURN_IF_ERROR(CheckDimensions(target, kWhat));
    const std::array<Shape, 2> shapes = {input.shape(), target};
    StatusOr<Shape> output_shape = BroadcastShapes(shapes);
    if (!output_shape.ok()) {
      return InvalidArgument(std::string(kWhat) + ": " + ShapeToString(target) +
                             " does not broadcast with input 0 shape " +
                             ShapeToString(input.shape()));
    }
    const Shape& shape = input.shape();
    const size_t lead = output_shape->size() - shape.size();
    const std::vector<int64_t> strides = DenseStrides(shape);
    AxisOffsets offsets;
    for (size_t d = 0; d < output_shape->size(); ++d) {
      const bool broadcast = d < lead || shape[d - lead] == 1;
      offsets.push_back(Arithmetic(0, broadcast ? 0 : 1, (*output_shape)[d],
                                   broadcast ? 0 : strides[d - lead]));
    }
    return Finish(context, input, *output_shape, offsets);
  }
};

// Pad: pads as [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}] (negative crops), from the
// attribute before opset 11 and input 1 after; modes constant (value attribute / input 2),
// reflect (mirror without repeating the edge) and edge (repeat the edge).
class PadKernel : public Kernel {
 public:
  enum class Mode { kConstant, kReflect, kEdge };

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    const bool from_inputs = init.opset >= 11;
    RETURN_IF_ERROR(CheckInputCount(init, from_inputs ? 2 : 1, from_inputs ? 4 : 1));
    const std::string mode_name = init.attributes.GetString("mode", "constant");
    Mode mode;
    if (mode_name == "constant") mode = Mode::kConstant;
    else if (mode_name == "reflect") mode = Mode::kReflect;
    else if (mode_name == "edge") mode = Mode::kEdge;
    else return Unimplemented("attribute mode: '" + mode_name + "' is not supported");
    auto kernel = std::unique_ptr<PadKernel>(new PadKernel());
    kernel->from_inputs_ = from_inputs;
    kernel->mode_ = mode;
    kernel->pads_attribute_ = init.attributes.GetInts("pads");
    kernel->value_attribute_ = init.attributes.GetFloat("value", 0.0f);
    return std::unique_ptr<Kernel>(std::move(kernel));
  }

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    const size_t rank = shape.size();
    std::vector<int64_t> pads = pads_attribute_;
    const char* pads_name = from_inputs_ ? "input 1 (pads)" : "attribute pads";
    if (from_inputs_) {
      ASSIGN_OR_RETURN(pads, ReadIntegers(context.input(1), pads_name));
    }
    std::vector<int64_t> axes;
    if (from_inputs_ && context.has_input(3)) {
      ASSIGN_OR_RETURN(std::vector<int64_t> listed, ReadIntegers(context.input(3), "input 3 (axes)"));
      ASSIGN_OR_RETURN(axes, ResolveAxes(listed, static_cast<int64_t>(rank), "input 3 (axes)"));
    } else {
      for (size_t d = 0; d < rank; ++d) axes.push_back(static_cast<int64_t>(d));
    }
    if (pads.size() != 2 * axes.size()) {
      return InvalidArgument(std::string(pads_name) + ": expected " +
                             std::to_string(2 * axes.size()) + " values, got " +
                             std::to_string(pads.size()));
    }
    std::vector<int64_t> begin(rank, 0), end(rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      begin[static_cast<size_t>(axes[i])] = pads[i];
      end[static_cast<size_t>(axes[i])] = pads[i + axes.size()];
    }
    const std::vector<int64_t> strides = DenseStrides(shape);
    Shape output_shape;
    AxisOffsets offsets;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t dim = shape[d];
      const int64_t size = dim + begin[d] + end[d];
      if (size < 0) {
        return InvalidArgument(std::string(pads_name) + ": cropping axis " + std::to_string(d) +
                               " of size " + std::to_string(dim) + " below zero");
      }
      if (mode_ != Mode::kConstant && dim == 0 && size > 0) {
        return InvalidArgument(std::string(pads_name) + ": cannot pad empty axis " +
                               std::to_string(d) + " in reflect or edge mode");
      }
      output_shape.push_back(size);
      std::vector<int64_t> axis(static_cast<size_t>(size));
      for (int64_t i = 0; i < size; ++i) {
        const int64_t source = SourceIndex(i - begin[d], dim);
        axis[static_cast<size_t>(i)] = source == kFillElement ? kFillElement : source * strides[d];
      }
      offsets.push_back(std::move(axis));
    }
    ASSIGN_OR_RETURN(Tensor fill, FillValue(context));
    return Finish(context, input, output_shape, offsets, fill.empty() ? nullptr : &fill);
  }

 private:
  PadKernel() = default;

  // The input index that output index `index` (relative to the input's start) copies.
  int64_t SourceIndex(int64_t index, int64_t dim) const {
    if (index >= 0 && index < dim) return index;
    switch (mode_) {
      case Mode::kConstant: return kFillElement;
      case Mode::kEdge: return std::clamp(index, int64_t{0}, dim - 1);
      case Mode::kReflect:
        if (dim == 1) return 0;
        while (index < 0 || index >= dim) index = index < 0 ? -index : 2 * (dim - 1) - index;
        return index;
    }
    return kFillElement;
  }

  // The constant mode's value as a one-element tensor of the input's type; empty for zero.
  StatusOr<Tensor> FillValue(const KernelContext& context) const {
    const Tensor& input = context.input(0);
    if (from_inputs_) {
      if (!context.has_input(2)) return Tensor();
      const Tensor& value = context.input(2);
      if (value.dtype() != input.dtype() || value.element_count() != 1) {
        return InvalidArgument("input 2 (constant_value): expected a single " +
                               std::string(Name(input.dtype())) + ", got " + Name(value.dtype()) +
                               " of shape " + ShapeToString(value.shape()));
      }
      return value;
    }
    Tensor fill(input.dtype(), {});
    RETURN_IF_ERROR(DispatchByType<NumericAndBoolTypes>(input.dtype(), "input 0 (data)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      fill.data<T>()[0] = ConvertElement<T>(value_attribute_);
      return Status::Ok();
    }));
    return fill;
  }

  bool from_inputs_ = false;
  Mode mode_ = Mode::kConstant;
  std::vector<int64_t> pads_attribute_;
  float value_attribute_ = 0.0f;
};

}  // namespace

void RegisterReindexKernels(KernelRegistry& registry) {
  registry.Register({"", "Transpose", 1, kLatestOpset, {}, &CreateKernel<TransposeKernel, 1>});
  registry.Register({"", "DepthToSpace", 1, kLatestOpset, {}, &SpaceDepthKernel::Create<true>});
  registry.Register({"", "SpaceToDepth", 1, kLatestOpset, {}, &SpaceDepthKernel::Create<false>});
  registry.Register({"", "Slice", 1, 9, {}, &CreateKernel<SliceKernel, 1>});
  registry.Register({"", "Slice", 10, kLatestOpset, {}, &CreateKernel<SliceKernel, 3, 5>});
  registry.Register({"", "Tile", 6, kLatestOpset, {}, &CreateKernel<TileKernel, 2>});
  registry.Register({"", "Expand", 8, kLatestOpset, {}, &CreateKernel<ExpandKernel, 2>});
  registry.Register({"", "Pad", 2, kLatestOpset, {}, &PadKernel::Create});
}

}  // namespace mlos::engine
