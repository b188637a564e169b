#include "tools/bench-engine/bench_inputs.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "engine/test_models.h"

namespace mlos::bench {
namespace {

using engine::NamedTensor;
using engine::testing::ModelBuilder;
using engine::testing::TempDir;

// A text model: ids [batch, sequence] index a 7-row table, mask [batch, sequence] does not,
// features [batch, 3] are floats; "sequence" is a named symbolic dimension.
onnx::ModelProto TextModel() {
  ModelBuilder builder;
  builder.Input("ids", DataType::kInt64, {-1, -1})
      .Input("mask", DataType::kInt64, {-1, -1})
      .Input("features", DataType::kFloat32, {-1, 3})
      .FloatInitializer("table", {7, 2}, std::vector<float>(14, 0.5f))
      .Output("embedded", DataType::kFloat32, {-1, -1, 2});
  builder.Node("Gather", {"table", "ids"}, {"embedded"});
  onnx::ModelProto model = builder.proto();
  for (const char* input : {"ids", "mask"}) {
    for (onnx::ValueInfoProto& value : *model.mutable_graph()->mutable_input()) {
      if (value.name() == input) {
        value.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_param(
            "sequence");
      }
    }
  }
  return model;
}

TEST(BenchInputsTest, ShapesFromBatchAndNamedDimsIdsBelowTableRowsMasksOnes) {
  StatusOr<std::vector<NamedTensor>> inputs =
      MakeInputs(TextModel(), {.batch = 2, .dims = {{"sequence", 50}}});
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  ASSERT_EQ(inputs->size(), 3u);  // the table is an initializer, not an input
  EXPECT_EQ((*inputs)[0].tensor.shape(), (Shape{2, 50}));
  EXPECT_EQ((*inputs)[2].tensor.shape(), (Shape{2, 3}));
  std::set<int64_t> ids;
  for (int64_t id : (*inputs)[0].tensor.values<int64_t>()) ids.insert(id);
  EXPECT_EQ(*ids.begin(), 0);
  EXPECT_EQ(*ids.rbegin(), 6);  // 100 draws below 7 reach the last row
  for (int64_t mask : (*inputs)[1].tensor.values<int64_t>()) EXPECT_EQ(mask, 1);
  for (float feature : (*inputs)[2].tensor.values<float>()) {
    EXPECT_GE(feature, -1.0f);
    EXPECT_LT(feature, 1.0f);
  }
}

TEST(BenchInputsTest, SameSeedSameBytesThroughTheFiles) {
  StatusOr<std::vector<NamedTensor>> first =
      MakeInputs(TextModel(), {.dims = {{"sequence", 4}}, .seed = 9});
  StatusOr<std::vector<NamedTensor>> other_seed =
      MakeInputs(TextModel(), {.dims = {{"sequence", 4}}, .seed = 10});
  ASSERT_TRUE(first.ok() && other_seed.ok());
  TempDir dir;
  ASSERT_TRUE(WriteInputFiles(dir.File("inputs"), *first).ok());
  StatusOr<std::vector<NamedTensor>> read = ReadInputFiles(dir.File("inputs"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), first->size());
  for (size_t i = 0; i < read->size(); ++i) {
    EXPECT_EQ((*read)[i].name, (*first)[i].name);
    EXPECT_EQ((*read)[i].tensor.dtype(), (*first)[i].tensor.dtype());
    ASSERT_EQ((*read)[i].tensor.shape(), (*first)[i].tensor.shape());
    EXPECT_EQ(0, std::memcmp((*read)[i].tensor.raw_data(), (*first)[i].tensor.raw_data(),
                             (*first)[i].tensor.byte_size()));
  }
  EXPECT_NE(0, std::memcmp((*other_seed)[2].tensor.raw_data(), (*first)[2].tensor.raw_data(),
                           (*first)[2].tensor.byte_size()));
}

TEST(BenchInputsTest, UnsizedDimensionIsAnErrorNamingIt) {
  StatusOr<std::vector<NamedTensor>> inputs = MakeInputs(TextModel(), {});
  ASSERT_FALSE(inputs.ok());
  EXPECT_NE(inputs.status().message().find("--dim sequence=SIZE"), std::string::npos)
      << inputs.status().message();
}

TEST(BenchInputsTest, ShortInputFileIsAnError) {
  StatusOr<std::vector<NamedTensor>> inputs = MakeInputs(TextModel(), {.dims = {{"sequence", 4}}});
  ASSERT_TRUE(inputs.ok());
  TempDir dir;
  ASSERT_TRUE(WriteInputFiles(dir.path().string(), *inputs).ok());
  dir.Write("input_0.bin", "short");
  StatusOr<std::vector<NamedTensor>> read = ReadInputFiles(dir.path().string());
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("input_0.bin"), std::string::npos);
}

}  // namespace
}  // namespace mlos::bench
