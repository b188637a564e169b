#include <gtest/gtest.h>

#include <string>

#include "engine/model_loader.h"
#include "engine/optimizer/graph_optimizer.h"
#include "engine/optimizer/optimizer_test_util.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

using testing::CountOps;
using testing::ModelBuilder;
using testing::TestValues;

// x [1, 3, 6, 6] -> Conv (4 filters 3x3, pads 1, bias "b" when `bias`) -> "conv" ->
// BatchNormalization (constant scale, shift, mean, positive variance) -> "normalized".
ModelBuilder ConvBatchNormModel(bool bias) {
  ModelBuilder model;
  model.Input("x", DataType::kFloat32, {1, 3, 6, 6});
  model.FloatInitializer("w", {4, 3, 3, 3}, TestValues(108, 2));
  if (bias) model.FloatInitializer("b", {4}, TestValues(4, 3));
  model.FloatInitializer("scale", {4}, {1.5f, -0.5f, 2, 0.25f});
  model.FloatInitializer("shift", {4}, TestValues(4, 4));
  model.FloatInitializer("mean", {4}, TestValues(4, 5));
  model.FloatInitializer("variance", {4}, {0.5f, 2, 0.1f, 1});
  onnx::NodeProto& conv = model.Node(
      "Conv", bias ? std::vector<std::string>{"x", "w", "b"} : std::vector<std::string>{"x", "w"},
      {"conv"});
  onnx::AttributeProto* pads = conv.add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int i = 0; i < 4; ++i) pads->add_ints(1);
  onnx::NodeProto& batch_norm = model.Node(
      "BatchNormalization", {"conv", "scale", "shift", "mean", "variance"}, {"normalized"});
  onnx::AttributeProto* epsilon = batch_norm.add_attribute();
  epsilon->set_name("epsilon");
  epsilon->set_type(onnx::AttributeProto::FLOAT);
  epsilon->set_f(0.01f);
  return model;
}

onnx::ModelProto Load(const std::string& path) {
  StatusOr<onnx::ModelProto> model = LoadModelProto(path);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *std::move(model) : onnx::ModelProto();
}

std::vector<NamedTensor> Inputs() {
  return {{"x", testing::FloatTensor({1, 3, 6, 6}, TestValues(108, 6))}};
}

TEST(ConvBatchNormFoldingTest, FoldsIntoTheConvWeightsAndBias) {
  for (bool bias : {true, false}) {
    ModelBuilder model = ConvBatchNormModel(bias);
    model.Output("normalized", DataType::kFloat32, {1, 4, 6, 6});
    testing::TempDir dir;
    const std::string path = model.Save(dir);
    onnx::ModelProto loaded = Load(path);
    EXPECT_EQ(FoldBatchNormIntoConv(*loaded.mutable_graph()), 1);
    const onnx::GraphProto& graph = loaded.graph();
    EXPECT_EQ(CountOps(graph, "BatchNormalization"), 0);
    ASSERT_EQ(graph.node_size(), 1);
    EXPECT_EQ(graph.node(0).output(0), "normalized");
    // The folded weights and bias replace the originals, which nothing else read.
    EXPECT_EQ(graph.initializer_size(), 2);
    testing::ExpectOptimizedOutputsUnchanged(path, Inputs());
  }
}

TEST(ConvBatchNormFoldingTest, TheReluAfterTheFoldedNormFusesIntoTheConv) {
  ModelBuilder model = ConvBatchNormModel(true);
  model.Node("Relu", {"normalized"}, {"y"});
  model.Output("y", DataType::kFloat32, {1, 4, 6, 6});
  testing::TempDir dir;
  const std::string path = model.Save(dir);
  onnx::ModelProto loaded = Load(path);
  OptimizeGraph(loaded);
  ASSERT_EQ(loaded.graph().node_size(), 1);
  EXPECT_EQ(loaded.graph().node(0).op_type(), "FusedConv");
  testing::ExpectOptimizedOutputsUnchanged(path, Inputs());
}

TEST(ConvBatchNormFoldingTest, KeepsANormWithInputStatisticsOrASharedConvOutput) {
  // The mean is a graph input: not a constant.
  ModelBuilder input_mean;
  input_mean.Input("x", DataType::kFloat32, {1, 2, 4, 4});
  input_mean.Input("mean", DataType::kFloat32, {2});
  input_mean.FloatInitializer("w", {2, 2, 1, 1}, TestValues(4, 2));
  input_mean.FloatInitializer("one", {2}, {1, 1});
  input_mean.Node("Conv", {"x", "w"}, {"conv"});
  input_mean.Node("BatchNormalization", {"conv", "one", "one", "mean", "one"}, {"y"});
  input_mean.Output("y", DataType::kFloat32, {1, 2, 4, 4});
  testing::TempDir dir;
  onnx::ModelProto loaded = Load(input_mean.Save(dir));
  EXPECT_EQ(FoldBatchNormIntoConv(*loaded.mutable_graph()), 0);
  EXPECT_EQ(CountOps(loaded.graph(), "BatchNormalization"), 1);

  // The Conv's output is also a graph output: the un-normalized value must stay.
  ModelBuilder shared = ConvBatchNormModel(true);
  shared.Output("normalized", DataType::kFloat32, {1, 4, 6, 6});
  shared.Output("conv", DataType::kFloat32, {1, 4, 6, 6});
  testing::TempDir dir2;
  onnx::ModelProto loaded_shared = Load(shared.Save(dir2));
  EXPECT_EQ(FoldBatchNormIntoConv(*loaded_shared.mutable_graph()), 0);
}

}  // namespace
}  // namespace mlos::engine
