#include "core/model_source.h"

#include <gtest/gtest.h>

#include "common/manifest.h"
#include "core/testing/test_files.h"

namespace mlos::core {
namespace {

using testing::FreshDirectory;
using testing::WriteFile;

TEST(ModelSourceTest, OnnxFileAndFolderWithOneOnnxFile) {
  const auto directory = FreshDirectory("source_onnx");
  const std::string file = WriteFile(directory / "model.onnx", "bytes");
  auto source = ResolveModelSource(file, "", "", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->load_path, file);
  EXPECT_EQ(source->execution_format, "onnx");
  EXPECT_TRUE(source->manifest_yaml.empty());

  source = ResolveModelSource(directory.string() + "/", "", "", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->source_path, directory.string());  // trailing '/' normalised away
  EXPECT_EQ(source->load_path, file);
}

TEST(ModelSourceTest, RelativePathsStartFromTheBaseFolder) {
  const auto directory = FreshDirectory("source_relative");
  WriteFile(directory / "m" / "a.echo", "{}");
  auto source = ResolveModelSource("m/a.echo", "", "", directory.string());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->load_path, (directory / "m" / "a.echo").string());
  EXPECT_EQ(source->execution_format, "echo");
}

TEST(ModelSourceTest, FolderErrorsNameTheFolder) {
  const auto directory = FreshDirectory("source_errors");
  EXPECT_EQ(ResolveModelSource(directory.string(), "", "", "").status().message(),
            directory.string() + " has no manifest.yaml and no .onnx file");
  WriteFile(directory / "b.onnx", "");
  WriteFile(directory / "a.onnx", "");
  EXPECT_EQ(ResolveModelSource(directory.string(), "", "", "").status().message(),
            directory.string() +
                " has several .onnx files (a.onnx, b.onnx) and no manifest.yaml "
                "to choose one");
  EXPECT_EQ(ResolveModelSource((directory / "missing").string(), "", "", "").status().message(),
            "path " + (directory / "missing").string() + " does not exist");
  EXPECT_NE(ResolveModelSource("", "", "", "").status().message().find("\"path\""),
            std::string::npos);
  const std::string archive = WriteFile(directory / "m.axon", "");
  EXPECT_NE(ResolveModelSource(archive, "", "", "").status().message().find(".axon archive"),
            std::string::npos);
}

Manifest PackageManifest() {
  Manifest manifest;
  manifest.name = "vector";
  manifest.namespace_ = "local";
  manifest.version = "latest";
  manifest.framework = "onnx";
  manifest.format_type = "echo";
  manifest.execution_format = "echo";
  manifest.files = {{"weights/extra.bin", 1, std::string(64, 'a')},
                    {"model/vector.echo", 2, std::string(64, 'b')}};
  manifest.execution_files = {{"model/vector.echo", "single"}};
  return manifest;
}

TEST(ModelSourceTest, PackageFolderUsesTheManifestsExecutionFile) {
  const auto directory = FreshDirectory("source_package");
  WriteFile(directory / "model" / "vector.echo", "{}");
  const std::string yaml = SerializeManifest(PackageManifest());
  WriteFile(directory / "manifest.yaml", yaml);
  auto source = ResolveModelSource(directory.string(), "", "", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->load_path, (directory / "model" / "vector.echo").string());
  EXPECT_EQ(source->execution_format, "echo");
  EXPECT_EQ(source->manifest_yaml, yaml);

  // The same package through an explicit manifest_path and the model file.
  source = ResolveModelSource((directory / "model" / "vector.echo").string(),
                              (directory / "manifest.yaml").string(), "", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->load_path, (directory / "model" / "vector.echo").string());
}

TEST(ModelSourceTest, AMissingExecutionFileIsNamed) {
  const auto directory = FreshDirectory("source_package_missing");
  WriteFile(directory / "manifest.yaml", SerializeManifest(PackageManifest()));
  EXPECT_EQ(ResolveModelSource(directory.string(), "", "", "").status().message(),
            "manifest " + (directory / "manifest.yaml").string() + ": execution file " +
                (directory / "model" / "vector.echo").string() + " does not exist");
}

TEST(ModelSourceTest, ABrokenManifestIsNamed) {
  const auto directory = FreshDirectory("source_bad_manifest");
  WriteFile(directory / "manifest.yaml", "apiVersion: [unclosed");
  auto source = ResolveModelSource(directory.string(), "", "", "");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      source.status().message().starts_with("manifest " + (directory / "manifest.yaml").string()))
      << source.status().message();
}

// An encoder-decoder package as Axon installs one from a hub: no "single" file.
Manifest TwoRolePackageManifest() {
  Manifest manifest = PackageManifest();
  manifest.files = {{"onnx/decoder_model.echo", 2, std::string(64, 'a')},
                    {"onnx/encoder_model.echo", 2, std::string(64, 'b')}};
  manifest.execution_files = {{"onnx/decoder_model.echo", "decoder"},
                              {"onnx/encoder_model.echo", "encoder"}};
  return manifest;
}

TEST(ModelSourceTest, ARoleChoosesItsExecutionFileAndNoRoleTheFirst) {
  const auto directory = FreshDirectory("source_roles");
  WriteFile(directory / "onnx" / "decoder_model.echo", "{}");
  WriteFile(directory / "onnx" / "encoder_model.echo", "{}");
  WriteFile(directory / "manifest.yaml", SerializeManifest(TwoRolePackageManifest()));
  for (const auto& [role, file] :
       {std::pair{"encoder", "encoder_model.echo"}, std::pair{"decoder", "decoder_model.echo"},
        std::pair{"", "decoder_model.echo"}}) {
    auto source = ResolveModelSource(directory.string(), "", role, "");
    ASSERT_TRUE(source.ok()) << role << ": " << source.status().ToString();
    EXPECT_EQ(source->load_path, (directory / "onnx" / file).string()) << role;
    EXPECT_EQ(source->source_path, directory.string());
  }
  // Through manifest_path as well.
  auto source = ResolveModelSource("", (directory / "manifest.yaml").string(), "encoder", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->load_path, (directory / "onnx" / "encoder_model.echo").string());
}

TEST(ModelSourceTest, SingleIsTheDefaultAmongRoles) {
  Manifest manifest = TwoRolePackageManifest();
  manifest.execution_files.push_back({"model/vector.echo", "single"});
  auto file = ExecutionFileFor(manifest, "");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->path, "model/vector.echo");
  file = ExecutionFileFor(manifest, "encoder");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->path, "onnx/encoder_model.echo");
}

TEST(ModelSourceTest, ARoleTheManifestLacksIsNamedWithTheRolesItHas) {
  const auto directory = FreshDirectory("source_roles_unknown");
  WriteFile(directory / "manifest.yaml", SerializeManifest(TwoRolePackageManifest()));
  const auto source = ResolveModelSource(directory.string(), "", "vision_encoder", "");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(source.status().message(),
            "manifest " + (directory / "manifest.yaml").string() +
                ": no execution file has role \"vision_encoder\"; the package's roles: decoder, "
                "encoder");
}

TEST(ModelSourceTest, ARoleWithoutAManifestIsRefused) {
  const auto directory = FreshDirectory("source_roles_no_manifest");
  const std::string file = WriteFile(directory / "model.onnx", "bytes");
  for (const std::string& path : {file, directory.string()}) {
    const auto source = ResolveModelSource(path, "", "encoder", "");
    ASSERT_FALSE(source.ok()) << path;
    EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(source.status().message(),
              "role \"encoder\" needs a package with a manifest that names its execution files "
              "by role; " +
                  path + " has no manifest.yaml");
  }
}

}  // namespace
}  // namespace mlos::core
