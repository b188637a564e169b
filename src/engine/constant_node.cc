#include "engine/constant_node.h"

#include "engine/tensor_proto.h"

namespace mlos::engine {
namespace {

template <typename T, typename Values>
Tensor TensorOf(DataType dtype, Shape shape, const Values& values) {
  Tensor tensor(dtype, std::move(shape));
  T* out = tensor.data<T>();
  for (int i = 0; i < values.size(); ++i) out[i] = values.Get(i);
  return tensor;
}

Tensor StringTensorOf(Shape shape, const google::protobuf::RepeatedPtrField<std::string>& values) {
  Tensor tensor(DataType::kString, std::move(shape));
  std::copy(values.begin(), values.end(), tensor.strings().begin());
  return tensor;
}

}  // namespace

StatusOr<Tensor> ConstantNodeValue(const onnx::NodeProto& node) {
  if (node.attribute_size() != 1) {
    return InvalidArgument("Constant node '" + node.name() +
                           "' needs exactly one value attribute, has " +
                           std::to_string(node.attribute_size()));
  }
  const onnx::AttributeProto& attribute = node.attribute(0);
  const std::string& name = attribute.name();
  if (name == "value") return TensorFromProto(attribute.t());
  if (name == "value_float") {
    Tensor tensor(DataType::kFloat32, {});
    *tensor.data<float>() = attribute.f();
    return tensor;
  }
  if (name == "value_int") {
    Tensor tensor(DataType::kInt64, {});
    *tensor.data<int64_t>() = attribute.i();
    return tensor;
  }
  if (name == "value_string") {
    Tensor tensor(DataType::kString, {});
    tensor.strings()[0] = attribute.s();
    return tensor;
  }
  if (name == "value_floats") {
    return TensorOf<float>(DataType::kFloat32, {attribute.floats_size()}, attribute.floats());
  }
  if (name == "value_ints") {
    return TensorOf<int64_t>(DataType::kInt64, {attribute.ints_size()}, attribute.ints());
  }
  if (name == "value_strings")
    return StringTensorOf({attribute.strings_size()}, attribute.strings());
  if (name == "sparse_value") {
    return Unimplemented("Constant node '" + node.name() + "': sparse_value is not supported");
  }
  return InvalidArgument("Constant node '" + node.name() + "': unknown attribute '" + name + "'");
}

}  // namespace mlos::engine
