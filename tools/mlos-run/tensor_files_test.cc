#include "tools/mlos-run/tensor_files.h"

#include <gtest/gtest.h>

#include "common/npy.h"
#include "engine/test_models.h"

namespace mlos::run {
namespace {

using engine::testing::TempDir;

const std::vector<engine::TensorInfo> kOneInput = {{"x", DataType::kFloat32, {-1}, true}};
const std::vector<engine::TensorInfo> kTwoInputs = {{"a", DataType::kFloat32, {2}, true},
                                                    {"b", DataType::kFloat32, {2}, true}};

TEST(TensorFilesTest, ReadsNpyWithOrWithoutName) {
  TempDir dir;
  Tensor tensor(DataType::kFloat32, {2});
  tensor.data<float>()[1] = 3.5f;
  ASSERT_TRUE(WriteNpyFile(dir.File("t.npy"), tensor).ok());
  StatusOr<engine::NamedTensor> named = ReadInput("b=" + dir.File("t.npy"), kTwoInputs);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->name, "b");
  EXPECT_EQ(named->tensor.data<float>()[1], 3.5f);
  EXPECT_EQ(ReadInput(dir.File("t.npy"), kOneInput)->name, "x");
  Status ambiguous = ReadInput(dir.File("t.npy"), kTwoInputs).status();
  EXPECT_EQ(ambiguous.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ambiguous.message().find("--input NAME="), std::string::npos);
}

TEST(TensorFilesTest, ReadsTensorProtoNamedByItselfOrTheFlag) {
  TempDir dir;
  onnx::TensorProto proto;
  proto.set_name("input_ids");
  proto.set_data_type(onnx::TensorProto::INT64);
  proto.add_dims(2);
  proto.add_int64_data(7);
  proto.add_int64_data(9);
  dir.Write("input_0.pb", proto.SerializeAsString());
  StatusOr<engine::NamedTensor> input = ReadInput(dir.File("input_0.pb"), kTwoInputs);
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  EXPECT_EQ(input->name, "input_ids");
  EXPECT_EQ(input->tensor.data<int64_t>()[1], 9);
  EXPECT_EQ(ReadInput("ids=" + dir.File("input_0.pb"), kTwoInputs)->name, "ids");
}

TEST(TensorFilesTest, ErrorsNameTheFile) {
  TempDir dir;
  dir.Write("bad.pb", "\xff\xff\xff");
  for (const std::string& argument :
       {dir.File("bad.pb"), "x=" + dir.File("absent.npy"), "x=" + dir.File("data.csv")}) {
    Status status = ReadInput(argument, kOneInput).status();
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find(argument.substr(argument.find('/'))), std::string::npos)
        << status.message();
  }
}

TEST(TensorFilesTest, OutputFileNamesAreSafeAndDistinct) {
  const std::vector<std::string> names = {"logits", "../etc/passwd", "a/b", "a_b", "", ".hidden"};
  EXPECT_EQ(OutputFileNames(names),
            (std::vector<std::string>{"logits.npy", "_.._etc_passwd.npy", "a_b.npy", "a_b_2.npy",
                                      "_.npy", "_.hidden.npy"}));
}

}  // namespace
}  // namespace mlos::run
