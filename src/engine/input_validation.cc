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

bool Fits(const TensorInfo& info, const Value& value) {
  switch (info.kind) {
    case TensorInfo::Kind::kTensor:
      return value.is_tensor() &&
             (info.dtype == DataType::kInvalid || info.dtype == value.tensor().dtype()) &&
             ShapeFits(info, value.tensor().shape());
    case TensorInfo::Kind::kSequence:
      return value.is_sequence();
    case TensorInfo::Kind::kOptional:
      return value.is_set();
    case TensorInfo::Kind::kOther:
      break;
  }
  return false;
}

Status CheckInput(const TensorInfo& info, const Value& value) {
  if (Fits(info, value)) return Status::Ok();
  const std::string got =
      value.is_tensor()
          ? std::string(Name(value.tensor().dtype())) + " " + ShapeToString(value.tensor().shape())
          : value.Describe();
  return InvalidArgument("input '" + info.name + "': expected " + DescribeTensorInfo(info) +
                         ", got " + got);
}

}  // namespace

StatusOr<std::vector<const Value*>> MatchInputs(std::span<const TensorInfo> declared,
                                                std::span<const NamedValue> provided) {
  std::vector<const Value*> matched(declared.size(), nullptr);
  for (const NamedValue& input : provided) {
    size_t index = 0;
    while (index < declared.size() && declared[index].name != input.name) ++index;
    if (index == declared.size()) {
      return InvalidArgument("unknown input '" + input.name + "'; the model's inputs are " +
                             DeclaredNames(declared));
    }
    if (matched[index] != nullptr)
      return InvalidArgument("input '" + input.name + "' is given twice");
    RETURN_IF_ERROR(CheckInput(declared[index], input.value));
    matched[index] = &input.value;
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
