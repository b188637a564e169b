// Test helpers shared by every kernel unit test: build one ONNX node (NodeBuilder), run it
// through the built-in registry (RunNode for the full StatusOr, RunOne for the first output,
// RunError for the error message) and compare results with written-in goldens
// (ExpectTensorNear). Test files put their tests in namespace mlos::engine::testing so these names
// need no using-declarations. Header-only; include only from *_test.cc files.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/tensor.h"
#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"

namespace mlos::engine::testing {

template <typename T>
Tensor MakeTensor(Shape shape, const std::vector<T>& values) {
  Tensor tensor(DataTypeFor<T>(), std::move(shape));
  EXPECT_EQ(static_cast<size_t>(tensor.element_count()), values.size());
  T* out = tensor.data<T>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return tensor;
}

// Values i * scale + shift over `shape`, i counting in row-major order.
inline Tensor Sequence(Shape shape, float scale, float shift) {
  std::vector<float> values;
  for (int64_t i = 0; i < ElementCount(shape); ++i)
    values.push_back(static_cast<float>(i) * scale + shift);
  return MakeTensor<float>(std::move(shape), values);
}

// 0, 1, 2, ... as T over `shape`, in row-major order.
template <typename T>
Tensor Iota(Shape shape) {
  std::vector<T> values(static_cast<size_t>(ElementCount(shape)));
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<T>(i);
  return MakeTensor<T>(std::move(shape), values);
}

// Builds a NodeProto: NodeBuilder("Gemm").Inputs(3).Outputs(1).Int("transB", 1).Build().
class NodeBuilder {
 public:
  explicit NodeBuilder(const std::string& op_type, const std::string& domain = "") {
    node_.set_op_type(op_type);
    node_.set_domain(domain);
    node_.set_name(op_type + "_under_test");
  }
  // Names inputs in0..in{n-1}; an index listed in `missing` gets "" (absent optional input).
  NodeBuilder& Inputs(int count, std::vector<int> missing = {}) {
    for (int i = 0; i < count; ++i) {
      bool absent = std::find(missing.begin(), missing.end(), i) != missing.end();
      node_.add_input(absent ? "" : "in" + std::to_string(i));
    }
    return *this;
  }
  NodeBuilder& Outputs(int count) {
    for (int i = 0; i < count; ++i) node_.add_output("out" + std::to_string(i));
    return *this;
  }
  NodeBuilder& Int(const std::string& name, int64_t value) {
    auto* a = Add(name, onnx::AttributeProto::INT);
    a->set_i(value);
    return *this;
  }
  NodeBuilder& Float(const std::string& name, float value) {
    auto* a = Add(name, onnx::AttributeProto::FLOAT);
    a->set_f(value);
    return *this;
  }
  NodeBuilder& String(const std::string& name, const std::string& value) {
    auto* a = Add(name, onnx::AttributeProto::STRING);
    a->set_s(value);
    return *this;
  }
  NodeBuilder& Ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* a = Add(name, onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
    return *this;
  }
  NodeBuilder& Floats(const std::string& name, const std::vector<float>& values) {
    auto* a = Add(name, onnx::AttributeProto::FLOATS);
    for (float v : values) a->add_floats(v);
    return *this;
  }
  NodeBuilder& TensorAttribute(const std::string& name, const onnx::TensorProto& value) {
    auto* a = Add(name, onnx::AttributeProto::TENSOR);
    *a->mutable_t() = value;
    return *this;
  }
  const onnx::NodeProto& Build() const { return node_; }

 private:
  onnx::AttributeProto* Add(const std::string& name, onnx::AttributeProto::AttributeType type) {
    auto* a = node_.add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  }
  onnx::NodeProto node_;
};

// A node of `op` with `inputs` inputs and `outputs` outputs, for further attributes.
inline NodeBuilder Node(const std::string& op, int inputs, int outputs = 1) {
  NodeBuilder node(op);
  node.Inputs(inputs).Outputs(outputs);
  return node;
}

// Runs `node` at `opset` on `inputs` (an empty Tensor = missing optional input). When
// `inputs_are_constant`, the factory also sees them as constant initializers (prepacking path).
inline StatusOr<std::vector<Tensor>> RunNode(const onnx::NodeProto& node, int opset,
                                             const std::vector<Tensor>& inputs,
                                             bool inputs_are_constant = false) {
  std::vector<const Tensor*> input_pointers;
  std::vector<DataType> input_types;
  for (const Tensor& input : inputs) {
    input_pointers.push_back(input.empty() ? nullptr : &input);
    input_types.push_back(input.dtype());
  }
  DataType first_type = inputs.empty() ? DataType::kInvalid : inputs[0].dtype();
  ASSIGN_OR_RETURN(
      const KernelRegistration* registration,
      KernelRegistry::BuiltIn().Find(node.domain(), node.op_type(), opset, first_type));
  KernelInit init{node,
                  NodeAttributes(node),
                  opset,
                  inputs_are_constant ? input_pointers : std::vector<const Tensor*>(inputs.size()),
                  input_types,
                  nullptr};
  ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel, registration->factory(init));
  std::vector<Value> values(inputs.begin(), inputs.end());
  std::vector<const Value*> value_pointers;
  for (const Value& value : values) value_pointers.push_back(value.is_set() ? &value : nullptr);
  std::vector<Tensor> outputs(static_cast<size_t>(node.output_size()));
  std::vector<Value> value_outputs(outputs.size());
  KernelContext context{input_pointers, outputs, nullptr, value_pointers, value_outputs};
  RETURN_IF_ERROR(kernel->Compute(context));
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (value_outputs[i].is_tensor()) outputs[i] = value_outputs[i].tensor();
  }
  return outputs;
}

// Runs `node` at `opset` and returns its first output; a failure is a test failure (and an
// empty tensor).
inline Tensor RunOne(const NodeBuilder& node, const std::vector<Tensor>& inputs, int opset = 17) {
  StatusOr<std::vector<Tensor>> result = RunNode(node.Build(), opset, inputs);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? (*result)[0] : Tensor();
}

// The error message of running `node`, or "" (with a test failure) when it succeeds.
inline std::string RunError(const NodeBuilder& node, const std::vector<Tensor>& inputs,
                            int opset = 17) {
  StatusOr<std::vector<Tensor>> result = RunNode(node.Build(), opset, inputs);
  EXPECT_FALSE(result.ok()) << "expected an error";
  return result.ok() ? std::string() : result.status().message();
}

// Expects equal dtype and shape and every element within atol + rtol * |expected|.
template <typename T>
void ExpectTensorNear(const Tensor& actual, Shape expected_shape, const std::vector<T>& expected,
                      double rtol = 1e-5, double atol = 1e-6) {
  ASSERT_EQ(actual.dtype(), DataTypeFor<T>()) << "got " << Name(actual.dtype());
  ASSERT_EQ(actual.shape(), expected_shape) << "got " << ShapeToString(actual.shape());
  ASSERT_EQ(static_cast<size_t>(actual.element_count()), expected.size());
  const T* values = actual.data<T>();
  for (size_t i = 0; i < expected.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      EXPECT_NEAR(values[i], expected[i], atol + rtol * std::fabs(expected[i])) << "at " << i;
    } else {
      EXPECT_EQ(values[i], expected[i]) << "at " << i;
    }
  }
}

}  // namespace mlos::engine::testing
