// Subgraphs end to end: outer-scope values reach If branches and Loop bodies (directly and through
// a nested subgraph), enclosing constants are shared, and sequences flow between nodes.
#include <gtest/gtest.h>

#include "engine/session.h"
#include "engine/test_models.h"

namespace mlos::engine {
namespace {

using testing::FloatTensor;
using testing::ModelBuilder;
using testing::TempDir;

void SetGraphAttribute(onnx::NodeProto& node, const std::string& name, onnx::GraphProto graph) {
  onnx::AttributeProto* attribute = node.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::GRAPH);
  *attribute->mutable_g() = std::move(graph);
}

void AddValueInfo(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                  const std::string& name, DataType type) {
  onnx::ValueInfoProto* value = list->Add();
  value->set_name(name);
  value->mutable_type()->mutable_tensor_type()->set_elem_type(static_cast<int32_t>(type));
}

onnx::NodeProto* AddNode(onnx::GraphProto& graph, const std::string& op,
                         std::vector<std::string> inputs, std::vector<std::string> outputs) {
  onnx::NodeProto* node = graph.add_node();
  node->set_op_type(op);
  node->set_name(op + "_" + std::to_string(graph.node_size()));
  for (const std::string& input : inputs) node->add_input(input);
  for (const std::string& output : outputs) node->add_output(output);
  return node;
}

Tensor Int64Scalar(int64_t value) {
  Tensor tensor(DataType::kInt64, {});
  *tensor.data<int64_t>() = value;
  return tensor;
}

// y = x + step * trip_count, where the body adds `step` (a graph input of the outer graph) and,
// inside a nested If, `bias` (an outer initializer) on odd iterations.
std::string SaveLoopModel(const TempDir& dir) {
  ModelBuilder model(13);
  model.Input("x", DataType::kFloat32, {2})
      .Input("step", DataType::kFloat32, {2})
      .Input("trips", DataType::kInt64, {})
      .Output("y", DataType::kFloat32, {2})
      .Output("steps", DataType::kFloat32, {-1, 2})
      .FloatInitializer("bias", {2}, {100, 200});

  onnx::GraphProto add_bias;
  add_bias.set_name("add_bias");
  AddNode(add_bias, "Add", {"stepped", "bias"}, {"branch_out"});
  AddValueInfo(add_bias.mutable_output(), "branch_out", DataType::kFloat32);
  onnx::GraphProto keep;
  keep.set_name("keep");
  AddNode(keep, "Identity", {"stepped"}, {"branch_out"});
  AddValueInfo(keep.mutable_output(), "branch_out", DataType::kFloat32);

  onnx::GraphProto body;
  body.set_name("body");
  AddValueInfo(body.mutable_input(), "i", DataType::kInt64);
  AddValueInfo(body.mutable_input(), "cond_in", DataType::kBool);
  AddValueInfo(body.mutable_input(), "carried", DataType::kFloat32);
  AddNode(body, "Add", {"carried", "step"}, {"stepped"});
  onnx::NodeProto* two = AddNode(body, "Constant", {}, {"two"});
  onnx::AttributeProto* value = two->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  value->mutable_t()->set_data_type(onnx::TensorProto::INT64);
  value->mutable_t()->add_int64_data(2);
  AddNode(body, "Mod", {"i", "two"}, {"parity"});
  AddNode(body, "Cast", {"parity"}, {"odd"})->add_attribute()->CopyFrom([] {
    onnx::AttributeProto to;
    to.set_name("to");
    to.set_type(onnx::AttributeProto::INT);
    to.set_i(onnx::TensorProto::BOOL);
    return to;
  }());
  onnx::NodeProto* branch = AddNode(body, "If", {"odd"}, {"carried_out"});
  SetGraphAttribute(*branch, "then_branch", add_bias);
  SetGraphAttribute(*branch, "else_branch", keep);
  AddNode(body, "Identity", {"cond_in"}, {"cond_out"});
  AddNode(body, "Identity", {"carried_out"}, {"scan_out"});
  AddValueInfo(body.mutable_output(), "cond_out", DataType::kBool);
  AddValueInfo(body.mutable_output(), "carried_out", DataType::kFloat32);
  AddValueInfo(body.mutable_output(), "scan_out", DataType::kFloat32);

  onnx::NodeProto& loop = model.Node("Loop", {"trips", "", "x"}, {"y", "steps"});
  SetGraphAttribute(loop, "body", body);
  return model.Save(dir);
}

TEST(SubgraphTest, LoopBodyReadsOuterInputsAndNestedIfReadsOuterConstant) {
  TempDir dir;
  StatusOr<std::unique_ptr<Session>> session = Session::Load(SaveLoopModel(dir), {1});
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  std::vector<NamedTensor> inputs = {{"x", FloatTensor({2}, {1, 2})},
                                     {"step", FloatTensor({2}, {10, 20})},
                                     {"trips", Int64Scalar(3)}};
  StatusOr<std::vector<NamedTensor>> outputs = (*session)->Run(inputs, {});
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  // Iterations 0, 1, 2 add step; iteration 1 also adds bias.
  const Tensor& y = (*outputs)[0].tensor;
  EXPECT_FLOAT_EQ(y.data<float>()[0], 1 + 30 + 100);
  EXPECT_FLOAT_EQ(y.data<float>()[1], 2 + 60 + 200);
  const Tensor& steps = (*outputs)[1].tensor;
  ASSERT_EQ(steps.shape(), (Shape{3, 2}));
  EXPECT_FLOAT_EQ(steps.data<float>()[0], 11);
  EXPECT_FLOAT_EQ(steps.data<float>()[2], 121);
  EXPECT_FLOAT_EQ(steps.data<float>()[4], 131);

  // Zero iterations: the carried value passes through, the scan output is empty.
  inputs[2] = {"trips", Int64Scalar(0)};
  outputs = (*session)->Run(inputs, {});
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_FLOAT_EQ((*outputs)[0].tensor.data<float>()[0], 1);
  EXPECT_EQ((*outputs)[1].tensor.element_count(), 0);
}

TEST(SubgraphTest, UndefinedOuterNameFailsAtLoad) {
  TempDir dir;
  ModelBuilder model(13);
  model.Input("c", DataType::kBool, {}).Output("y", DataType::kFloat32, {});
  onnx::GraphProto branch;
  branch.set_name("branch");
  AddNode(branch, "Identity", {"nowhere"}, {"out"});
  AddValueInfo(branch.mutable_output(), "out", DataType::kFloat32);
  onnx::NodeProto& node = model.Node("If", {"c"}, {"y"}, "the_if");
  SetGraphAttribute(node, "then_branch", branch);
  SetGraphAttribute(node, "else_branch", branch);
  StatusOr<std::unique_ptr<Session>> session = Session::Load(model.Save(dir), {1});
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.status().message().find("nowhere"), std::string::npos)
      << session.status().ToString();
}

TEST(SubgraphTest, SequencesFlowBetweenNodesAndOutOfRunValues) {
  TempDir dir;
  ModelBuilder model(13);
  model.Input("a", DataType::kFloat32, {2}).Input("b", DataType::kFloat32, {2});
  model.Output("joined", DataType::kFloat32, {4});
  model.Node("SequenceConstruct", {"a", "b"}, {"sequence"});
  model.Node("ConcatFromSequence", {"sequence"}, {"joined"})
      .add_attribute()
      ->CopyFrom([] {
        onnx::AttributeProto axis;
        axis.set_name("axis");
        axis.set_type(onnx::AttributeProto::INT);
        axis.set_i(0);
        return axis;
      }());
  StatusOr<std::unique_ptr<Session>> session = Session::Load(model.Save(dir), {1});
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  std::vector<NamedTensor> inputs = {{"a", FloatTensor({2}, {1, 2})},
                                     {"b", FloatTensor({2}, {3, 4})}};
  StatusOr<std::vector<NamedTensor>> outputs = (*session)->Run(inputs, {});
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  EXPECT_EQ((*outputs)[0].tensor.shape(), (Shape{4}));
  EXPECT_FLOAT_EQ((*outputs)[0].tensor.data<float>()[3], 4);
}

}  // namespace
}  // namespace mlos::engine
