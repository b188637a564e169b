#include "axon/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "axon/test_models.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// sha256("hello\n").
constexpr char kHelloSha[] = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

Manifest ManifestFor(const std::string& id, const std::vector<ManifestFile>& files) {
  Manifest m;
  StatusOr<ModelRef> ref = ParseModelRef(id);
  m.namespace_ = ref->namespace_;
  m.name = ref->name;
  m.version = ref->version;
  m.framework = m.format_type = m.execution_format = "onnx";
  m.files = files;
  return m;
}

size_t CountEntries(const std::string& dir) {
  std::error_code ignored;
  if (!fs::exists(dir, ignored)) return 0;
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

class StoreTest : public ::testing::Test {
 protected:
  testing::TempDir home_;
  testing::TempDir source_;
  Store store_{home_.path()};
};

TEST_F(StoreTest, InstallsFilesAsLinksToBlobs) {
  testing::WriteFile(source_.path() + "/hello.txt", "hello\n");
  const std::vector<StoreFile> files = {
      {source_.path() + "/hello.txt", "sub/hello.txt", kHelloSha}};
  StatusOr<InstallOutcome> outcome = store_.Install(
      ManifestFor("local/a@1", {{"sub/hello.txt", 6, kHelloSha}}), files, "{}\n", false);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(*outcome, InstallOutcome::kInstalled);
  const std::string dir = home_.path() + "/cache/models/local/a/1";
  EXPECT_TRUE(fs::equivalent(dir + "/sub/hello.txt", store_.BlobPath(kHelloSha)));
  EXPECT_TRUE(fs::exists(dir + "/manifest.yaml"));
  EXPECT_TRUE(fs::exists(dir + "/.axon_metadata.json"));
  EXPECT_EQ(CountEntries(home_.path() + "/cache/tmp"), 0u);
  // Readable by other users (Core may run as one).
  EXPECT_EQ(fs::status(dir).permissions() & fs::perms::others_read, fs::perms::others_read);
}

TEST_F(StoreTest, FailedInstallLeavesNothingBehind) {
  testing::WriteFile(source_.path() + "/hello.txt", "hello\n");
  const std::string missing_sha(64, 'b');
  const std::vector<StoreFile> files = {
      {source_.path() + "/hello.txt", "hello.txt", kHelloSha},
      {source_.path() + "/vanished.bin", "vanished.bin", missing_sha}};
  StatusOr<InstallOutcome> outcome = store_.Install(
      ManifestFor("local/a@1", {{"hello.txt", 6, kHelloSha}, {"vanished.bin", 1, missing_sha}}),
      files, "{}\n", false);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("vanished.bin"), std::string::npos);
  EXPECT_FALSE(fs::exists(home_.path() + "/cache/models/local/a"));
  EXPECT_EQ(CountEntries(home_.path() + "/cache/tmp"), 0u);
  EXPECT_TRUE(store_.List().models.empty());
}

TEST_F(StoreTest, SourceThatChangedAfterHashingIsRefused) {
  testing::WriteFile(source_.path() + "/hello.txt", "HELLO\n");
  StatusOr<InstallOutcome> outcome = store_.Install(
      ManifestFor("local/a@1", {{"hello.txt", 6, kHelloSha}}),
      std::vector<StoreFile>{{source_.path() + "/hello.txt", "hello.txt", kHelloSha}}, "{}\n",
      false);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("changed while it was being installed"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(store_.BlobPath(kHelloSha)));
  EXPECT_FALSE(fs::exists(home_.path() + "/cache/models/local/a"));
}

TEST_F(StoreTest, ConcurrentInstallsOfOneIdAllSucceedWithSameContent) {
  testing::WriteFile(source_.path() + "/hello.txt", "hello\n");
  const Manifest manifest = ManifestFor("local/a@1", {{"hello.txt", 6, kHelloSha}});
  const std::vector<StoreFile> files = {{source_.path() + "/hello.txt", "hello.txt", kHelloSha}};
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (!store_.Install(manifest, files, "{}\n", false).ok()) ++failures;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(store_.List().models.size(), 1u);
  EXPECT_EQ(CountEntries(home_.path() + "/cache/tmp"), 0u);
}

TEST_F(StoreTest, FindAndListReportMissingAndBrokenModels) {
  StatusOr<InstalledModel> found = store_.Find(*ParseModelRef("local/none@latest"));
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kNotFound);
  EXPECT_NE(found.status().message().find("local/none@latest is not installed"), std::string::npos);

  testing::WriteFile(home_.path() + "/cache/models/local/broken/latest/manifest.yaml", "kind: [");
  const StoreListing listing = store_.List();
  EXPECT_TRUE(listing.models.empty());
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_NE(listing.problems[0].find("broken/latest"), std::string::npos);
}

}  // namespace
}  // namespace mlos::axon
