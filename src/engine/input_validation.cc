#include "engine/input_validation.h"

#include "engine/model_signature.h"

namespace mlos::engine {
namespace {

std::string DeclaredNames(std::span<const TensorInfo> declared) {
  std::string names;
  for (const TensorInfo& info : declared) names += (names.empty() ? "'" : ", '") + info.name + "'";
  return names.empty() ? "none" : names;
}

bool ShapeFits(const TensorInfo& info, const Shape& shape) {
  for (int64_t dim : shape) {
    if (dim < 0) return false;
  }
  if (!info.rank_known) return true;
  if (info.shape.size() != shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (info.shape[i] >= 0 && info.shape[i] != shape[i]) return false;
  }
  return true;
}

Status CheckInput(const TensorInfo& info, const Tensor& tensor) {
  const bool dtype_fits = info.dtype == DataType::kInvalid || info.dtype == tensor.dtype();
  if (dtype_fits && ShapeFits(info, tensor.shape())) return Status::Ok();
  return InvalidArgument("input '" + info.name + "': expected " + DescribeTensorInfo(info) +
                         ", got " + Name(tensor.dtype()) + " " + ShapeToString(tensor.shape()));
}

}  // namespace

StatusOr<std::vector<const Tensor*>> MatchInputs(std::span<const TensorInfo> declared,
                                                 std::span<const NamedTensor> provided) {
  std::vector<const Tensor*> matched(declared.size(), nullptr);
  for (const NamedTensor& input : provided) {
    size_t index = 0;
    while (index < declared.size() && declared[index].name != input.name) ++index;
    if (index == declared.size()) {
      return InvalidArgument("unknown input '" + input.name + "'; the model's inputs are " +
                             DeclaredNames(declared));
    }
    if (matched[index] != nullptr)
      return InvalidArgument("input '" + input.name + "' is given twice");
    RETURN_IF_ERROR(CheckInput(declared[index], input.tensor));
    matched[index] = &input.tensor;
  }
  for (size_t i = 0; i < declared.size(); ++i) {
    if (matched[i] == nullptr) {
      return InvalidArgument("missing input '" + declared[i].name + "' (expected " +
                             DescribeTensorInfo(declared[i]) + ")");
    }
  }
  return matched;
}

}  // namespace mlos::engine
