#include "engine/kernels/math/shape_util.h"

#include <algorithm>
#include <string>

#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/shape_arithmetic.h"

namespace mlos::engine {

StatusOr<std::vector<int64_t>> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank,
                                             std::string_view what) {
  ASSIGN_OR_RETURN(std::vector<int64_t> resolved, ResolveAxes(axes, rank, what));
  std::sort(resolved.begin(), resolved.end());
  return resolved;
}

namespace {

// Row-major enumeration of sum(index[d] * strides[d]) over `shape`.
std::vector<int64_t> Offsets(const Shape& shape, const std::vector<int64_t>& strides) {
  std::vector<int64_t> offsets{0};
  for (size_t d = 0; d < shape.size(); ++d) {
    std::vector<int64_t> next;
    next.reserve(offsets.size() * static_cast<size_t>(shape[d]));
    for (int64_t offset : offsets) {
      for (int64_t j = 0; j < shape[d]; ++j) next.push_back(offset + j * strides[d]);
    }
    offsets = std::move(next);
  }
  return offsets;
}

}  // namespace

ReductionLayout PlanReduction(const Shape& shape, const std::vector<int64_t>& axes) {
  const std::vector<int64_t> strides = DenseStrides(shape);
  Shape kept_shape, reduced_shape;
  std::vector<int64_t> kept_strides, reduced_strides;
  for (size_t i = 0; i < shape.size(); ++i) {
    const bool reduced = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(i));
    (reduced ? reduced_shape : kept_shape).push_back(shape[i]);
    (reduced ? reduced_strides : kept_strides).push_back(strides[i]);
  }
  return {Offsets(kept_shape, kept_strides), Offsets(reduced_shape, reduced_strides)};
}

template <typename T>
Status ExpandInto(const Tensor& source, const Shape& target, std::string_view what, T* out) {
  const Shape& shape = source.shape();
  if (shape.size() > target.size()) {
    return InvalidArgument(std::string(what) + ": shape " + ShapeToString(shape) +
                           " cannot be broadcast to " + ShapeToString(target));
  }
  // Source strides aligned to the target's dimensions; 0 where the source broadcasts.
  const size_t rank = target.size();
  const size_t offset = rank - shape.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = rank; i-- > offset;) {
    const int64_t dim = shape[i - offset];
    if (dim != target[i] && dim != 1) {
      return InvalidArgument(std::string(what) + ": shape " + ShapeToString(shape) +
                             " cannot be broadcast to " + ShapeToString(target));
    }
    strides[i] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
  const T* in = source.data<T>();
  const int64_t count = ElementCount(target);
  std::vector<int64_t> index(rank, 0);
  int64_t source_offset = 0;
  for (int64_t i = 0; i < count; ++i) {
    out[i] = in[source_offset];
    for (size_t d = rank; d-- > 0;) {  // odometer increment
      if (++index[d] < target[d]) {
        source_offset += strides[d];
        break;
      }
      source_offset -= strides[d] * (target[d] - 1);
      index[d] = 0;
    }
  }
  return Status::Ok();
}

template Status ExpandInto<float>(const Tensor&, const Shape&, std::string_view, float*);
template Status ExpandInto<double>(const Tensor&, const Shape&, std::string_view, double*);
template Status ExpandInto<int32_t>(const Tensor&, const Shape&, std::string_view, int32_t*);
template Status ExpandInto<int64_t>(const Tensor&, const Shape&, std::string_view, int64_t*);

}  // namespace mlos::engine
