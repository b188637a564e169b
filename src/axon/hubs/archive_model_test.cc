#include "axon/hubs/archive_model.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "axon/test_models.h"

namespace mlos::axon {
namespace {

using testing::TempDir;
using testing::WriteTinyOnnxModel;

TEST(ArchiveModel, FindsSavedModelsAndTopFolders) {
  EXPECT_TRUE(HoldsTensorFlowSavedModel({"saved_model.pb"}));
  EXPECT_TRUE(HoldsTensorFlowSavedModel({"variables/variables.index"}));
  EXPECT_FALSE(HoldsTensorFlowSavedModel({"model.onnx", "sub/saved_model.pb"}));
  EXPECT_EQ(SingleTopFolder({"top/a", "top/b/c"}), "top");
  EXPECT_EQ(SingleTopFolder({"top/a", "b"}), "");
  EXPECT_EQ(SingleTopFolder({"top/a", "other/b"}), "");
  EXPECT_EQ(SingleTopFolder({}), "");
}

TEST(ArchiveModel, SelectsUnderOneTopFolder) {
  StatusOr<PreparedPackage> package =
      SelectArchivePackage("/w", {"mlp/model.onnx", "mlp/config.json", "mlp/notes.txt"},
                           "kaggle/o/m/onnx/v@1", FormatWanted::kAuto);
  ASSERT_TRUE(package.ok()) << package.status().message();
  EXPECT_EQ(package->dir, "/w/mlp");
  EXPECT_EQ(package->files, (std::vector<std::string>{"config.json", "model.onnx"}));
  EXPECT_EQ(package->format, "onnx");
  ASSERT_EQ(package->execution_files.size(), 1u);
  EXPECT_EQ(package->execution_files[0].path, "model.onnx");
}

TEST(ArchiveModel, RefusesSavedModelWithoutOnnxAndEmptyArchives) {
  StatusOr<PreparedPackage> saved = SelectArchivePackage(
      "/w", {"saved_model.pb", "variables/variables.index"}, "tfhub/g/m/1", FormatWanted::kAuto);
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.status().message().find("tfhub/g/m/1 is a TensorFlow SavedModel"),
            std::string::npos);
  EXPECT_NE(saved.status().message().find("no TensorFlow in Debian"), std::string::npos);
  EXPECT_NE(saved.status().message().find("tf2onnx"), std::string::npos);
  EXPECT_TRUE(
      SelectArchivePackage("/w", {"saved_model.pb", "model.onnx"}, "m", FormatWanted::kAuto).ok());
  EXPECT_FALSE(SelectArchivePackage("/w", {}, "m", FormatWanted::kAuto).ok());
}

TEST(ArchiveModel, PrepareTakesANonArchiveDownloadAsTheSingleFile) {
  TempDir staging;
  TempDir work;
  WriteTinyOnnxModel(staging.path() + "/download.bin");
  Progress progress = Progress::Disabled();
  ArchiveModel archive{"download.bin", "model.onnx", "kaggle/o/m/onnx/v@1", FormatWanted::kAuto};
  StatusOr<PreparedPackage> package =
      ArchiveModelPrepare(archive)(staging.path(), work.path(), progress);
  ASSERT_TRUE(package.ok()) << package.status().message();
  EXPECT_EQ(package->files, std::vector<std::string>{"model.onnx"});
  EXPECT_TRUE(std::filesystem::is_regular_file(package->dir + "/model.onnx"));
  EXPECT_TRUE(std::filesystem::is_regular_file(staging.path() + "/download.bin"));  // untouched

  TempDir other_work;
  archive.single_file.clear();
  StatusOr<PreparedPackage> refused =
      ArchiveModelPrepare(archive)(staging.path(), other_work.path(), progress);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not a tar archive"), std::string::npos);
}

}  // namespace
}  // namespace mlos::axon
