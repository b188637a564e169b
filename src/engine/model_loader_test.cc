#include "engine/model_loader.h"

#include <gtest/gtest.h>

#include <cstring>

#include "engine/test_models.h"

namespace mlos::engine {
namespace {

using testing::ModelBuilder;
using testing::TempDir;

void ExpectError(const Status& status, StatusCode code, const std::vector<std::string>& parts) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  for (const std::string& part : parts) {
    EXPECT_NE(status.message().find(part), std::string::npos)
        << "'" << part << "' not in: " << status.message();
  }
}

// y = x + w, with w stored in the external file `location`.
ModelBuilder ExternalWeightModel(const std::string& location, int64_t offset, int64_t length) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2})
      .FloatInitializer("w", {2}, {0, 0})
      .Output("y", DataType::kFloat32, {2});
  builder.Node("Add", {"x", "w"}, {"y"});
  onnx::TensorProto* w = builder.proto().mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const std::string& key, const std::string& value) {
    auto* entry = w->add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  add("offset", std::to_string(offset));
  add("length", std::to_string(length));
  return builder;
}

TEST(ModelLoaderTest, MissingFileIsNotFound) {
  ExpectError(LoadModelProto("/nonexistent/model.onnx").status(), StatusCode::kNotFound,
              {"/nonexistent/model.onnx"});
}

TEST(ModelLoaderTest, CorruptBytesAreInvalid) {
  TempDir dir;
  dir.Write("model.onnx", "\x08\x07this is not a protobuf \xff\xff\xff");
  ExpectError(LoadModelProto(dir.File("model.onnx")).status(), StatusCode::kInvalidArgument,
              {dir.File("model.onnx"), "not a valid ONNX model"});
}

TEST(ModelLoaderTest, CheckerFailureNamesTheFile) {
  TempDir dir;
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2}).Output("y", DataType::kFloat32, {2});
  builder.Node("NoSuchOperator", {"x"}, {"y"});
  const std::string path = builder.Save(dir);
  ExpectError(LoadModelProto(path).status(), StatusCode::kInvalidArgument,
              {path, "ONNX checker", "NoSuchOperator"});
}

TEST(ModelLoaderTest, InfersShapes) {
  TempDir dir;
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {-1, 3}).Output("z", DataType::kFloat32, {-1, 3});
  builder.Node("Relu", {"x"}, {"y"});
  builder.Node("Neg", {"y"}, {"z"});
  StatusOr<onnx::ModelProto> model = LoadModelProto(builder.Save(dir));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_EQ(model->graph().value_info_size(), 1);
  EXPECT_EQ(model->graph().value_info(0).name(), "y");
  EXPECT_EQ(model->graph().value_info(0).type().tensor_type().elem_type(),
            onnx::TensorProto::FLOAT);
}

TEST(ModelLoaderTest, ReadsExternalData) {
  TempDir dir;
  const float weights[] = {9.0f, 1.5f, -2.0f};  // the tensor is the last two
  dir.Write("weights.bin", std::string(reinterpret_cast<const char*>(weights), sizeof(weights)));
  const std::string path = ExternalWeightModel("weights.bin", 4, 8).Save(dir);
  StatusOr<onnx::ModelProto> model = LoadModelProto(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const onnx::TensorProto& w = model->graph().initializer(0);
  EXPECT_EQ(w.data_location(), onnx::TensorProto::DEFAULT);
  ASSERT_EQ(w.raw_data().size(), 8u);
  float values[2];
  std::memcpy(values, w.raw_data().data(), sizeof(values));
  EXPECT_EQ(values[0], 1.5f);
  EXPECT_EQ(values[1], -2.0f);
}

TEST(ModelLoaderTest, ExternalDataMayNotLeaveTheModelDirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "model");
  dir.Write("secret.bin", std::string(8, 'x'));
  const std::string path = dir.File("model/model.onnx");
  std::ofstream(path, std::ios::binary)
      << ExternalWeightModel("../secret.bin", 0, 8).proto().SerializeAsString();
  ExpectError(LoadModelProto(path).status(), StatusCode::kInvalidArgument,
              {path, "tensor 'w'", "'../secret.bin'", "leaves the model's directory"});

  std::ofstream(path, std::ios::binary)
      << ExternalWeightModel(dir.File("secret.bin"), 0, 8).proto().SerializeAsString();
  ExpectError(LoadModelProto(path).status(), StatusCode::kInvalidArgument,
              {"tensor 'w'", "leaves the model's directory"});
}

TEST(ModelLoaderTest, MissingExternalFileAndShortData) {
  TempDir dir;
  std::string path = ExternalWeightModel("absent.bin", 0, 8).Save(dir);
  ExpectError(LoadModelProto(path).status(), StatusCode::kInvalidArgument,
              {"tensor 'w'", "'absent.bin'", "cannot read"});

  dir.Write("short.bin", std::string(6, '\0'));
  path = ExternalWeightModel("short.bin", 0, 8).Save(dir);
  ExpectError(LoadModelProto(path).status(), StatusCode::kInvalidArgument,
              {"tensor 'w'", "'short.bin'", "needs bytes [0, 8) but the file has 6"});
}

}  // namespace
}  // namespace mlos::engine
