#include "axon/hubs/hub_file_path.h"

#include <gtest/gtest.h>

#include <string>

namespace mlos::axon {
namespace {

TEST(HubFilePath, AcceptsPlainRelativePaths) {
  for (const std::string path :
       {"model.onnx", "onnx/model.onnx", "a/b/c.json", "x..y", ".hidden", "name with space.txt"}) {
    EXPECT_TRUE(CheckHubFilePath(path).ok()) << path;
  }
}

TEST(HubFilePath, RefusesPathsThatLeaveThePackage) {
  const std::pair<std::string, std::string> cases[] = {
      {"../../etc/passwd", "'..' segment"},
      {"a/../../x", "'..' segment"},
      {"a/..", "'..' segment"},
      {"./model.onnx", "'.' segment"},
      {"/etc/passwd", "absolute"},
      {"a\\..\\..\\x", "backslash"},
      {std::string("model\0.onnx", 11), "NUL"},
      {"a//b", "empty segment"},
      {"dir/", "empty segment"},
      {"", "is empty"},
      {"C:/windows", "drive letter"},
      {"~/x", "'~'"},
      {"a\nb", "control character"},
  };
  for (const auto& [path, problem] : cases) {
    const Status status = CheckHubFilePath(path);
    ASSERT_FALSE(status.ok()) << path;
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(problem), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("unsafe file name"), std::string::npos) << status.message();
  }
  EXPECT_NE(CheckHubFilePath("a/../../x").message().find("\"a/../../x\""), std::string::npos);
  EXPECT_NE(CheckHubFilePath("a\nb").message().find("a\\x0ab"), std::string::npos);
}

}  // namespace
}  // namespace mlos::axon
