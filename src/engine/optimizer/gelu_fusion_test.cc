#include <gtest/gtest.h>

#include <cmath>

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/optimizer_test_util.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

using testing::CountOps;
using testing::ModelBuilder;

const Shape kShape = {2, 3, 16};

// Inputs in [-4, 4): the whole interesting range of GELU.
std::vector<NamedTensor> Inputs() {
  std::vector<float> values = testing::TestValues(96);
  for (float& value : values) value *= 4.0f;
  return {{"x", testing::FloatTensor(kShape, values)}};
}

ModelBuilder WithConstants() {
  ModelBuilder model(17);
  model.Input("x", DataType::kFloat32, kShape).Output("y", DataType::kFloat32, kShape);
  model.FloatInitializer("sqrt2", {}, {1.4142135f});
  model.FloatInitializer("one", {}, {1.0f});
  model.FloatInitializer("half", {}, {0.5f});
  model.FloatInitializer("three", {}, {3.0f});
  model.FloatInitializer("cubic", {}, {0.044715f});
  model.FloatInitializer("sqrt2_over_pi", {}, {0.7978846f});
  return model;
}

// torch's erf GELU: Div -> Erf -> Add(1) -> Mul(x, .) -> Mul(., 0.5).
ModelBuilder ErfGelu(const std::string& erf_output = "e") {
  ModelBuilder model = WithConstants();
  model.Node("Div", {"x", "sqrt2"}, {"d"});
  model.Node("Erf", {"d"}, {erf_output});
  model.Node("Add", {erf_output, "one"}, {"a"});
  model.Node("Mul", {"x", "a"}, {"m"});
  model.Node("Mul", {"m", "half"}, {"y"});
  return model;
}

// GPT-2's tanh GELU: Pow(x, 3) -> Mul -> Add(x, .) -> Mul -> Tanh -> Add(1) -> Mul(0.5 x, .).
ModelBuilder TanhGelu() {
  ModelBuilder model = WithConstants();
  model.Node("Pow", {"x", "three"}, {"p"});
  model.Node("Mul", {"p", "cubic"}, {"c"});
  model.Node("Add", {"x", "c"}, {"s"});
  model.Node("Mul", {"s", "sqrt2_over_pi"}, {"u"});
  model.Node("Mul", {"x", "half"}, {"h"});
  model.Node("Tanh", {"u"}, {"t"});
  model.Node("Add", {"t", "one"}, {"a"});
  model.Node("Mul", {"h", "a"}, {"y"});
  return model;
}

std::string OnlyApproximation(const onnx::GraphProto& graph) {
  EXPECT_EQ(graph.node_size(), 1);
  const onnx::AttributeProto* attribute = FindAttribute(graph.node(0), "approximation");
  return attribute != nullptr ? attribute->s() : "";
}

TEST(GeluFusionTest, FusesTheErfForm) {
  ModelBuilder model = ErfGelu();
  EXPECT_EQ(FuseGelu(*model.proto().mutable_graph()), 1);
  const onnx::GraphProto& graph = model.proto().graph();
  EXPECT_EQ(CountOps(graph, "Gelu"), 1);
  EXPECT_EQ(graph.node(0).domain(), kMlosDomain);
  EXPECT_EQ(graph.node(0).input(0), "x");
  EXPECT_EQ(graph.node(0).output(0), "y");
  EXPECT_EQ(OnlyApproximation(graph), "none");

  testing::TempDir dir;
  testing::ExpectOptimizedOutputsUnchanged(ErfGelu().Save(dir), Inputs());
}

TEST(GeluFusionTest, FusesTheTanhForm) {
  ModelBuilder model = TanhGelu();
  EXPECT_EQ(FuseGelu(*model.proto().mutable_graph()), 1);
  EXPECT_EQ(OnlyApproximation(model.proto().graph()), "tanh");

  testing::TempDir dir;
  testing::ExpectOptimizedOutputsUnchanged(TanhGelu().Save(dir), Inputs());
}

TEST(GeluFusionTest, FusesTheHalfFirstMultiplicationOrder) {
  ModelBuilder model = WithConstants();
  model.Node("Mul", {"x", "sqrt2"}, {"d"});  // x * sqrt 2 is not x / sqrt 2: no fusion
  model.Node("Erf", {"d"}, {"e"});
  model.Node("Add", {"one", "e"}, {"a"});
  model.Node("Mul", {"a", "half"}, {"m"});
  model.Node("Mul", {"m", "x"}, {"y"});
  EXPECT_EQ(FuseGelu(*model.proto().mutable_graph()), 0);
  model.FloatInitializer("inverse_sqrt2", {}, {0.70710677f});
  model.proto().mutable_graph()->mutable_node(0)->set_input(1, "inverse_sqrt2");

  testing::TempDir dir;
  const std::string path = model.Save(dir);
  EXPECT_EQ(FuseGelu(*model.proto().mutable_graph()), 1);
  EXPECT_EQ(CountOps(model.proto().graph(), "Gelu"), 1);
  testing::ExpectOptimizedOutputsUnchanged(path, Inputs());
}

TEST(GeluFusionTest, KeepsAPatternWhoseIntermediateIsReadElsewhere) {
  ModelBuilder model = ErfGelu("erf_out");
  model.Output("erf_out", DataType::kFloat32, kShape);
  EXPECT_EQ(FuseGelu(*model.proto().mutable_graph()), 0);
  EXPECT_EQ(model.proto().graph().node_size(), 5);

  ModelBuilder also_read = TanhGelu();
  also_read.Output("z", DataType::kFloat32, kShape);
  also_read.Node("Neg", {"u"}, {"z"});
  EXPECT_EQ(FuseGelu(*also_read.proto().mutable_graph()), 0);
}

TEST(GeluFusionTest, KeepsAPatternWithOtherConstants) {
  ModelBuilder model = ErfGelu();
  model.proto().mutable_graph()->mutable_node(4)->set_input(1, "one");  // x (1 + erf) * 1
  EXPECT_EQ(FuseGelu(*model.proto().mutable_graph()), 0);
}

}  // namespace
}  // namespace mlos::engine
