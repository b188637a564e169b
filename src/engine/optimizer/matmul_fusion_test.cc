#include <gtest/gtest.h>

#include "engine/optimizer/graph_optimizer.h"
#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/optimizer_test_util.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

using testing::CountOps;
using testing::ModelBuilder;
using testing::TestValues;

// x [2, 4, 8] -> MatMul(w [8, 16]) -> "mm".
ModelBuilder Projection() {
  ModelBuilder model(17);
  model.Input("x", DataType::kFloat32, {2, 4, 8}).Output("y", DataType::kFloat32, {2, 4, 16});
  model.FloatInitializer("w", {8, 16}, TestValues(128, 2));
  model.FloatInitializer("b", {16}, TestValues(16, 3));
  model.FloatInitializer("sqrt2", {}, {1.4142135f});
  model.FloatInitializer("one", {}, {1.0f});
  model.FloatInitializer("half", {}, {0.5f});
  model.Node("MatMul", {"x", "w"}, {"mm"});
  return model;
}

std::vector<NamedTensor> ProjectionInputs() {
  return {{"x", testing::FloatTensor({2, 4, 8}, TestValues(64, 4))}};
}

const onnx::NodeProto* Find(const onnx::GraphProto& graph, const std::string& op_type) {
  for (const onnx::NodeProto& node : graph.node()) {
    if (node.op_type() == op_type) return &node;
  }
  return nullptr;
}

TEST(MatMulFusionTest, FusesBiasAndGelu) {
  ModelBuilder model = Projection();
  model.Node("Add", {"b", "mm"}, {"biased"});  // bias first, as torch exports it
  model.Node("Div", {"biased", "sqrt2"}, {"d"});
  model.Node("Erf", {"d"}, {"e"});
  model.Node("Add", {"e", "one"}, {"a"});
  model.Node("Mul", {"biased", "a"}, {"m"});
  model.Node("Mul", {"m", "half"}, {"y"});
  testing::TempDir dir;
  const std::string path = model.Save(dir);

  OptimizeGraph(model.proto());
  const onnx::GraphProto& graph = model.proto().graph();
  ASSERT_EQ(graph.node_size(), 1);
  const onnx::NodeProto* fused = Find(graph, "FusedMatMul");
  ASSERT_NE(fused, nullptr);
  EXPECT_EQ(fused->input_size(), 3);
  EXPECT_EQ(fused->input(2), "b");
  EXPECT_EQ(FindAttribute(*fused, "activation")->s(), "Gelu");
  testing::ExpectOptimizedOutputsUnchanged(path, ProjectionInputs());
}

TEST(MatMulFusionTest, FoldsTheAttentionScaleIntoAlpha) {
  ModelBuilder model(17);
  model.Input("q", DataType::kFloat32, {2, 3, 5, 8}).Input("k", DataType::kFloat32, {2, 3, 8, 5});
  model.Input("mask", DataType::kFloat32, {2, 1, 1, 5});
  model.Output("y", DataType::kFloat32, {2, 3, 5, 5});
  model.FloatInitializer("scale", {}, {8.0f});
  model.Node("MatMul", {"q", "k"}, {"scores"});
  model.Node("Div", {"scores", "scale"}, {"scaled"});
  model.Node("Add", {"scaled", "mask"}, {"masked"});  // not a constant bias: stays
  model.Node("Softmax", {"masked"}, {"y"});  // opset 13+: the last axis
  testing::TempDir dir;
  const std::string path = model.Save(dir);

  EXPECT_EQ(FuseMatMul(*model.proto().mutable_graph()), 1);
  const onnx::GraphProto& graph = model.proto().graph();
  EXPECT_EQ(CountOps(graph, "Div"), 0);
  EXPECT_EQ(CountOps(graph, "Add"), 1);
  EXPECT_FLOAT_EQ(FindAttribute(*Find(graph, "FusedMatMul"), "alpha")->f(), 0.125f);
  testing::ExpectOptimizedOutputsUnchanged(
      path, {{"q", testing::FloatTensor({2, 3, 5, 8}, TestValues(240, 5))},
             {"k", testing::FloatTensor({2, 3, 8, 5}, TestValues(240, 6))},
             {"mask", testing::FloatTensor({2, 1, 1, 5}, TestValues(10, 7))}});
}

TEST(MatMulFusionTest, FusesReluWithoutBias) {
  ModelBuilder model = Projection();
  model.Node("Relu", {"mm"}, {"y"});
  testing::TempDir dir;
  const std::string path = model.Save(dir);
  EXPECT_EQ(FuseMatMul(*model.proto().mutable_graph()), 1);
  EXPECT_EQ(FindAttribute(model.proto().graph().node(0), "activation")->s(), "Relu");
  testing::ExpectOptimizedOutputsUnchanged(path, ProjectionInputs());
}

TEST(MatMulFusionTest, KeepsAProductThatIsAlsoAGraphOutput) {
  ModelBuilder model = Projection();
  model.Output("mm", DataType::kFloat32, {2, 4, 16});
  model.Node("Add", {"mm", "b"}, {"y"});
  EXPECT_EQ(FuseMatMul(*model.proto().mutable_graph()), 0);
  EXPECT_EQ(CountOps(model.proto().graph(), "MatMul"), 1);
}

TEST(MatMulFusionTest, KeepsANonConstantOrBroadcastingBias) {
  ModelBuilder input_bias = Projection();
  input_bias.Input("bias", DataType::kFloat32, {16});
  input_bias.Node("Add", {"mm", "bias"}, {"y"});
  EXPECT_EQ(FuseMatMul(*input_bias.proto().mutable_graph()), 0);

  ModelBuilder matrix_bias = Projection();
  matrix_bias.FloatInitializer("b2", {4, 16}, TestValues(64, 8));
  matrix_bias.Node("Add", {"mm", "b2"}, {"y"});
  EXPECT_EQ(FuseMatMul(*matrix_bias.proto().mutable_graph()), 0);

  ModelBuilder short_bias = Projection();
  short_bias.FloatInitializer("b1", {1}, {0.5f});
  short_bias.Node("Add", {"mm", "b1"}, {"y"});
  EXPECT_EQ(FuseMatMul(*short_bias.proto().mutable_graph()), 0);
}

}  // namespace
}  // namespace mlos::engine
