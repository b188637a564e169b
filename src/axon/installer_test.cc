#include "axon/installer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "axon/sha256.h"
#include "axon/test_models.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// sha256("hello\n").
constexpr char kHelloSha[] = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class InstallerTest : public ::testing::Test {
 protected:
  InstallerTest() {
    testing::WriteTinyOnnxModel(model_dir() + "/model.onnx");
    testing::WriteFile(model_dir() + "/config/hello.txt", "hello\n");
    testing::WriteFile(model_dir() + "/.git/HEAD", "ignored\n");
  }
  std::string model_dir() const { return source_.path() + "/Tiny MLP"; }

  StatusOr<InstallResult> Install(const std::string& spec, InstallOptions options = {}) {
    return InstallLocal(store_, spec, options, progress_);
  }

  testing::TempDir home_;
  testing::TempDir source_;
  Store store_{home_.path()};
  Progress progress_ = Progress::Disabled();
};

TEST_F(InstallerTest, InstallsDirectoryWithRealHashesAndSignature) {
  StatusOr<InstallResult> result = Install(model_dir());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, InstallOutcome::kInstalled);
  const InstalledModel& model = result->model;
  const Manifest& m = model.manifest;
  EXPECT_EQ(m.model_id(), "local/tiny-mlp@latest");
  EXPECT_EQ(model.dir, home_.path() + "/cache/models/local/tiny-mlp/latest");
  EXPECT_EQ(model.manifest_path, model.dir + "/manifest.yaml");

  ASSERT_EQ(m.files.size(), 2u);  // .git is skipped
  EXPECT_EQ(m.files[0].path, "config/hello.txt");
  EXPECT_EQ(m.files[0].size, 6u);
  EXPECT_EQ(m.files[0].sha256, kHelloSha);
  EXPECT_EQ(m.files[1].path, "model.onnx");
  EXPECT_EQ(m.files[1].sha256, *Sha256File(model_dir() + "/model.onnx"));
  EXPECT_EQ(m.files[1].size, fs::file_size(model_dir() + "/model.onnx"));
  EXPECT_EQ(m.disk_bytes, m.files[0].size + m.files[1].size);
  EXPECT_EQ(m.memory_bytes, m.files[1].size);

  EXPECT_EQ(m.framework, "onnx");
  EXPECT_EQ(m.format_type, "onnx");
  EXPECT_EQ(m.execution_format, "onnx");
  ASSERT_EQ(m.execution_files.size(), 1u);
  EXPECT_EQ(m.execution_files[0].path, "model.onnx");
  EXPECT_EQ(m.execution_files[0].role, "single");
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].name, "x");
  EXPECT_EQ(m.inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(m.inputs[0].shape, (Shape{-1, 4}));
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].name, "y");

  EXPECT_EQ(m.source.hub, "local");
  EXPECT_EQ(m.source.repo, model_dir());
  EXPECT_EQ(m.source.revision, "latest");
  EXPECT_NE(m.description.find("opset 13"), std::string::npos);
  EXPECT_EQ(m.created.size(), 20u);

  // The tree holds the files (linked to the blobs), the manifest and the metadata.
  EXPECT_EQ(ReadText(model.dir + "/config/hello.txt"), "hello\n");
  EXPECT_TRUE(fs::equivalent(model.dir + "/config/hello.txt", store_.BlobPath(kHelloSha)));
  EXPECT_FALSE(fs::exists(model.dir + "/.git"));
  const nlohmann::json metadata =
      nlohmann::json::parse(ReadText(model.dir + "/.axon_metadata.json"));
  EXPECT_EQ(metadata["source"]["path"], model_dir());
  EXPECT_EQ(metadata["source"]["hub"], "local");
  EXPECT_EQ(metadata["installed_at"], m.created);
  EXPECT_FALSE(metadata["axon_version"].get<std::string>().empty());
}

TEST_F(InstallerTest, OnnxFileAndFileUrlSpecs) {
  testing::WriteTinyOnnxModel(source_.path() + "/My Net.ONNX");
  StatusOr<InstallResult> result = Install(source_.path() + "/My Net.ONNX");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->model.manifest.model_id(), "local/my-net@latest");
  ASSERT_EQ(result->model.manifest.files.size(), 1u);
  EXPECT_EQ(result->model.manifest.files[0].path, "My Net.ONNX");

  InstallOptions options;
  options.as = *ParseModelRef("team/net@2");
  result = Install("file://" + source_.path() + "/My%20Net.ONNX", options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->model.manifest.model_id(), "team/net@2");
  EXPECT_EQ(result->model.manifest.source.revision, "2");
}

TEST_F(InstallerTest, SameContentSharesBlobsAcrossModels) {
  InstallOptions first, second;
  first.as = *ParseModelRef("local/one");
  second.as = *ParseModelRef("local/two@1.0");
  StatusOr<InstallResult> one = Install(model_dir(), first);
  StatusOr<InstallResult> two = Install(model_dir(), second);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_TRUE(fs::equivalent(one->model.dir + "/model.onnx", two->model.dir + "/model.onnx"));
  size_t blobs = 0;
  for ([[maybe_unused]] const auto& entry :
       fs::directory_iterator(home_.path() + "/cache/blobs/sha256")) {
    ++blobs;
  }
  EXPECT_EQ(blobs, 2u);
  EXPECT_EQ(store_.List().models.size(), 2u);
}

TEST_F(InstallerTest, ReinstallNeedsForceOnlyForOtherContent) {
  ASSERT_TRUE(Install(model_dir()).ok());
  StatusOr<InstallResult> again = Install(model_dir());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, InstallOutcome::kUnchanged);

  testing::WriteFile(model_dir() + "/config/hello.txt", "changed\n");
  StatusOr<InstallResult> refused = Install(model_dir());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(refused.status().message().find("--force"), std::string::npos);
  EXPECT_EQ(ReadText(store_.ModelDir(*ParseModelRef("local/tiny-mlp")) + "/config/hello.txt"),
            "hello\n");

  InstallOptions force;
  force.force = true;
  StatusOr<InstallResult> replaced = Install(model_dir(), force);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->outcome, InstallOutcome::kReplaced);
  EXPECT_EQ(ReadText(replaced->model.dir + "/config/hello.txt"), "changed\n");
  EXPECT_EQ(
      std::distance(fs::directory_iterator(home_.path() + "/cache/tmp"), fs::directory_iterator()),
      0);
}

TEST_F(InstallerTest, RefusesSourcesThatAreNotOneValidModel) {
  testing::WriteFile(source_.path() + "/empty/readme.md", "no model here\n");
  StatusOr<InstallResult> result = Install(source_.path() + "/empty");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("holds no .onnx file"), std::string::npos);

  testing::WriteFile(source_.path() + "/broken/model.onnx", "this is not protobuf");
  result = Install(source_.path() + "/broken");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(source_.path() + "/broken/model.onnx"),
            std::string::npos)
      << result.status().message();

  testing::WriteTinyOnnxModel(source_.path() + "/two/a.onnx");
  testing::WriteTinyOnnxModel(source_.path() + "/two/b.onnx");
  result = Install(source_.path() + "/two");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("several .onnx files (a.onnx, b.onnx)"),
            std::string::npos);

  result = Install(source_.path() + "/missing");
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  testing::WriteFile(source_.path() + "/weights.bin", "x");
  result = Install(source_.path() + "/weights.bin");
  EXPECT_NE(result.status().message().find("neither a directory nor a .onnx file"),
            std::string::npos);

  EXPECT_TRUE(store_.List().models.empty());
}

TEST(Rfc3339Test, FormatsUtcSeconds) {
  EXPECT_EQ(Rfc3339Utc(std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))),
            "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace mlos::axon
