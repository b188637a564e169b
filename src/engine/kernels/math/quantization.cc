#include "engine/kernels/math/quantization.h"

#include "engine/kernels/common/element_types.h"

namespace mlos::engine {

StatusOr<std::vector<double>> CenteredOperand(const Tensor& operand, const Tensor* zero_point,
                                              const std::string& operand_name,
                                              const std::string& zero_point_name) {
  if (zero_point != nullptr && zero_point->element_count() != 1) {
    return Unimplemented(zero_point_name +
                         ": only a per-tensor (single) zero point is supported, got shape " +
                         ShapeToString(zero_point->shape()));
  }
  if (zero_point != nullptr && zero_point->dtype() != operand.dtype()) {
    return InvalidArgument(zero_point_name + ": element type " + Name(zero_point->dtype()) +
                           " does not match " + Name(operand.dtype()) + " of " + operand_name);
  }
  std::vector<double> values(static_cast<size_t>(operand.element_count()));
  Status status =
      DispatchByType<TypeList<uint8_t, int8_t>>(operand.dtype(), operand_name, [&](auto tag) {
        using Q = typename decltype(tag)::type;
        const double offset = zero_point ? static_cast<double>(zero_point->data<Q>()[0]) : 0.0;
        const Q* in = operand.data<Q>();
        for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(in[i]) - offset;
        return Status::Ok();
      });
  RETURN_IF_ERROR(status);
  return values;
}

}  // namespace mlos::engine
