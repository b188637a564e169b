// Index-driven kernels: Gather, GatherElements, ScatterElements. Indices are int32 or int64 and
// may be negative (counting from the end of the axis); out-of-range indices are errors.
#include <algorithm>

#include "engine/kernels/elementwise/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/tensor/axes.h"
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
    Tensor output(data.dtype(), output_shape);
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

// ScatterElements: a copy of data with data[index][j][k] = reduce(it, updates[i][j][k]) (axis 0),
// reduce from the `reduction` attribute: none (replace), add, mul (opset 16), max, min (18).
class ScatterElementsKernel : public Kernel {
 public:
  enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 3, 3));
    const std::string name = init.attributes.GetString("reduction", "none");
    Reduction reduction;
    if (name == "none") reduction = Reduction::kNone;
    else if (name == "add") reduction = Reduction::kAdd;
    else if (name == "mul") reduction = Reduction::kMul;
    else if (name == "max") reduction = Reduction::kMax;
    else if (name == "min") reduction = Reduction::kMin;
    else return InvalidArgument("attribute reduction: unknown value '" + name + "'");
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
    if (updates.shape() != indices_tensor.shape() || updates.dtype() != data.dtype()) {
      return InvalidArgument("input 2 (updates): expected " + std::string(Name(data.dtype())) +
                             " of shape " + ShapeToString(indices_tensor.shape()) + ", got " +
                             Name(updates.dtype()) + " of shape " + ShapeToString(updates.shape()));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadIndices(indices_tensor, shape[axis], kWhat));
    Tensor output = data.Clone();
    if (reduction_ == Reduction::kNone) {
      RETURN_IF_ERROR(DispatchStorage(data.dtype(), "input 0 (data)", [&](auto tag) {
        using T = typename decltype(tag)::type;
        Scatter<T>(output, updates, shape, axis, indices, [](T, T update) { return update; });
        return Status::Ok();
      }));
    } else {
      RETURN_IF_ERROR(DispatchByType<NumericTypes>(data.dtype(), "input 0 (data)", [&](auto tag) {
        using T = typename decltype(tag)::type;
        using C = ComputeType<T>;
        const Reduction reduction = reduction_;
        Scatter<T>(output, updates, shape, axis, indices, [reduction](T current, T update) {
          const C a = static_cast<C>(current);
          const C b = static_cast<C>(update);
          switch (reduction) {
            case Reduction::kAdd: return static_cast<T>(a + b);
            case Reduction::kMul: return static_cast<T>(a * b);
            case Reduction::kMax: return static_cast<T>(std::max(a, b));
            default: return static_cast<T>(std::min(a, b));
          }
        });
        return Status::Ok();
      }));
    }
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  ScatterElementsKernel(int64_t axis, Reduction reduction) : axis_(axis), reduction_(reduction) {}

  template <typename T, typename Combine>
  static void Scatter(Tensor& output, const Tensor& updates, const Shape& shape, size_t axis,
                      const std::vector<int64_t>& indices, Combine combine) {
    T* out = Elements<T>(output);
    const T* values = Elements<T>(updates);
    ForEachIndexedElement(updates.shape(), shape, axis, indices,
                          [&](int64_t position, int64_t target) {
                            out[target] = combine(out[target], values[position]);
                          });
  }

  int64_t axis_;
  Reduction reduction_;
};

}  // namespace

void RegisterGatherKernels(KernelRegistry& registry) {
  registry.Register({"", "Gather", 1, kLatestOpset, {}, &CreateKernel<GatherKernel, 2>});
  registry.Register({"", "GatherElements", 11, kLatestOpset, {},
                     &CreateKernel<GatherElementsKernel, 2>});
  registry.Register({"", "ScatterElements", 11, kLatestOpset, {}, &ScatterElementsKernel::Create});
}

}  // namespace mlos::engine
