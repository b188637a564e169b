#include <gtest/gtest.h>

#include "engine/optimizer/graph_optimizer.h"
#include "engine/optimizer/optimizer_test_util.h"
#include "engine/optimizer/passes.h"

namespace mlos::engine {
namespace {

using testing::CountOps;
using testing::ModelBuilder;

TEST(IdentityEliminationTest, ReadersOfAnIdentityReadItsInput) {
  ModelBuilder model;
  model.Input("x", DataType::kFloat32, {2, 3}).Output("y", DataType::kFloat32, {2, 3});
  model.Node("Identity", {"x"}, {"a"});
  model.Node("Dropout", {"a"}, {"b"});
  model.Node("Relu", {"b"}, {"y"});
  EXPECT_EQ(EliminateIdentities(*model.proto().mutable_graph()), 2);
  const onnx::GraphProto& graph = model.proto().graph();
  ASSERT_EQ(graph.node_size(), 1);
  EXPECT_EQ(graph.node(0).input(0), "x");

  testing::TempDir dir;
  ModelBuilder original;
  original.Input("x", DataType::kFloat32, {2, 3}).Output("y", DataType::kFloat32, {2, 3});
  original.Node("Identity", {"x"}, {"a"});
  original.Node("Relu", {"a"}, {"y"});
  testing::ExpectOptimizedOutputsUnchanged(
      original.Save(dir), {{"x", testing::FloatTensor({2, 3}, testing::TestValues(6))}});
}

TEST(IdentityEliminationTest, KeepsGraphOutputsAndDropoutMasks) {
  ModelBuilder model;
  model.Input("x", DataType::kFloat32, {2}).Output("y", DataType::kFloat32, {2});
  model.Output("mask", DataType::kBool, {2});
  model.Node("Dropout", {"x"}, {"d", "mask"});
  model.Node("Identity", {"d"}, {"y"});
  EXPECT_EQ(EliminateIdentities(*model.proto().mutable_graph()), 0);
  EXPECT_EQ(model.proto().graph().node_size(), 2);
}

TEST(IdentityEliminationTest, OptimizeGraphReportsEveryPass) {
  ModelBuilder model;
  model.Input("x", DataType::kFloat32, {2}).Output("y", DataType::kFloat32, {2});
  model.Node("Identity", {"x"}, {"a"});
  model.Node("Neg", {"a"}, {"y"});
  std::vector<PassReport> reports = OptimizeGraph(model.proto());
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports[0].pass, "identity elimination");
  EXPECT_EQ(reports[0].rewrites, 1);
  EXPECT_EQ(CountOps(model.proto().graph(), "Identity"), 0);
}

}  // namespace
}  // namespace mlos::engine
