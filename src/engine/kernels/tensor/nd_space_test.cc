// Tests of GatherND, ScatterND, Scatter, Compress, ReverseSequence (gather.cc), DepthToSpace,
// SpaceToDepth (reindex_kernels.cc), EyeLike and the window functions (generators.cc). Goldens
// from numpy (reshape/transpose for the space-depth pair, fancy indexing, np.hanning-style sums).
#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(GatherNdKernelTest, ElementsSlicesAndBatches) {
  Tensor data = Iota<int64_t>({2, 2});
  ExpectTensorNear<int64_t>(
      RunOne(Node("GatherND", 2), {data, MakeTensor<int64_t>({2, 2}, {0, 0, 1, 1})}), {2}, {0, 3});
  ExpectTensorNear<int64_t>(
      RunOne(Node("GatherND", 2), {data, MakeTensor<int64_t>({2, 1}, {1, -2})}), {2, 2},
      {2, 3, 0, 1});
  NodeBuilder batched = Node("GatherND", 2);
  batched.Int("batch_dims", 1);
  ExpectTensorNear<int64_t>(
      RunOne(batched, {Iota<int64_t>({2, 2, 2}), MakeTensor<int64_t>({2, 1}, {1, 0})}), {2, 2},
      {2, 3, 4, 5});
  EXPECT_EQ(RunError(Node("GatherND", 2), {data, MakeTensor<int64_t>({1, 2}, {0, 2})}),
            "input 1 (indices): index 2 is out of range [-2, 1] for axis 1");
  EXPECT_EQ(RunError(Node("GatherND", 2), {data, MakeTensor<int64_t>({1, 3}, {0, 0, 0})}),
            "input 1 (indices): shape [1, 3] cannot index input 0 (data) shape [2, 2] with "
            "batch_dims 0");
}

TEST(ScatterNdKernelTest, ReplacesAndAdds) {
  Tensor data = MakeTensor<float>({8}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor indices = MakeTensor<int64_t>({4, 1}, {4, 3, 1, 7});
  Tensor updates = MakeTensor<float>({4}, {9, 10, 11, 12});
  ExpectTensorNear<float>(RunOne(Node("ScatterND", 3), {data, indices, updates}), {8},
                          {1, 11, 3, 10, 9, 6, 7, 12});
  NodeBuilder add = Node("ScatterND", 3);
  add.String("reduction", "add");
  ExpectTensorNear<float>(
      RunOne(add, {data, MakeTensor<int64_t>({2, 1}, {0, 0}), MakeTensor<float>({2}, {5, 6})}, 16),
      {8}, {12, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(RunError(Node("ScatterND", 3), {data, indices, MakeTensor<float>({3}, {1, 2, 3})}),
            "input 2 (updates): expected float32 of shape [4], got float32 of shape [3]");
}

TEST(CompressKernelTest, AlongAxisAndFlattened) {
  Tensor x = MakeTensor<int64_t>({3, 2}, {1, 2, 3, 4, 5, 6});
  NodeBuilder rows = Node("Compress", 2);
  rows.Int("axis", 0);
  ExpectTensorNear<int64_t>(RunOne(rows, {x, MakeTensor<bool>({3}, {false, true, true})}), {2, 2},
                            {3, 4, 5, 6});
  ExpectTensorNear<int64_t>(
      RunOne(Node("Compress", 2), {x, MakeTensor<bool>({5}, {false, true, false, false, true})}),
      {2}, {2, 5});
  EXPECT_EQ(RunError(Node("Compress", 2), {x, MakeTensor<int64_t>({1}, {1})}),
            "input 1 (condition): expected a 1-D bool tensor, got int64 of shape [1]");
}

TEST(DepthToSpaceKernelTest, DepthColumnRowAndColumnRowDepth) {
  NodeBuilder dcr = Node("DepthToSpace", 1);
  dcr.Int("blocksize", 2);
  ExpectTensorNear<int64_t>(RunOne(dcr, {Iota<int64_t>({1, 8, 1, 1})}), {1, 2, 2, 2},
                            {0, 2, 4, 6, 1, 3, 5, 7});
  NodeBuilder crd = Node("DepthToSpace", 1);
  crd.Int("blocksize", 2).String("mode", "CRD");
  ExpectTensorNear<int64_t>(RunOne(crd, {Iota<int64_t>({1, 8, 1, 1})}), {1, 2, 2, 2},
                            {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(RunError(dcr, {Iota<int64_t>({1, 6, 1, 1})}),
            "input 0 (input): shape [1, 6, 1, 1] is not [N, C, H, W] with C divisible by "
            "blocksize 2^2");
}

TEST(SpaceToDepthKernelTest, MovesBlocksIntoChannels) {
  NodeBuilder node = Node("SpaceToDepth", 1);
  node.Int("blocksize", 2);
  ExpectTensorNear<int64_t>(RunOne(node, {Iota<int64_t>({1, 1, 4, 4})}), {1, 4, 2, 2},
                            {0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15});
}

TEST(EyeLikeKernelTest, ShiftedDiagonalAndDtype) {
  NodeBuilder node = Node("EyeLike", 1);
  node.Int("k", 1).Int("dtype", static_cast<int64_t>(DataType::kFloat32));
  ExpectTensorNear<float>(RunOne(node, {Iota<int64_t>({3, 4})}), {3, 4},
                          {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  NodeBuilder below = Node("EyeLike", 1);
  below.Int("k", -1);
  ExpectTensorNear<int64_t>(RunOne(below, {Iota<int64_t>({2, 2})}), {2, 2}, {0, 0, 1, 0});
}

TEST(ReverseSequenceKernelTest, ReversesEachBatchPrefix) {
  NodeBuilder node = Node("ReverseSequence", 2);
  ExpectTensorNear<int64_t>(
      RunOne(node, {Iota<int64_t>({4, 4}), MakeTensor<int64_t>({4}, {4, 3, 2, 1})}), {4, 4},
      {12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15});
  EXPECT_EQ(RunError(node, {Iota<int64_t>({4, 4}), MakeTensor<int64_t>({4}, {5, 1, 1, 1})}),
            "input 1 (sequence_lens): length 5 is outside [0, 4]");
}

TEST(ScatterKernelTest, IsScatterElementsBeforeOpset11) {
  NodeBuilder node = Node("Scatter", 3);
  node.Int("axis", 1);
  ExpectTensorNear<int64_t>(RunOne(node,
                                   {Iota<int64_t>({1, 3}), MakeTensor<int64_t>({1, 1}, {2}),
                                    MakeTensor<int64_t>({1, 1}, {9})},
                                   10),
                            {1, 3}, {0, 1, 9});
}

TEST(WindowKernelsTest, PeriodicAndSymmetric) {
  Tensor size = MakeTensor<int64_t>({}, {4});
  ExpectTensorNear<float>(RunOne(Node("HannWindow", 1), {size}), {4}, {0, 0.5f, 1, 0.5f});
  NodeBuilder symmetric = Node("HannWindow", 1);
  symmetric.Int("periodic", 0);
  ExpectTensorNear<float>(RunOne(symmetric, {size}), {4}, {0, 0.75f, 0.75f, 0});
  ExpectTensorNear<float>(RunOne(Node("HammingWindow", 1), {size}), {4},
                          {0.08695652f, 0.54347826f, 1, 0.54347826f});
  ExpectTensorNear<float>(RunOne(Node("BlackmanWindow", 1), {size}), {4}, {0, 0.34f, 1, 0.34f});
}

}  // namespace
}  // namespace mlos::engine::testing
