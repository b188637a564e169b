// Selections checked against torchvision.ops.nms (0.14) where it applies (one class, no score
// threshold), and by hand for the rest.
#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// Six corner-format boxes (y1, x1, y2, x2): 0, 1, 3 and 5 overlap heavily, 2 and 4 stand apart.
Tensor Boxes() {
  return MakeTensor<float>({1, 6, 4}, {0, 0, 10, 10, 1,  1,  11, 11, 0,     20,    10,   30,
                                       2, 2, 8,  8,  50, 50, 60, 60, 10.5f, 10.5f, 0.5f, 0.5f});
}
Tensor Scores() { return MakeTensor<float>({1, 1, 6}, {0.9f, 0.8f, 0.7f, 0.95f, 0.3f, 0.85f}); }
Tensor Int64(int64_t value) { return MakeTensor<int64_t>({1}, {value}); }
Tensor Float(float value) { return MakeTensor<float>({1}, {value}); }

Tensor Select(const NodeBuilder& node, std::vector<Tensor> inputs) {
  return RunOne(node, inputs, 11);
}

TEST(NonMaxSuppressionTest, MatchesTorchvisionNms) {
  NodeBuilder node("NonMaxSuppression");
  node.Inputs(4).Outputs(1);
  // torchvision.ops.nms at IoU 0.5 keeps 3, 0, 2, 4 (box 5 has flipped corners).
  ExpectTensorNear<int64_t>(Select(node, {Boxes(), Scores(), Int64(10), Float(0.5f)}), {4, 3},
                            {0, 0, 3, 0, 0, 0, 0, 0, 2, 0, 0, 4});
  // At IoU 0.3 box 0 goes too.
  ExpectTensorNear<int64_t>(Select(node, {Boxes(), Scores(), Int64(10), Float(0.3f)}), {3, 3},
                            {0, 0, 3, 0, 0, 2, 0, 0, 4});
}

TEST(NonMaxSuppressionTest, ScoreThresholdAndLimitPerClass) {
  NodeBuilder node("NonMaxSuppression");
  node.Inputs(5).Outputs(1);
  Tensor scores = MakeTensor<float>({1, 2, 6}, {0.9f, 0.8f, 0.7f, 0.95f, 0.3f, 0.85f,  //
                                                0.1f, 0.6f, 0.2f, 0.1f, 0.9f, 0.05f});
  // Class 0 keeps 3, 0 (limit 2); class 1 keeps 4, 1 (scores above 0.15; box 2 at 0.2 next).
  ExpectTensorNear<int64_t>(Select(node, {Boxes(), scores, Int64(2), Float(0.5f), Float(0.15f)}),
                            {4, 3}, {0, 0, 3, 0, 0, 0, 0, 1, 4, 0, 1, 1});
}

TEST(NonMaxSuppressionTest, CenterPointBoxesAndMissingOptionalInputs) {
  NodeBuilder node("NonMaxSuppression");
  node.Inputs(3).Outputs(1).Int("center_point_box", 1);
  // (x_center, y_center, width, height): the second box is the first shifted by 0.5.
  Tensor boxes = MakeTensor<float>({1, 3, 4}, {5, 5, 10, 10, 5.5f, 5, 10, 10, 20, 20, 2, 2});
  Tensor scores = MakeTensor<float>({1, 1, 3}, {0.5f, 0.6f, 0.1f});
  // No iou_threshold input: 0, so any overlap suppresses.
  ExpectTensorNear<int64_t>(Select(node, {boxes, scores, Int64(5)}), {2, 3}, {0, 0, 1, 0, 0, 2});
  // No max_output_boxes_per_class: nothing is selected.
  NodeBuilder bare("NonMaxSuppression");
  bare.Inputs(2).Outputs(1);
  ExpectTensorNear<int64_t>(Select(bare, {boxes, scores}), {0, 3}, {});
}

TEST(NonMaxSuppressionTest, RejectsScoresOfWrongShape) {
  NodeBuilder node("NonMaxSuppression");
  node.Inputs(2).Outputs(1);
  EXPECT_NE(RunError(node, {Boxes(), MakeTensor<float>({1, 1, 5}, {1, 2, 3, 4, 5})}, 11)
                .find("input 1 (scores): expected [1, classes, 6]"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
