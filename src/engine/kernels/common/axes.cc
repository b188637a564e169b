#include "engine/kernels/common/axes.h"

#include <algorithm>
#include <string>

namespace mlos::engine {

StatusOr<int64_t> ResolveAxis(int64_t axis, int64_t rank, std::string_view what) {
  if (axis < -rank || axis >= rank) {
    return InvalidArgument(std::string(what) + ": axis " + std::to_string(axis) +
                           " is out of range [" + std::to_string(-rank) + ", " +
                           std::to_string(rank - 1) + "]");
  }
  return axis < 0 ? axis + rank : axis;
}

StatusOr<std::vector<int64_t>> ResolveAxes(const std::vector<int64_t>& axes, int64_t rank,
                                           std::string_view what) {
  std::vector<int64_t> resolved;
  for (int64_t axis : axes) {
    ASSIGN_OR_RETURN(int64_t value, ResolveAxis(axis, rank, what));
    if (std::find(resolved.begin(), resolved.end(), value) != resolved.end()) {
      return InvalidArgument(std::string(what) + ": axis " + std::to_string(axis) +
                             " is repeated");
    }
    resolved.push_back(value);
  }
  return resolved;
}

StatusOr<std::vector<int64_t>> ReadIntegers(const Tensor& tensor, std::string_view what) {
  if (tensor.dtype() == DataType::kInt64) {
    auto values = tensor.values<int64_t>();
    return std::vector<int64_t>(values.begin(), values.end());
  }
  if (tensor.dtype() == DataType::kInt32) {
    auto values = tensor.values<int32_t>();
    return std::vector<int64_t>(values.begin(), values.end());
  }
  return InvalidArgument(std::string(what) + ": expected int64 or int32, got " +
                         Name(tensor.dtype()));
}

StatusOr<int64_t> ReadScalarInteger(const Tensor& tensor, std::string_view what) {
  ASSIGN_OR_RETURN(std::vector<int64_t> values, ReadIntegers(tensor, what));
  if (values.size() != 1) {
    return InvalidArgument(std::string(what) + ": expected one value, got shape " +
                           ShapeToString(tensor.shape()));
  }
  return values[0];
}

Status CheckDimensions(const Shape& shape, std::string_view what) {
  for (int64_t dim : shape) {
    if (dim < 0) {
      return InvalidArgument(std::string(what) + ": " + std::to_string(dim) +
                             " is not a valid dimension");
    }
  }
  return Status::Ok();
}

}  // namespace mlos::engine
