#include "plugins/onnx/model_location.h"

#include <gtest/gtest.h>

#include "engine/test_models.h"

namespace mlos::plugins::onnx {
namespace {

using engine::testing::TempDir;

TEST(ModelLocationTest, ResolvesFilesAndDirectories) {
  TempDir dir;
  dir.Write("net.onnx", "x");
  EXPECT_EQ(*ResolveModelFile(dir.File("net.onnx")), dir.File("net.onnx"));
  EXPECT_EQ(*ResolveModelFile(dir.path().string()), dir.File("net.onnx"));  // the only one

  dir.Write("other.onnx", "x");
  Status several = ResolveModelFile(dir.path().string()).status();
  EXPECT_EQ(several.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(several.message().find("several .onnx files (net.onnx, other.onnx)"), std::string::npos)
      << several.message();

  dir.Write("model.onnx", "x");
  EXPECT_EQ(*ResolveModelFile(dir.path().string()), dir.File("model.onnx"));  // preferred
}

TEST(ModelLocationTest, MissingModelsAreNotFound) {
  TempDir dir;
  EXPECT_EQ(ResolveModelFile(dir.path().string()).status().code(), StatusCode::kNotFound);
  Status missing = ResolveModelFile(dir.File("absent.onnx")).status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find(dir.File("absent.onnx")), std::string::npos);
}

TEST(ModelLocationTest, ParsesThreads) {
  const engine::SessionOptions defaults{3};
  EXPECT_EQ(ParseSessionOptions("{}", defaults)->threads, 3);
  EXPECT_EQ(ParseSessionOptions(R"({"threads": 2, "instances": 4})", defaults)->threads, 2);
  for (const char* bad : {"", "[]", "{\"threads\": \"two\"}", "{\"threads\": -1}", "{oops"}) {
    EXPECT_EQ(ParseSessionOptions(bad, defaults).status().code(), StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace mlos::plugins::onnx
