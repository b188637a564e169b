#include "axon/package_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "axon/package_check.h"
#include "axon/store_admin.h"
#include "axon/test_models.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One entry of a hand-made (possibly hostile) tar.
struct TarEntry {
  std::string path{};
  mode_t type = AE_IFREG;
  std::string content{};
  std::string link{};  // link target
  bool hardlink = false;
};

enum class Compression { kZstd, kGzip };

void WriteTar(const std::string& path, const std::vector<TarEntry>& entries,
              Compression compression = Compression::kZstd) {
  archive* a = archive_write_new();
  if (compression == Compression::kZstd) {
    archive_write_add_filter_zstd(a);
  } else {
    archive_write_add_filter_gzip(a);
  }
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const TarEntry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_perm(entry, 0644);
    if (e.hardlink) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, e.link.c_str());
    } else {
      archive_entry_set_filetype(entry, e.type);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
      if (e.type == AE_IFREG)
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    }
    ASSERT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

class PackageArchiveTest : public ::testing::Test {
 protected:
  PackageArchiveTest() {
    testing::WriteTinyOnnxModel(source_.path() + "/tiny/model.onnx");
    testing::WriteFile(source_.path() + "/tiny/config/labels.txt", "cat\ndog\n");
  }

  InstalledModel InstallTiny() {
    InstallOptions options;
    options.as = *ParseModelRef("local/tiny@v1");
    StatusOr<InstallResult> result =
        InstallLocal(store_, source_.path() + "/tiny", options, progress_);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->model : InstalledModel{};
  }

  // A valid package archive of the installed tiny model, made by export + pack.
  std::string PackTiny() {
    const std::string dir = work_.path() + "/exported";
    EXPECT_TRUE(ExportModel(store_, *ParseModelRef("local/tiny@v1"), dir).ok());
    const std::string package_file = work_.path() + "/tiny.axon";
    StatusOr<Manifest> packed = PackPackage(dir, package_file, progress_);
    EXPECT_TRUE(packed.ok()) << packed.status().ToString();
    return package_file;
  }

  StatusOr<InstallResult> InstallArchive(const std::string& package_file, bool force = false) {
    InstallOptions options;
    options.force = force;
    return InstallPackageArchive(store_, package_file, options, progress_);
  }

  // Nothing of a refused install may remain: no model, nothing staged.
  void ExpectStoreUntouched() {
    EXPECT_TRUE(store_.List().models.empty());
    std::error_code error;
    EXPECT_TRUE(!fs::exists(store_.TempRoot()) || fs::is_empty(store_.TempRoot()));
  }

  testing::TempDir home_;
  testing::TempDir source_;
  testing::TempDir work_;
  Store store_{home_.path()};
  Progress progress_ = Progress::Disabled();
};

TEST_F(PackageArchiveTest, RoundTripInstallExportPackInstallVerify) {
  const InstalledModel original = InstallTiny();
  const std::string package_file = PackTiny();

  // Export wrote real files, not links into the blob store, and they are writable.
  const std::string exported = work_.path() + "/exported/model.onnx";
  struct stat info {};
  ASSERT_EQ(::stat(exported.c_str(), &info), 0);
  EXPECT_EQ(info.st_nlink, 1u);
  EXPECT_TRUE(info.st_mode & S_IWUSR);

  // The archive starts with manifest.yaml.
  {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_filter_zstd(a.get());
    archive_read_support_format_tar(a.get());
    ASSERT_EQ(archive_read_open_filename(a.get(), package_file.c_str(), 1 << 16), ARCHIVE_OK);
    archive_entry* entry = nullptr;
    ASSERT_EQ(archive_read_next_header(a.get(), &entry), ARCHIVE_OK);
    EXPECT_STREQ(archive_entry_pathname(entry), "manifest.yaml");
  }

  ASSERT_TRUE(Uninstall(store_, *ParseModelRef("local/tiny@v1"), false).ok());
  StatusOr<InstallResult> installed = InstallArchive(package_file);
  ASSERT_TRUE(installed.ok()) << installed.status().ToString();
  EXPECT_EQ(installed->outcome, InstallOutcome::kInstalled);
  const InstalledModel& model = installed->model;
  EXPECT_EQ(model.manifest.model_id(), "local/tiny@v1");
  EXPECT_EQ(model.manifest.files.size(), original.manifest.files.size());
  EXPECT_EQ(model.manifest.inputs.size(), original.manifest.inputs.size());
  EXPECT_TRUE(CheckPackageFiles(model.dir, model.manifest, progress_).empty());
  EXPECT_NE(ReadText(model.dir + "/.axon_metadata.json").find("axon-package"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(store_.TempRoot()));

  // Installing it again is a no-op; under another id it is a second model.
  EXPECT_EQ(InstallArchive(package_file)->outcome, InstallOutcome::kUnchanged);
  InstallOptions as;
  as.as = *ParseModelRef("team/renamed@v2");
  StatusOr<InstallResult> renamed = InstallPackageArchive(store_, package_file, as, progress_);
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(renamed->model.manifest.model_id(), "team/renamed@v2");
}

TEST_F(PackageArchiveTest, ReadsTarGz) {
  InstallTiny();
  const std::string dir = work_.path() + "/exported";
  ASSERT_TRUE(ExportModel(store_, *ParseModelRef("local/tiny@v1"), dir).ok());
  ASSERT_TRUE(Uninstall(store_, *ParseModelRef("local/tiny@v1"), false).ok());
  const std::string package_file = work_.path() + "/tiny.tar.gz";
  WriteTar(package_file,
           {{"./", AE_IFDIR},
            {"./manifest.yaml", AE_IFREG, ReadText(dir + "/manifest.yaml")},
            {"./config/", AE_IFDIR},
            {"./config/labels.txt", AE_IFREG, ReadText(dir + "/config/labels.txt")},
            {"./model.onnx", AE_IFREG, ReadText(dir + "/model.onnx")}},
           Compression::kGzip);
  StatusOr<InstallResult> installed = InstallArchive(package_file);
  ASSERT_TRUE(installed.ok()) << installed.status().ToString();
  EXPECT_EQ(installed->model.manifest.model_id(), "local/tiny@v1");
}

TEST_F(PackageArchiveTest, PackRefusesAPackageThatDiffersFromItsManifest) {
  InstallTiny();
  const std::string dir = work_.path() + "/exported";
  ASSERT_TRUE(ExportModel(store_, *ParseModelRef("local/tiny@v1"), dir).ok());
  testing::WriteFile(dir + "/config/labels.txt", "cat\nemu\n");  // same size, other bytes
  testing::WriteFile(dir + "/extra.bin", "x");
  StatusOr<Manifest> packed = PackPackage(dir, work_.path() + "/bad.axon", progress_);
  ASSERT_EQ(packed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(packed.status().message().find("config/labels.txt: sha256 is"), std::string::npos)
      << packed.status().message();
  EXPECT_NE(packed.status().message().find("extra.bin: not listed"), std::string::npos);
  EXPECT_FALSE(fs::exists(work_.path() + "/bad.axon"));
  // Only the package folder is there: no archive, no temporary file.
  EXPECT_EQ(std::distance(fs::directory_iterator(work_.path()), fs::directory_iterator()), 1);
  // no_dir/ has no manifest
  EXPECT_FALSE(PackPackage(source_.path() + "/tiny", work_.path() + "/x.axon", progress_).ok());
}

TEST_F(PackageArchiveTest, ExportRefusesANonEmptyDirectory) {
  InstallTiny();
  testing::WriteFile(work_.path() + "/full/keep.txt", "mine");
  EXPECT_EQ(
      ExportModel(store_, *ParseModelRef("local/tiny@v1"), work_.path() + "/full").status().code(),
      StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadText(work_.path() + "/full/keep.txt"), "mine");
  EXPECT_EQ(
      ExportModel(store_, *ParseModelRef("local/none@v1"), work_.path() + "/n").status().code(),
      StatusCode::kNotFound);
}

TEST_F(PackageArchiveTest, RefusesAnArchiveWhoseFilesDifferFromItsManifest) {
  InstallTiny();
  const std::string dir = work_.path() + "/exported";
  ASSERT_TRUE(ExportModel(store_, *ParseModelRef("local/tiny@v1"), dir).ok());
  ASSERT_TRUE(Uninstall(store_, *ParseModelRef("local/tiny@v1"), false).ok());
  const std::string manifest = ReadText(dir + "/manifest.yaml");
  const std::string model = ReadText(dir + "/model.onnx");
  const std::string package_file = work_.path() + "/tampered.axon";

  WriteTar(package_file, {{"manifest.yaml", AE_IFREG, manifest},
                          {"config/labels.txt", AE_IFREG, "cat\nemu\n"},
                          {"model.onnx", AE_IFREG, model}});
  StatusOr<InstallResult> result = InstallArchive(package_file);
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("config/labels.txt: sha256"), std::string::npos)
      << result.status().message();
  ExpectStoreUntouched();

  WriteTar(package_file, {{"manifest.yaml", AE_IFREG, manifest},
                          {"config/labels.txt", AE_IFREG, "cat\ndog\nand a much longer tail"}});
  result = InstallArchive(package_file);
  EXPECT_NE(result.status().message().find("more bytes than the package's manifest lists"),
            std::string::npos)
      << result.status().message();
  ExpectStoreUntouched();

  WriteTar(package_file, {{"manifest.yaml", AE_IFREG, manifest}, {"model.onnx", AE_IFREG, model}});
  result = InstallArchive(package_file);
  EXPECT_NE(result.status().message().find("config/labels.txt: missing"), std::string::npos)
      << result.status().message();
  ExpectStoreUntouched();

  WriteTar(package_file, {{"model.onnx", AE_IFREG, model}});
  result = InstallArchive(package_file);
  EXPECT_NE(result.status().message().find("no manifest.yaml"), std::string::npos);
  ExpectStoreUntouched();

  testing::WriteFile(package_file, "not an archive at all");
  EXPECT_EQ(InstallArchive(package_file).status().code(), StatusCode::kInvalidArgument);
  ExpectStoreUntouched();
}

TEST_F(PackageArchiveTest, RefusesHostileArchivesAndWritesNothingOutside) {
  InstallTiny();
  const std::string dir = work_.path() + "/exported";
  ASSERT_TRUE(ExportModel(store_, *ParseModelRef("local/tiny@v1"), dir).ok());
  ASSERT_TRUE(Uninstall(store_, *ParseModelRef("local/tiny@v1"), false).ok());
  const std::string manifest = ReadText(dir + "/manifest.yaml");
  // Targets a hostile archive aims at: beside the store's tmp/, and an absolute path.
  const std::string outside = home_.path() + "/cache/evil";
  const std::string absolute = work_.path() + "/absolute-evil";

  const std::vector<std::pair<std::string, TarEntry>> hostile{
      {"dot-dot", {"../evil", AE_IFREG, "pwned"}},
      {"nested dot-dot", {"config/../../../evil", AE_IFREG, "pwned"}},
      {"absolute", {absolute, AE_IFREG, "pwned"}},
      {"symlink", {"link", AE_IFLNK, "", work_.path()}},
      {"hardlink", {"hard", AE_IFREG, "", absolute, true}},
      {"fifo", {"pipe", AE_IFIFO}},
      {"duplicate", {"manifest.yaml", AE_IFREG, "kind: Other\n"}},
      {"unlisted", {"notes/extra.txt", AE_IFREG, "not in the manifest"}},
  };
  // Each entry after the manifest (refused as unlisted, or for itself) and before it (where only
  // the entry's own check can refuse it).
  for (const bool manifest_first : {true, false}) {
    for (const auto& [what, entry] : hostile) {
      if (!manifest_first && what == "unlisted") continue;
      SCOPED_TRACE(what + (manifest_first ? " after the manifest" : " before the manifest"));
      const std::string package_file = work_.path() + "/hostile.axon";
      const TarEntry manifest_entry{"manifest.yaml", AE_IFREG, manifest};
      WriteTar(package_file, manifest_first ? std::vector<TarEntry>{manifest_entry, entry}
                                            : std::vector<TarEntry>{entry, manifest_entry});
      StatusOr<InstallResult> result = InstallArchive(package_file);
      ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(result.status().message().find("refusing the archive"), std::string::npos)
          << result.status().message();
      EXPECT_FALSE(fs::exists(fs::symlink_status(outside)));
      EXPECT_FALSE(fs::exists(fs::symlink_status(absolute)));
      EXPECT_FALSE(fs::exists(fs::symlink_status(home_.path() + "/evil")));
      ExpectStoreUntouched();
    }
  }

  // A symlink followed by a file written "through" it: refused at the link, nothing written.
  const std::string package_file = work_.path() + "/through.axon";
  WriteTar(package_file, {{"manifest.yaml", AE_IFREG, manifest},
                          {"escape", AE_IFLNK, "", work_.path()},
                          {"escape/absolute-evil", AE_IFREG, "pwned"}});
  EXPECT_FALSE(InstallArchive(package_file).ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(absolute)));
  ExpectStoreUntouched();
}

TEST(PackageArchivePathTest, KnowsArchiveExtensions) {
  EXPECT_TRUE(IsPackageArchivePath("m.axon"));
  EXPECT_TRUE(IsPackageArchivePath("/x/m.tar.gz"));
  EXPECT_TRUE(IsPackageArchivePath("m.tgz"));
  EXPECT_FALSE(IsPackageArchivePath("m.onnx"));
  EXPECT_FALSE(IsPackageArchivePath(".axon"));
  EXPECT_FALSE(IsPackageArchivePath("models/dir"));
}

}  // namespace
}  // namespace mlos::axon
