#include "engine/value.h"

namespace mlos::engine {

Value::Value(Tensor tensor)
    : kind_(tensor.empty() ? Kind::kUnset : Kind::kTensor), tensor_(std::move(tensor)) {
  element_type_ = tensor_.dtype();
}

Value Value::Sequence(DataType element_type, std::vector<Tensor> items) {
  Value value;
  value.kind_ = Kind::kSequence;
  value.element_type_ = element_type;
  value.items_ = std::make_shared<const std::vector<Tensor>>(std::move(items));
  return value;
}

Value Value::EmptyOptional() {
  Value value;
  value.kind_ = Kind::kEmptyOptional;
  return value;
}

std::string Value::Describe() const {
  switch (kind_) {
    case Kind::kTensor:
      return std::string("tensor ") + Name(tensor_.dtype()) + " " + ShapeToString(tensor_.shape());
    case Kind::kSequence:
      return std::string("sequence of ") + Name(element_type_) + " (" +
             std::to_string(items_->size()) + " items)";
    case Kind::kEmptyOptional:
      return "empty optional";
    case Kind::kUnset:
      break;
  }
  return "nothing";
}

}  // namespace mlos::engine
