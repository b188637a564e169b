#include "axon/store_admin.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "axon/config.h"
#include "axon/installer.h"
#include "axon/package_check.h"
#include "axon/store_lock.h"
#include "axon/test_models.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

class StoreAdminTest : public ::testing::Test {
 protected:
  StoreAdminTest() {
    testing::WriteTinyOnnxModel(source_.path() + "/a/model.onnx");
    testing::WriteFile(source_.path() + "/a/notes.txt", "only in a\n");
    testing::WriteTinyOnnxModel(source_.path() + "/b/model.onnx");
    testing::WriteFile(source_.path() + "/b/notes.txt", "only in b, longer\n");
  }

  InstalledModel Install(const std::string& source, const std::string& id) {
    InstallOptions options;
    options.as = *ParseModelRef(id);
    StatusOr<InstallResult> result =
        InstallLocal(store_, source_.path() + "/" + source, options, progress_);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->model : InstalledModel{};
  }

  testing::TempDir home_;
  testing::TempDir source_;
  Store store_{home_.path()};
  Progress progress_ = Progress::Disabled();
};

TEST_F(StoreAdminTest, InitCreatesLayoutAndConfigOnce) {
  StatusOr<std::vector<std::string>> created = InitHome(home_.path());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->size(), 4u);
  EXPECT_TRUE(fs::is_directory(store_.BlobsRoot()));
  EXPECT_TRUE(fs::is_directory(store_.ModelsRoot()));
  EXPECT_TRUE(fs::is_directory(store_.TempRoot()));
  ASSERT_TRUE(AxonConfig::Load(home_.path()).ok());
  EXPECT_TRUE(fs::exists(ConfigPath(home_.path())));

  created = InitHome(home_.path());
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->empty());

  testing::WriteFile(ConfigPath(home_.path()), "core:\n  url: not-a-url\n");
  EXPECT_FALSE(InitHome(home_.path()).ok());  // an unreadable config is reported, not replaced
}

TEST_F(StoreAdminTest, UninstallLeavesOtherVersionsAndBlobs) {
  const InstalledModel v1 = Install("a", "local/m@v1");
  const InstalledModel v2 = Install("b", "local/m@v2");
  StatusOr<std::vector<std::string>> removed =
      Uninstall(store_, *ParseModelRef("local/m@v1"), false);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, std::vector<std::string>{"local/m@v1"});
  EXPECT_FALSE(fs::exists(v1.dir));
  EXPECT_TRUE(store_.Find(*ParseModelRef("local/m@v2")).ok());
  for (const ManifestFile& file : v1.manifest.files) {
    EXPECT_TRUE(fs::exists(store_.BlobPath(file.sha256))) << file.path;  // until prune
  }
  EXPECT_TRUE(fs::is_empty(store_.TempRoot()));  // the renamed tree was deleted

  EXPECT_EQ(Uninstall(store_, *ParseModelRef("local/m@v1"), false).status().code(),
            StatusCode::kNotFound);
}

TEST_F(StoreAdminTest, UninstallAllVersions) {
  Install("a", "local/m@v1");
  Install("b", "local/m@v2");
  Install("a", "local/other@v1");
  StatusOr<std::vector<std::string>> removed = Uninstall(store_, *ParseModelRef("local/m"), true);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, (std::vector<std::string>{"local/m@v1", "local/m@v2"}));
  EXPECT_FALSE(fs::exists(store_.ModelsRoot() + "/local/m"));  // empty parents go too
  EXPECT_TRUE(store_.Find(*ParseModelRef("local/other@v1")).ok());
  EXPECT_EQ(Uninstall(store_, *ParseModelRef("local/m"), true).status().code(),
            StatusCode::kNotFound);
}

TEST_F(StoreAdminTest, StatsCountSharedBlobsOnce) {
  const InstalledModel a = Install("a", "local/a@v1");
  Install("b", "local/b@v1");
  const CacheReport report = InspectCache(store_);
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(report.models, 2u);
  ASSERT_EQ(report.blobs.size(), 3u);  // one model.onnx, two notes
  uint64_t onnx_size = 0;
  for (const ManifestFile& file : a.manifest.files) {
    if (file.path == "model.onnx") onnx_size = file.size;
  }
  EXPECT_EQ(report.deduplicated_bytes, onnx_size);
  EXPECT_EQ(report.blob_bytes, report.model_bytes - onnx_size);
  size_t shared = 0;
  for (const BlobInfo& blob : report.blobs) {
    if (blob.models == std::vector<std::string>{"local/a@v1", "local/b@v1"}) ++shared;
  }
  EXPECT_EQ(shared, 1u);
  EXPECT_EQ(report.unreferenced_blobs, 0u);
}

TEST_F(StoreAdminTest, PruneRemovesOnlyUnreferencedBlobs) {
  const InstalledModel a = Install("a", "local/a@v1");
  const InstalledModel b = Install("b", "local/b@v1");
  ASSERT_TRUE(Uninstall(store_, *ParseModelRef("local/b@v1"), false).ok());
  std::string b_notes;
  for (const ManifestFile& file : b.manifest.files) {
    if (file.path == "notes.txt") b_notes = file.sha256;
  }
  StatusOr<CleanResult> pruned = PruneBlobs(store_);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->removed, std::vector<std::string>{b_notes});
  EXPECT_FALSE(fs::exists(store_.BlobPath(b_notes)));
  for (const ManifestFile& file : a.manifest.files) {
    EXPECT_TRUE(fs::exists(store_.BlobPath(file.sha256))) << file.path;
  }
  Progress progress = Progress::Disabled();
  EXPECT_TRUE(CheckPackageFiles(a.dir, a.manifest, progress).empty());
  pruned = PruneBlobs(store_);
  ASSERT_TRUE(pruned.ok());
  EXPECT_TRUE(pruned->removed.empty());
}

TEST_F(StoreAdminTest, PruneRefusesWhileATreeIsUnreadable) {
  const InstalledModel a = Install("a", "local/a@v1");
  testing::WriteFile(a.manifest_path, "not: a manifest\n");
  ASSERT_TRUE(Uninstall(store_, *ParseModelRef("local/a@v1"), false).status().code() !=
              StatusCode::kOk);  // Axon cannot read the tree either
  StatusOr<CleanResult> pruned = PruneBlobs(store_);
  EXPECT_EQ(pruned.status().code(), StatusCode::kFailedPrecondition);
  for (const ManifestFile& file : a.manifest.files) {
    EXPECT_TRUE(fs::exists(store_.BlobPath(file.sha256))) << file.path;
  }
}

TEST_F(StoreAdminTest, CleanRemovesLeftoversButNotWhileAnInstallRuns) {
  Install("a", "local/a@v1");
  testing::WriteFile(store_.TempRoot() + "/install-abc123/model.onnx", "half a model");
  testing::WriteFile(store_.TempRoot() + "/blob-xyz", "partial");
  {
    StatusOr<StoreLock> install_in_progress = StoreLock::Shared(home_.path());
    ASSERT_TRUE(install_in_progress.ok());
    EXPECT_EQ(CleanTemp(store_).status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(PruneBlobs(store_).status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(fs::exists(store_.TempRoot() + "/install-abc123/model.onnx"));
  }
  StatusOr<CleanResult> cleaned = CleanTemp(store_);
  ASSERT_TRUE(cleaned.ok()) << cleaned.status().ToString();
  EXPECT_EQ(cleaned->removed, (std::vector<std::string>{store_.TempRoot() + "/blob-xyz",
                                                        store_.TempRoot() + "/install-abc123"}));
  EXPECT_EQ(cleaned->bytes, 19u);
  EXPECT_TRUE(fs::is_empty(store_.TempRoot()));
  EXPECT_TRUE(store_.Find(*ParseModelRef("local/a@v1")).ok());
}

}  // namespace
}  // namespace mlos::axon
