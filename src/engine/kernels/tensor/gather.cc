// Index-driven kernels: Gather, GatherElements, ScatterElements (and Scatter), GatherND, ScatterND,
// Compress, ReverseSequence.
// Indices are int32 or int64 and may be negative (counting from the end of the axis);
// out-of-range indices are errors.
#include <algorithm>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/tensor/registrations.h"

namespace mlos::engine {
namespace {

// Reads indices into [0, dim), or says which one is out of range.
StatusOr<std::vector<int64_t>> ReadIndices(const Tensor& tensor, int64_t dim, const char* what) {
  ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadIntegers(tensor, what));
  for (int64_t& index : indices) {
    if (index < -dim || index >= dim) {
      return InvalidArgument(std::string(what) + ": index " + std::to_string(index) +
                             " is out of range [" + std::to_string(-dim) + ", " +
                             std::to_string(dim - 1) + "]");
    }
    if (index < 0) index += dim;
  }
  return indices;
}

int64_t Product(const Shape& shape, size_t begin, size_t end) {
  int64_t product = 1;
  for (size_t d = begin; d < end; ++d) product *= shape[d];
  return product;
}

// Gather: output = data[:, ..., indices, ...] along `axis`; shape data[:axis] + indices +
// data[axis+1:].
class GatherKernel : public Kernel {
 public:
  explicit GatherKernel(const KernelInit& init) : axis_(init.attributes.GetInt("axis", 0)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    const Shape& shape = data.shape();
    ASSIGN_OR_RETURN(const int64_t axis_value,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    const size_t axis = static_cast<size_t>(axis_value);
    const Tensor& indices_tensor = context.input(1);
    ASSIGN_OR_RETURN(std::vector<int64_t> indices,
                     ReadIndices(indices_tensor, shape[axis], "input 1 (indices)"));
    Shape output_shape(shape.begin(), shape.begin() + axis_value);
    output_shape.insert(output_shape.end(), indices_tensor.shape().begin(),
                        indices_tensor.shape().end());
    output_shape.insert(output_shape.end(), shape.begin() + axis_value + 1, shape.end());
    Tensor output = Tensor::Uninitialized(data.dtype(), output_shape);
    const int64_t outer = Product(shape, 0, axis);
    const int64_t inner = Product(shape, axis + 1, shape.size());
    const int64_t count = static_cast<int64_t>(indices.size());
    RETURN_IF_ERROR(DispatchStorage(data.dtype(), "input 0 (data)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(data);
      T* out = Elements<T>(output);
      ParallelFor(context.pool, outer * count, static_cast<double>(inner),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t block = begin; block < end; ++block) {
                      const int64_t o = block / count;
                      const T* source = in + (o * shape[axis] + indices[block % count]) * inner;
                      std::copy(source, source + inner, out + block * inner);
                    }
                  });
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

// Visits every element of `indices_shape` (rank r), calling fn(position, target) where target is
// the row-major offset into a tensor of `data_shape` (same rank) of that position with the
// coordinate along `axis` replaced by indices[position].
template <typename Fn>
void ForEachIndexedElement(const Shape& indices_shape, const Shape& data_shape, size_t axis,
                           const std::vector<int64_t>& indices, Fn&& fn) {
  const std::vector<int64_t> data_strides = DenseStrides(data_shape);
  std::vector<int64_t> coordinate(indices_shape.size(), 0);
  for (int64_t position = 0; position < static_cast<int64_t>(indices.size()); ++position) {
    int64_t target = 0;
    for (size_t d = 0; d < coordinate.size(); ++d) {
      target += (d == axis ? indices[static_cast<size_t>(position)] : coordinate[d]) *
                data_strides[d];
    }
    fn(position, target);
    for (size_t d = coordinate.size(); d-- > 0;) {
      if (++coordinate[d] < indices_shape[d]) break;
      coordinate[d] = 0;
    }
  }
}

// Checks that `indices` has `data`'s rank and no dimension larger than data's outside `axis`
// (GatherElements, ScatterElements).
Status CheckIndexShape(const Shape& indices, const Shape& data, size_t axis, const char* what) {
  bool fits = indices.size() == data.size();
  for (size_t d = 0; d < indices.size() && fits; ++d) fits = d == axis || indices[d] <= data[d];
  if (fits) return Status::Ok();
  return InvalidArgument(std::string(what) + ": shape " + ShapeToString(indices) +
                         " does not fit input 0 (data) shape " + ShapeToString(data));
}

// GatherElements: output[i][j][k] = data[index][j][k] (axis 0), index = indices[i][j][k].
class GatherElementsKernel : public Kernel {
 public:
  explicit GatherElementsKernel(const KernelInit& init)
      : axis_(init.attributes.GetInt("axis", 0)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    const Tensor& indices_tensor = context.input(1);
    const Shape& shape = data.shape();
    ASSIGN_OR_RETURN(const int64_t axis_value,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    const size_t axis = static_cast<size_t>(axis_value);
    constexpr const char* kWhat = "input 1 (indices)";
    RETURN_IF_ERROR(CheckIndexShape(indices_tensor.shape(), shape, axis, kWhat));
    ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadIndices(indices_tensor, shape[axis], kWhat));
    Tensor output(data.dtype(), indices_tensor.shape());
    RETURN_IF_ERROR(DispatchStorage(data.dtype(), "input 0 (data)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(data);
      T* out = Elements<T>(output);
      ForEachIndexedElement(indices_tensor.shape(), shape, axis, indices,
                            [&](int64_t position, int64_t source) { out[position] = in[source]; });
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

// How a scatter update combines with the element it lands on: the `reduction` attribute of
// ScatterElements and ScatterND: none (replace), add, mul (opset 16), max, min (opset 18).
enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

StatusOr<Reduction> ParseReduction(const NodeAttributes& attributes) {
  const std::string name = attributes.GetString("reduction", "none");
  if (name == "none") return Reduction::kNone;
  if (name == "add") return Reduction::kAdd;
  if (name == "mul") return Reduction::kMul;
  if (name == "max") return Reduction::kMax;
  if (name == "min") return Reduction::kMin;
  return InvalidArgument("attribute reduction: unknown value '" + name + "'");
}

// Writes `updates` into `output`: `visit(assign)` calls assign(target, source) for each update,
// which combines updates[source] into output[target].
template <typename Visit>
Status ScatterInto(Tensor& output, const Tensor& updates, Reduction reduction, Visit&& visit) {
  if (reduction == Reduction::kNone) {
    return DispatchStorage(output.dtype(), "input 0 (data)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = Elements<T>(output);
      const T* values = Elements<T>(updates);
      visit([&](int64_t target, int64_t source) { out[target] = values[source]; });
      return Status::Ok();
    });
  }
  return DispatchByType<NumericTypes>(output.dtype(), "input 0 (data)", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = ComputeType<T>;
    T* out = output.data<T>();
    const T* values = updates.data<T>();
    visit([&](int64_t target, int64_t source) {
      const C a = static_cast<C>(out[target]);
      const C b = static_cast<C>(values[source]);
      switch (reduction) {
        case Reduction::kAdd: out[target] = static_cast<T>(a + b); break;
        case Reduction::kMul: out[target] = static_cast<T>(a * b); break;
        case Reduction::kMax: out[target] = static_cast<T>(std::max(a, b)); break;
        default: out[target] = static_cast<T>(std::min(a, b)); break;
      }
    });
    return Status::Ok();
  });
}

Status CheckUpdates(const Tensor& updates, const Tensor& data, const Shape& expected_shape) {
  if (updates.shape() == expected_shape && updates.dtype() == data.dtype()) return Status::Ok();
  return InvalidArgument("input 2 (updates): expected " + std::string(Name(data.dtype())) +
                         " of shape " + ShapeToString(expected_shape) + ", got " +
                         Name(updates.dtype()) + " of shape " + ShapeToString(updates.shape()));
}

// ScatterElements: a copy of data with data[index][j][k] = reduce(it, updates[i][j][k]) (axis 0).
class ScatterElementsKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 3, 3));
    ASSIGN_OR_RETURN(Reduction reduction, ParseReduction(init.attributes));
    return std::unique_ptr<Kernel>(
        new ScatterElementsKernel(init.attributes.GetInt("axis", 0), reduction));
  }

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    const Tensor& indices_tensor = context.input(1);
    const Tensor& updates = context.input(2);
    const Shape& shape = data.shape();
    ASSIGN_OR_RETURN(const int64_t axis_value,
                     ResolveAxis(axis_, static_cast<int64_t>(shape.size()), "attribute axis"));
    const size_t axis = static_cast<size_t>(axis_value);
    constexpr const char* kWhat = "input 1 (indices)";
    RETURN_IF_ERROR(CheckIndexShape(indices_tensor.shape(), shape, axis, kWhat));
    RETURN_IF_ERROR(CheckUpdates(updates, data, indices_tensor.shape()));
    ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadIndices(indices_tensor, shape[axis], kWhat));
    Tensor output = data.Clone();
    RETURN_IF_ERROR(ScatterInto(output, updates, reduction_, [&](auto&& assign) {
      ForEachIndexedElement(indices_tensor.shape(), shape, axis, indices,
                            [&](int64_t position, int64_t target) { assign(target, position); });
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  ScatterElementsKernel(int64_t axis, Reduction reduction) : axis_(axis), reduction_(reduction) {}
  int64_t axis_;
  Reduction reduction_;
};

// The element offsets that the index tuples in the last axis of `indices` address in `data`,
// after `batch_dims` leading batch axes shared by both (GatherND, ScatterND). Each tuple selects
// a slice of slice_size elements.
struct NdIndexing {
  std::vector<int64_t> offsets;  // one per tuple, batch offset included
  int64_t slice_size = 1;
  Shape slice_shape;  // data.shape[batch_dims + tuple length:]
};

StatusOr<NdIndexing> ResolveNdIndices(const Shape& data, const Tensor& indices_tensor,
                                      int64_t batch_dims) {
  constexpr const char* kWhat = "input 1 (indices)";
  const Shape& indices_shape = indices_tensor.shape();
  const int64_t data_rank = static_cast<int64_t>(data.size());
  const int64_t indices_rank = static_cast<int64_t>(indices_shape.size());
  if (indices_rank < 1 || batch_dims < 0 || batch_dims >= std::min(data_rank, indices_rank) ||
      indices_shape.back() > data_rank - batch_dims) {
    return InvalidArgument(std::string(kWhat) + ": shape " + ShapeToString(indices_shape) +
                           " cannot index input 0 (data) shape " + ShapeToString(data) +
                           " with batch_dims " + std::to_string(batch_dims));
  }
  for (int64_t d = 0; d < batch_dims; ++d) {
    if (indices_shape[d] != data[d]) {
      return InvalidArgument(std::string(kWhat) + ": batch dimension " + std::to_string(d) +
                             " is " + std::to_string(indices_shape[d]) + ", input 0 (data) has " +
                             std::to_string(data[d]));
    }
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> values, ReadIntegers(indices_tensor, kWhat));
  const int64_t tuple_length = indices_shape.back();
  const std::vector<int64_t> strides = DenseStrides(data);
  NdIndexing result;
  result.slice_shape.assign(data.begin() + batch_dims + tuple_length, data.end());
  result.slice_size = ElementCount(result.slice_shape);
  // Tuples are grouped by batch: tuple t belongs to batch t / tuples_per_batch.
  const int64_t tuples = ElementCount(Shape(indices_shape.begin(), indices_shape.end() - 1));
  const int64_t batches = ElementCount(Shape(data.begin(), data.begin() + batch_dims));
  const int64_t tuples_per_batch = std::max<int64_t>(1, batches == 0 ? 1 : tuples / batches);
  const int64_t batch_size = ElementCount(Shape(data.begin() + batch_dims, data.end()));
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = (t / tuples_per_batch) * batch_size;
    for (int64_t j = 0; j < tuple_length; ++j) {
      const size_t axis = static_cast<size_t>(batch_dims + j);
      int64_t index = values[static_cast<size_t>(t * tuple_length + j)];
      if (index < -data[axis] || index >= data[axis]) {
        return InvalidArgument(std::string(kWhat) + ": index " + std::to_string(index) +
                               " is out of range [" + std::to_string(-data[axis]) + ", " +
                               std::to_string(data[axis] - 1) + "] for axis " +
                               std::to_string(axis));
      }
      offset += (index < 0 ? index + data[axis] : index) * strides[axis];
    }
    result.offsets.push_back(offset);
  }
  return result;
}

// GatherND: output = indices.shape[:-1] + data.shape[batch_dims + k:], each tuple of k indices
// selecting a slice of data.
class GatherNdKernel : public Kernel {
 public:
  explicit GatherNdKernel(const KernelInit& init)
      : batch_dims_(init.attributes.GetInt("batch_dims", 0)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    const Tensor& indices = context.input(1);
    ASSIGN_OR_RETURN(NdIndexing indexing, ResolveNdIndices(data.shape(), indices, batch_dims_));
    Shape output_shape(indices.shape().begin(), indices.shape().end() - 1);
    output_shape.insert(output_shape.end(), indexing.slice_shape.begin(), indexing.slice_shape.end());
    Tensor output(data.dtype(), output_shape);
    RETURN_IF_ERROR(DispatchStorage(data.dtype(), "input 0 (data)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(data);
      T* out = Elements<T>(output);
      for (size_t t = 0; t < indexing.offsets.size(); ++t) {
        const T* source = in + indexing.offsets[t];
        std::copy(source, source + indexing.slice_size,
                  out + static_cast<int64_t>(t) * indexing.slice_size);
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  int64_t batch_dims_;
};

// ScatterND: a copy of data with the slices that the index tuples select combined with updates
// (shape indices.shape[:-1] + data.shape[k:]).
class ScatterNdKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 3, 3));
    ASSIGN_OR_RETURN(Reduction reduction, ParseReduction(init.attributes));
    return std::unique_ptr<Kernel>(new ScatterNdKernel(reduction));
  }

  Status Compute(KernelContext& context) const override {
    const Tensor& data = context.input(0);
    const Tensor& indices = context.input(1);
    const Tensor& updates = context.input(2);
    ASSIGN_OR_RETURN(NdIndexing indexing, ResolveNdIndices(data.shape(), indices, 0));
    Shape expected(indices.shape().begin(), indices.shape().end() - 1);
    expected.insert(expected.end(), indexing.slice_shape.begin(), indexing.slice_shape.end());
    RETURN_IF_ERROR(CheckUpdates(updates, data, expected));
    Tensor output = data.Clone();
    RETURN_IF_ERROR(ScatterInto(output, updates, reduction_, [&](auto&& assign) {
      for (size_t t = 0; t < indexing.offsets.size(); ++t) {
        for (int64_t j = 0; j < indexing.slice_size; ++j) {
          assign(indexing.offsets[t] + j, static_cast<int64_t>(t) * indexing.slice_size + j);
        }
      }
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  explicit ScatterNdKernel(Reduction reduction) : reduction_(reduction) {}
  Reduction reduction_;
};

// Compress: the slices along `axis` (of the flattened input when absent) whose condition is true.
class CompressKernel : public Kernel {
 public:
  explicit CompressKernel(const KernelInit& init)
      : has_axis_(init.attributes.Has("axis")), axis_(init.attributes.GetInt("axis", 0)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& condition = context.input(1);
    if (condition.dtype() != DataType::kBool || condition.shape().size() != 1) {
      return InvalidArgument("input 1 (condition): expected a 1-D bool tensor, got " +
                             std::string(Name(condition.dtype())) + " of shape " +
                             ShapeToString(condition.shape()));
    }
    const Tensor input = has_axis_ ? context.input(0)
                                   : context.input(0).Reshaped({context.input(0).element_count()});
    const Shape& shape = input.shape();
    ASSIGN_OR_RETURN(const int64_t axis_value,
                     ResolveAxis(has_axis_ ? axis_ : 0, static_cast<int64_t>(shape.size()),
                                 "attribute axis"));
    const size_t axis = static_cast<size_t>(axis_value);
    std::vector<int64_t> kept;
    const bool* keep = condition.data<bool>();
    for (int64_t i = 0; i < std::min(condition.element_count(), shape[axis]); ++i) {
      if (keep[i]) kept.push_back(i);
    }
    Shape output_shape = shape;
    output_shape[axis] = static_cast<int64_t>(kept.size());
    Tensor output(input.dtype(), output_shape);
    const int64_t outer = Product(shape, 0, axis);
    const int64_t inner = Product(shape, axis + 1, shape.size());
    RETURN_IF_ERROR(DispatchStorage(input.dtype(), "input 0 (input)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(input);
      T* out = Elements<T>(output);
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t index : kept) {
          const T* source = in + (o * shape[axis] + index) * inner;
          out = std::copy(source, source + inner, out);
        }
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  bool has_axis_;
  int64_t axis_;
};

// ReverseSequence: for each batch entry b, reverses the first sequence_lens[b] steps along the
// time axis and keeps the rest.
class ReverseSequenceKernel : public Kernel {
 public:
  explicit ReverseSequenceKernel(const KernelInit& init)
      : batch_axis_(init.attributes.GetInt("batch_axis", 1)),
        time_axis_(init.attributes.GetInt("time_axis", 0)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    const bool axes_valid = shape.size() >= 2 && (batch_axis_ == 0 || batch_axis_ == 1) &&
                            (time_axis_ == 0 || time_axis_ == 1) && batch_axis_ != time_axis_;
    if (!axes_valid) {
      return InvalidArgument("attributes batch_axis " + std::to_string(batch_axis_) +
                             " and time_axis " + std::to_string(time_axis_) +
                             " must be 0 and 1 of input 0 " + ShapeToString(shape));
    }
    const size_t batch_axis = static_cast<size_t>(batch_axis_);
    const size_t time_axis = static_cast<size_t>(time_axis_);
    constexpr const char* kWhat = "input 1 (sequence_lens)";
    ASSIGN_OR_RETURN(std::vector<int64_t> lengths, ReadIntegers(context.input(1), kWhat));
    if (static_cast<int64_t>(lengths.size()) != shape[batch_axis]) {
      return InvalidArgument(std::string(kWhat) + ": " + std::to_string(lengths.size()) +
                             " lengths for batch size " + std::to_string(shape[batch_axis]));
    }
    for (int64_t length : lengths) {
      if (length < 0 || length > shape[time_axis]) {
        return InvalidArgument(std::string(kWhat) + ": length " + std::to_string(length) +
                               " is outside [0, " + std::to_string(shape[time_axis]) + "]");
      }
    }
    const std::vector<int64_t> strides = DenseStrides(shape);
    Tensor output(input.dtype(), shape);
    RETURN_IF_ERROR(DispatchStorage(input.dtype(), "input 0 (input)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = Elements<T>(input);
      T* out = Elements<T>(output);
      for (int64_t i = 0; i < input.element_count(); ++i) {
        const int64_t step = (i / strides[time_axis]) % shape[time_axis];
        const int64_t length = lengths[static_cast<size_t>((i / strides[batch_axis]) % shape[batch_axis])];
        const int64_t source_step = step < length ? length - 1 - step : step;
        out[i] = in[i + (source_step - step) * strides[time_axis]];
      }
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  int64_t batch_axis_;
  int64_t time_axis_;
};

}  // namespace

void RegisterGatherKernels(KernelRegistry& registry) {
  registry.Register({"", "Gather", 1, kLatestOpset, {}, &CreateKernel<GatherKernel, 2>});
  registry.Register({"", "GatherElements", 11, kLatestOpset, {},
                     &CreateKernel<GatherElementsKernel, 2>});
  // Scatter (opsets 9-10) is ScatterElements under its old name.
  registry.Register({"", "Scatter", 9, 10, {}, &ScatterElementsKernel::Create});
  registry.Register({"", "ScatterElements", 11, kLatestOpset, {}, &ScatterElementsKernel::Create});
  registry.Register({"", "GatherND", 11, kLatestOpset, {}, &CreateKernel<GatherNdKernel, 2>});
  registry.Register({"", "ScatterND", 11, kLatestOpset, {}, &ScatterNdKernel::Create});
  registry.Register({"", "ReverseSequence", 10, kLatestOpset, {},
                     &CreateKernel<ReverseSequenceKernel, 2>});
  registry.Register({"", "Compress", 9, kLatestOpset, {}, &CreateKernel<CompressKernel, 2>});
}

}  // namespace mlos::engine
