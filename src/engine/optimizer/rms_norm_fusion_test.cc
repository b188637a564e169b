#include <gtest/gtest.h>

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/optimizer_test_util.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

using testing::CountOps;
using testing::ModelBuilder;
using testing::TestValues;

const Shape kShape = {2, 3, 16};

// T5's export: Pow -> ReduceMean(-1) -> Add(eps) -> Sqrt -> Div(1, .) -> Mul(x, .) -> Mul(w, .).
ModelBuilder T5Norm(const std::string& root_output = "root") {
  ModelBuilder model(17);
  model.Input("x", DataType::kFloat32, kShape).Output("y", DataType::kFloat32, kShape);
  model.FloatInitializer("two", {}, {2.0f});
  model.FloatInitializer("eps", {}, {1e-6f});
  model.FloatInitializer("one", {}, {1.0f});
  model.FloatInitializer("w", {16}, TestValues(16, 9));
  model.Node("Pow", {"x", "two"}, {"square"});
  onnx::NodeProto& mean = model.Node("ReduceMean", {"square"}, {"mean"});
  onnx::AttributeProto* axes = mean.add_attribute();
  axes->set_name("axes");
  axes->set_type(onnx::AttributeProto::INTS);
  axes->add_ints(-1);
  model.Node("Add", {"mean", "eps"}, {"shifted"});
  model.Node("Sqrt", {"shifted"}, {root_output});
  model.Node("Div", {"one", root_output}, {"inverse"});
  model.Node("Mul", {"x", "inverse"}, {"normalized"});
  model.Node("Mul", {"w", "normalized"}, {"y"});
  return model;
}

TEST(RmsNormFusionTest, FusesT5sNormWithItsWeight) {
  ModelBuilder model = T5Norm();
  testing::TempDir dir;
  const std::string path = model.Save(dir);
  EXPECT_EQ(FuseRmsNorm(*model.proto().mutable_graph()), 1);
  const onnx::GraphProto& graph = model.proto().graph();
  ASSERT_EQ(graph.node_size(), 1);
  EXPECT_EQ(graph.node(0).op_type(), "RmsNorm");
  EXPECT_EQ(graph.node(0).domain(), kMlosDomain);
  ASSERT_EQ(graph.node(0).input_size(), 2);
  EXPECT_EQ(graph.node(0).input(1), "w");
  EXPECT_FLOAT_EQ(FindAttribute(graph.node(0), "epsilon")->f(), 1e-6f);
  testing::ExpectOptimizedOutputsUnchanged(
      path, {{"x", testing::FloatTensor(kShape, TestValues(96, 10))}});
}

TEST(RmsNormFusionTest, KeepsANormWhoseIntermediateIsReadElsewhere) {
  ModelBuilder model = T5Norm("root_out");
  model.Output("root_out", DataType::kFloat32, {2, 3, 1});
  EXPECT_EQ(FuseRmsNorm(*model.proto().mutable_graph()), 0);
  EXPECT_EQ(CountOps(model.proto().graph(), "ReduceMean"), 1);
}

TEST(RmsNormFusionTest, KeepsAMeanOverOtherAxes) {
  ModelBuilder model = T5Norm();
  model.proto().mutable_graph()->mutable_node(1)->mutable_attribute(0)->set_ints(0, 1);
  EXPECT_EQ(FuseRmsNorm(*model.proto().mutable_graph()), 0);
}

}  // namespace
}  // namespace mlos::engine
