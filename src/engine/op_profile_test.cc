#include "engine/op_profile.h"

#include <gtest/gtest.h>

#include "engine/session.h"
#include "engine/test_models.h"

namespace mlos::engine {
namespace {

using testing::FloatTensor;
using testing::ModelBuilder;
using testing::TempDir;

// y = Relu(Relu(x) + x): two Relu nodes and one Add.
std::string SaveReluAddReluModel(const TempDir& dir) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {-1, 2}).Output("y", DataType::kFloat32, {-1, 2});
  builder.Node("Relu", {"x"}, {"positive"});
  builder.Node("Add", {"positive", "x"}, {"sum"});
  builder.Node("Relu", {"sum"}, {"y"});
  return builder.Save(dir);
}

TEST(OpProfileTest, SumsNodeRunsAndTimeByOpTypeLargestFirst) {
  OpProfile profile;
  profile.Add("Relu", std::chrono::milliseconds(1));
  profile.Add("MatMul", std::chrono::milliseconds(5));
  profile.Add("Relu", std::chrono::microseconds(500));
  std::vector<OpTypeTime> totals = profile.Totals();
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].op_type, "MatMul");
  EXPECT_EQ(totals[0].nodes_run, 1);
  EXPECT_DOUBLE_EQ(totals[0].milliseconds, 5.0);
  EXPECT_EQ(totals[1].op_type, "Relu");
  EXPECT_EQ(totals[1].nodes_run, 2);
  EXPECT_DOUBLE_EQ(totals[1].milliseconds, 1.5);
}

TEST(OpProfileTest, SessionTimesEveryNodeOfEveryRun) {
  TempDir dir;
  const std::string path = SaveReluAddReluModel(dir);
  const std::vector<NamedTensor> inputs = {{"x", FloatTensor({1, 2}, {-1, 2})}};

  auto profile = std::make_shared<OpProfile>();
  StatusOr<std::unique_ptr<Session>> profiled =
      Session::Load(path, SessionOptions{.threads = 1, .op_profile = profile});
  ASSERT_TRUE(profiled.ok()) << profiled.status().ToString();
  for (int run = 0; run < 3; ++run) {
    StatusOr<std::vector<NamedTensor>> outputs = (*profiled)->Run(inputs, {});
    ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
    EXPECT_EQ((*outputs)[0].tensor.values<float>()[1], 4.0f);
  }
  std::vector<OpTypeTime> totals = profile->Totals();
  ASSERT_EQ(totals.size(), 2u);
  for (const OpTypeTime& total : totals) {
    EXPECT_EQ(total.nodes_run, total.op_type == "Relu" ? 6 : 3) << total.op_type;
    EXPECT_GT(total.milliseconds, 0) << total.op_type;
  }
}

}  // namespace
}  // namespace mlos::engine
