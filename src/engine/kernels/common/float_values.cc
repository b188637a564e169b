#include "engine/kernels/common/float_values.h"

#include <string>

#include "engine/kernels/common/element_types.h"

namespace mlos::engine {

StatusOr<std::vector<double>> ReadFloatValues(const Tensor& tensor, std::string_view what) {
  std::vector<double> values;
  Status status = DispatchByType<FloatTypes>(tensor.dtype(), what, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (const T& value : tensor.values<T>())
      values.push_back(static_cast<double>(static_cast<ComputeType<T>>(value)));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return values;
}

StatusOr<double> ReadScalarFloatValue(const Tensor& tensor, std::string_view what) {
  ASSIGN_OR_RETURN(std::vector<double> values, ReadFloatValues(tensor, what));
  if (values.size() != 1) {
    return InvalidArgument(std::string(what) + ": expected one value, got shape " +
                           ShapeToString(tensor.shape()));
  }
  return values[0];
}

}  // namespace mlos::engine
