#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/model_loader.h"
#include "engine/optimizer/optimizer_test_util.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

using testing::CountOps;
using testing::ModelBuilder;
using testing::TestValues;

// A model of one convolution over x [N, C, H, W] with weights w [M, C / group, K, K] and bias b;
// its output is "conv". Callers add the nodes that read it and the graph output.
ModelBuilder ConvModel(const Shape& x, int64_t filters, int64_t group, int64_t kernel,
                       int64_t stride) {
  ModelBuilder model;
  const int64_t group_channels = x[1] / group;
  const Shape w{filters, group_channels, kernel, kernel};
  model.Input("x", DataType::kFloat32, x);
  model.FloatInitializer("w", w, TestValues(static_cast<size_t>(ElementCount(w)), 2));
  model.FloatInitializer("b", {filters}, TestValues(static_cast<size_t>(filters), 3));
  onnx::NodeProto& conv = model.Node("Conv", {"x", "w", "b"}, {"conv"});
  const int64_t pad = kernel / 2;
  for (const auto& [name, values] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
           {"pads", {pad, pad, pad, pad}}, {"strides", {stride, stride}}, {"group", {group}}}) {
    onnx::AttributeProto* attribute = conv.add_attribute();
    attribute->set_name(name);
    if (name == "group") {
      attribute->set_type(onnx::AttributeProto::INT);
      attribute->set_i(values[0]);
    } else {
      attribute->set_type(onnx::AttributeProto::INTS);
      for (int64_t value : values) attribute->add_ints(value);
    }
  }
  return model;
}

// Saves `model`, loads it back as the engine does (checked, shapes inferred) and runs the pass.
struct Fused {
  int rewrites = 0;
  onnx::GraphProto graph;
};
Fused SaveLoadAndFuse(const ModelBuilder& model, const testing::TempDir& dir,
                      std::string* path = nullptr) {
  const std::string saved = model.Save(dir);
  if (path != nullptr) *path = saved;
  StatusOr<onnx::ModelProto> loaded = LoadModelProto(saved);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return {};
  Fused fused;
  fused.rewrites = FuseConvolutions(*loaded->mutable_graph());
  fused.graph = loaded->graph();
  return fused;
}

Tensor InputX(const Shape& shape) {
  return testing::FloatTensor(shape, TestValues(static_cast<size_t>(ElementCount(shape)), 5));
}

void AddClipBounds(ModelBuilder& model, float low, float high) {
  for (const auto& [name, value] : {std::pair{"low", low}, std::pair{"high", high}}) {
    onnx::AttributeProto* attribute = model.Node("Constant", {}, {name}).add_attribute();
    attribute->set_name("value");
    attribute->set_type(onnx::AttributeProto::TENSOR);
    attribute->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    attribute->mutable_t()->set_raw_data(&value, sizeof(float));
  }
}

TEST(ConvFusionTest, ResidualAddAndReluFoldIntoTheConv) {
  // The ResNet bottleneck's end: Relu(Conv(x) + shortcut), the shortcut another Conv.
  const Shape x{1, 4, 6, 6};
  ModelBuilder model = ConvModel(x, 4, 1, 3, 1);
  model.FloatInitializer("w2", {4, 4, 1, 1}, TestValues(16, 7));
  model.Node("Conv", {"x", "w2"}, {"shortcut"});
  model.Node("Add", {"conv", "shortcut"}, {"sum"});
  model.Node("Relu", {"sum"}, {"y"});
  model.Output("y", DataType::kFloat32, {1, 4, 6, 6});
  testing::TempDir dir;
  std::string path;
  const Fused fused = SaveLoadAndFuse(model, dir, &path);
  EXPECT_EQ(fused.rewrites, 1);
  EXPECT_EQ(CountOps(fused.graph, "FusedConv"), 1);
  EXPECT_EQ(CountOps(fused.graph, "Conv"), 1);  // the shortcut stays a plain Conv
  EXPECT_EQ(CountOps(fused.graph, "Add"), 0);
  EXPECT_EQ(CountOps(fused.graph, "Relu"), 0);
  testing::ExpectOptimizedOutputsUnchanged(path, {{"x", InputX(x)}});
}

TEST(ConvFusionTest, DepthwiseConvWithConstantClipFolds) {
  // MobileNetV2's ReLU6 after a strided depthwise 3x3; the Clip bounds are Constant nodes, which
  // go with it.
  const Shape x{1, 6, 9, 9};
  ModelBuilder model = ConvModel(x, 6, 6, 3, 2);
  AddClipBounds(model, 0.0f, 0.5f);
  model.Node("Clip", {"conv", "low", "high"}, {"y"});
  model.Output("y", DataType::kFloat32, {1, 6, 5, 5});
  testing::TempDir dir;
  std::string path;
  const Fused fused = SaveLoadAndFuse(model, dir, &path);
  EXPECT_EQ(fused.rewrites, 1);
  EXPECT_EQ(CountOps(fused.graph, "FusedConv"), 1);
  EXPECT_EQ(CountOps(fused.graph, "Clip"), 0);
  EXPECT_EQ(CountOps(fused.graph, "Constant"), 0);
  testing::ExpectOptimizedOutputsUnchanged(path, {{"x", InputX(x)}});
}

TEST(ConvFusionTest, BatchedSmallImagesWithResidualAndLeakyRelu) {
  // 4x4 outputs in a batch of 3: the stacked-GEMM path applies the epilogue there.
  const Shape x{3, 5, 4, 4};
  ModelBuilder model = ConvModel(x, 7, 1, 3, 1);
  model.Input("shortcut", DataType::kFloat32, {3, 7, 4, 4});
  model.Node("Add", {"shortcut", "conv"}, {"sum"});
  onnx::AttributeProto* alpha = model.Node("LeakyRelu", {"sum"}, {"y"}).add_attribute();
  alpha->set_name("alpha");
  alpha->set_type(onnx::AttributeProto::FLOAT);
  alpha->set_f(0.2f);
  model.Output("y", DataType::kFloat32, {3, 7, 4, 4});
  testing::TempDir dir;
  std::string path;
  const Fused fused = SaveLoadAndFuse(model, dir, &path);
  EXPECT_EQ(fused.rewrites, 1);
  EXPECT_EQ(CountOps(fused.graph, "FusedConv"), 1);
  EXPECT_EQ(fused.graph.node_size(), 1);
  testing::ExpectOptimizedOutputsUnchanged(
      path, {{"x", InputX(x)},
             {"shortcut", testing::FloatTensor({3, 7, 4, 4}, TestValues(3 * 7 * 16, 9))}});
}

TEST(ConvFusionTest, KeepsAConvOutputThatIsAlsoAGraphOutputOrReadTwice) {
  const Shape x{1, 2, 5, 5};
  ModelBuilder as_output = ConvModel(x, 3, 1, 3, 1);
  as_output.Node("Relu", {"conv"}, {"y"});
  as_output.Output("y", DataType::kFloat32, {1, 3, 5, 5});
  as_output.Output("conv", DataType::kFloat32, {1, 3, 5, 5});
  testing::TempDir dir;
  EXPECT_EQ(SaveLoadAndFuse(as_output, dir).rewrites, 0);

  ModelBuilder read_twice = ConvModel(x, 3, 1, 3, 1);
  read_twice.Node("Relu", {"conv"}, {"y"});
  read_twice.Node("Neg", {"conv"}, {"z"});
  read_twice.Output("y", DataType::kFloat32, {1, 3, 5, 5});
  read_twice.Output("z", DataType::kFloat32, {1, 3, 5, 5});
  testing::TempDir dir2;
  EXPECT_EQ(SaveLoadAndFuse(read_twice, dir2).rewrites, 0);
}

TEST(ConvFusionTest, KeepsABroadcastAddAndAClipWithInputBounds) {
  // Add of a per-channel [1, 3, 1, 1] tensor broadcasts: not a residual of the output's shape.
  // The Relu after it cannot fold either (the Add stays between them).
  const Shape x{1, 2, 5, 5};
  ModelBuilder broadcast = ConvModel(x, 3, 1, 3, 1);
  broadcast.FloatInitializer("shift", {1, 3, 1, 1}, {1, 2, 3});
  broadcast.Node("Add", {"conv", "shift"}, {"sum"});
  broadcast.Node("Relu", {"sum"}, {"y"});
  broadcast.Output("y", DataType::kFloat32, {1, 3, 5, 5});
  testing::TempDir dir;
  const Fused kept = SaveLoadAndFuse(broadcast, dir);
  EXPECT_EQ(kept.rewrites, 0);
  EXPECT_EQ(CountOps(kept.graph, "Conv"), 1);

  // Clip whose upper bound is a graph input: not a constant.
  ModelBuilder input_bound = ConvModel(x, 3, 1, 3, 1);
  input_bound.Input("limit", DataType::kFloat32, {});
  AddClipBounds(input_bound, 0.0f, 1.0f);
  input_bound.Node("Clip", {"conv", "low", "limit"}, {"y"});
  input_bound.Output("y", DataType::kFloat32, {1, 3, 5, 5});
  testing::TempDir dir2;
  EXPECT_EQ(SaveLoadAndFuse(input_bound, dir2).rewrites, 0);
}

}  // namespace
}  // namespace mlos::engine
