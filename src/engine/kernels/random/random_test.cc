#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

struct Moments {
  double mean = 0, variance = 0, min = INFINITY, max = -INFINITY;
};

template <typename T>
Moments MomentsOf(const Tensor& tensor) {
  Moments moments;
  const double count = static_cast<double>(tensor.element_count());
  for (T value : tensor.values<T>()) {
    moments.mean += static_cast<double>(value) / count;
    moments.min = std::min(moments.min, static_cast<double>(value));
    moments.max = std::max(moments.max, static_cast<double>(value));
  }
  for (T value : tensor.values<T>()) {
    const double deviation = static_cast<double>(value) - moments.mean;
    moments.variance += deviation * deviation / count;
  }
  return moments;
}

bool SameBytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

TEST(RandomTest, UniformHasShapeRangeAndMoments) {
  auto node = Node("RandomUniform", 0).Ints("shape", {100, 200}).Float("low", -1).Float("high", 3);
  Tensor y = RunOne(node, {});
  ASSERT_EQ(y.dtype(), DataType::kFloat32);
  ASSERT_EQ(y.shape(), (Shape{100, 200}));
  Moments moments = MomentsOf<float>(y);
  EXPECT_GE(moments.min, -1.0);
  EXPECT_LT(moments.max, 3.0);
  EXPECT_NEAR(moments.mean, 1.0, 0.05);
  EXPECT_NEAR(moments.variance, 16.0 / 12.0, 0.05);
}

TEST(RandomTest, NormalHasMoments) {
  auto node = Node("RandomNormal", 0)
                  .Ints("shape", {20000})
                  .Float("mean", 2)
                  .Float("scale", 0.5f)
                  .Int("dtype", static_cast<int>(DataType::kFloat64));
  Tensor y = RunOne(node, {});
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  Moments moments = MomentsOf<double>(y);
  EXPECT_NEAR(moments.mean, 2.0, 0.02);
  EXPECT_NEAR(moments.variance, 0.25, 0.02);
}

TEST(RandomTest, SeededRunsRepeatAndUnseededRunsDiffer) {
  auto seeded = Node("RandomNormal", 0).Ints("shape", {64}).Float("seed", 5);
  EXPECT_TRUE(SameBytes(RunOne(seeded, {}), RunOne(seeded, {})));
  auto other_seed = Node("RandomNormal", 0).Ints("shape", {64}).Float("seed", 6);
  EXPECT_FALSE(SameBytes(RunOne(seeded, {}), RunOne(other_seed, {})));
  auto unseeded = Node("RandomNormal", 0).Ints("shape", {64});
  EXPECT_FALSE(SameBytes(RunOne(unseeded, {}), RunOne(unseeded, {})));
}

TEST(RandomTest, ConcurrentRunsAreSafeAndSeededOnesAgree) {
  auto seeded = Node("RandomUniform", 0).Ints("shape", {1000}).Float("seed", 1);
  auto unseeded = Node("RandomUniform", 0).Ints("shape", {1000});
  std::vector<Tensor> seeded_results(4), unseeded_results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seeded_results.size(); ++i) {
    threads.emplace_back([&, i] {
      seeded_results[i] = RunOne(seeded, {});
      unseeded_results[i] = RunOne(unseeded, {});
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 1; i < seeded_results.size(); ++i) {
    EXPECT_TRUE(SameBytes(seeded_results[i], seeded_results[0]));
    EXPECT_FALSE(SameBytes(unseeded_results[i], unseeded_results[0]));
  }
}

TEST(RandomTest, LikeOpsTakeShapeAndTypeFromInput) {
  Tensor like = RunOne(Node("RandomUniformLike", 1), {Iota<double>({3, 4})});
  EXPECT_EQ(like.dtype(), DataType::kFloat64);
  EXPECT_EQ(like.shape(), (Shape{3, 4}));
  Tensor cast =
      RunOne(Node("RandomNormalLike", 1).Int("dtype", static_cast<int>(DataType::kFloat16)),
             {Iota<int32_t>({5})});
  EXPECT_EQ(cast.dtype(), DataType::kFloat16);
  EXPECT_EQ(cast.shape(), (Shape{5}));
  EXPECT_NE(RunError(Node("RandomUniformLike", 1), {Iota<int32_t>({5})})
                .find("element type int32 is not supported"),
            std::string::npos);
}

TEST(RandomTest, RejectsBadAttributes) {
  EXPECT_NE(RunError(Node("RandomUniform", 0), {}).find("attribute 'shape' is required"),
            std::string::npos);
  EXPECT_NE(RunError(Node("RandomUniform", 0).Ints("shape", {2}).Int("dtype", 7), {})
                .find("attribute 'dtype': element type int64 is not supported"),
            std::string::npos);
  EXPECT_NE(
      RunError(Node("RandomUniform", 0).Ints("shape", {2}).Float("low", 2).Float("high", 1), {})
          .find("must not exceed 'high'"),
      std::string::npos);
}

TEST(RandomTest, BernoulliFollowsProbabilities) {
  std::vector<float> probabilities(3000);
  for (size_t i = 0; i < probabilities.size(); ++i)
    probabilities[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 0.3f;
  Tensor y = RunOne(Node("Bernoulli", 1), {MakeTensor<float>({3000}, probabilities)});
  ASSERT_EQ(y.dtype(), DataType::kFloat32);
  double ones = 0;
  for (int i = 0; i < 3000; ++i) {
    const float value = y.data<float>()[i];
    if (i % 3 == 2) {
      ones += value;
    } else {
      EXPECT_EQ(value, i % 3 == 0 ? 0.0f : 1.0f) << "at " << i;
    }
  }
  EXPECT_NEAR(ones / 1000, 0.3, 0.06);

  Tensor flags = RunOne(Node("Bernoulli", 1).Int("dtype", static_cast<int>(DataType::kBool)),
                        {MakeTensor<double>({2}, {1, 0})});
  ExpectTensorNear<bool>(flags, {2}, {true, false});
  EXPECT_NE(RunError(Node("Bernoulli", 1), {MakeTensor<float>({2}, {0.5f, 1.5f})})
                .find("input 0 (X): probability 1.500000 at index 1 is outside [0, 1]"),
            std::string::npos);
}

TEST(RandomTest, MultinomialDrawsBySoftmax) {
  auto node = Node("Multinomial", 1).Int("sample_size", 4000).Float("seed", 3);
  const float log_third = std::log(1.0f / 3), log_two_thirds = std::log(2.0f / 3);
  Tensor y = RunOne(
      node,
      {MakeTensor<float>({2, 3}, {-INFINITY, 0, -INFINITY, log_third, log_two_thirds, -INFINITY})});
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  ASSERT_EQ(y.shape(), (Shape{2, 4000}));
  double ones_in_second_row = 0;
  for (int i = 0; i < 4000; ++i) {
    EXPECT_EQ(y.data<int32_t>()[i], 1);
    const int32_t sample = y.data<int32_t>()[4000 + i];
    ASSERT_TRUE(sample == 0 || sample == 1) << sample;
    ones_in_second_row += sample;
  }
  EXPECT_NEAR(ones_in_second_row / 4000, 2.0 / 3, 0.03);
  Tensor wide = RunOne(Node("Multinomial", 1).Int("dtype", static_cast<int>(DataType::kInt64)),
                       {MakeTensor<double>({3, 2}, {0, 0, 0, 0, 0, 0})});
  EXPECT_EQ(wide.dtype(), DataType::kInt64);
  EXPECT_EQ(wide.shape(), (Shape{3, 1}));
}

}  // namespace
}  // namespace mlos::engine::testing
