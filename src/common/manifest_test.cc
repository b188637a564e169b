#include "common/manifest.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace mlos {
namespace {

const std::string kSha = std::string(64, 'a');

Manifest ExampleManifest() {
  Manifest m;
  m.name = "tiny-mlp";
  m.namespace_ = "local";
  m.version = "latest";
  m.description = "a \"quoted\" description: with colons, 'quotes' and ünïcode";
  m.license = "apache-2.0";
  m.source = {"local", "/tmp/models/tiny mlp", "latest", ""};
  m.created = "2026-11-25T23:00:00Z";
  m.framework = "onnx";
  m.format_type = "onnx";
  m.execution_format = "onnx";
  m.files = {{"model.onnx", 1234, kSha}, {"data/weights.bin", 0, std::string(64, '0')}};
  m.execution_files = {{"model.onnx", "single"}};
  m.inputs = {{"input_ids", DataType::kInt64, {-1, 128}}, {"flag", DataType::kBool, {}}};
  m.outputs = {{"logits", DataType::kFloat32, {-1, 128, 30522}}};
  m.memory_bytes = 1234;
  m.disk_bytes = 1234;
  return m;
}

// Serializes the example, applies `edit` to the YAML text and parses it back.
StatusOr<Manifest> ParseEdited(const std::string& from, const std::string& to) {
  std::string text = SerializeManifest(ExampleManifest());
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "no \"" << from << "\" in:\n" << text;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return ParseManifest(text);
}

void ExpectError(const StatusOr<Manifest>& result, const std::string& message_prefix) {
  ASSERT_FALSE(result.ok()) << "expected an error starting with " << message_prefix;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message().rfind(message_prefix, 0), 0u) << result.status().message();
}

TEST(ManifestTest, RoundTripKeepsEveryField) {
  const Manifest original = ExampleManifest();
  StatusOr<Manifest> parsed = ParseManifest(SerializeManifest(original));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Manifest& m = *parsed;
  EXPECT_EQ(m.api_version, "axon.mlos.io/v1");
  EXPECT_EQ(m.kind, "Model");
  EXPECT_EQ(m.model_id(), "local/tiny-mlp@latest");
  EXPECT_EQ(m.description, original.description);
  EXPECT_EQ(m.license, original.license);
  EXPECT_EQ(m.source.hub, "local");
  EXPECT_EQ(m.source.repo, original.source.repo);
  EXPECT_EQ(m.source.revision, "latest");
  EXPECT_EQ(m.source.commit, "");
  EXPECT_EQ(m.created, original.created);
  EXPECT_EQ(m.framework, "onnx");
  EXPECT_EQ(m.format_type, "onnx");
  EXPECT_EQ(m.execution_format, "onnx");
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[1].path, "data/weights.bin");
  EXPECT_EQ(m.files[0].size, 1234u);
  EXPECT_EQ(m.files[0].sha256, kSha);
  ASSERT_EQ(m.execution_files.size(), 1u);
  EXPECT_EQ(m.execution_files[0].role, "single");
  ASSERT_EQ(m.inputs.size(), 2u);
  EXPECT_EQ(m.inputs[0].dtype, DataType::kInt64);
  EXPECT_EQ(m.inputs[0].shape, (Shape{-1, 128}));
  EXPECT_TRUE(m.inputs[1].shape.empty());
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].shape, (Shape{-1, 128, 30522}));
  EXPECT_EQ(m.memory_bytes, 1234u);
  EXPECT_EQ(m.disk_bytes, 1234u);
  // Serializing again gives the same text: the format is stable.
  EXPECT_EQ(SerializeManifest(m), SerializeManifest(original));
}

TEST(ManifestTest, NumericLookingStringsStayStrings) {
  Manifest m = ExampleManifest();
  m.version = "1.10";
  m.name = "007";
  StatusOr<Manifest> parsed = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->version, "1.10");
  EXPECT_EQ(parsed->name, "007");
}

TEST(ManifestTest, ExecutionFormatDefaultsToFormatType) {
  StatusOr<Manifest> parsed = ParseEdited("\n    execution_format: onnx", "");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->execution_format, "onnx");
}

TEST(ManifestTest, MissingFieldNamesItsPath) {
  ExpectError(ParseEdited("\n  namespace: local", ""), "metadata.namespace: required field");
  ExpectError(ParseEdited("framework: onnx", "other: onnx"), "spec.framework: required field");
  ExpectError(ParseEdited("\n        size: 0", ""), "spec.format.files[1].size: required field");
}

TEST(ManifestTest, BadSha256NamesItsPath) {
  ExpectError(ParseEdited(kSha, "abc123"),
              "spec.format.files[0].sha256: expected 64 lowercase hex");
  ExpectError(ParseEdited(kSha, std::string(64, 'A')), "spec.format.files[0].sha256");
}

TEST(ManifestTest, PathEscapingThePackageIsRefused) {
  ExpectError(ParseEdited("path: data/weights.bin", "path: ../weights.bin"),
              "spec.format.files[1].path: \"../weights.bin\" must stay inside the package");
  ExpectError(ParseEdited("path: data/weights.bin", "path: data/../../x"),
              "spec.format.files[1].path");
  ExpectError(ParseEdited("path: data/weights.bin", "path: /etc/passwd"),
              "spec.format.files[1].path: \"/etc/passwd\" is absolute");
}

TEST(ManifestTest, UnknownDtypeNamesItsPath) {
  ExpectError(ParseEdited("dtype: bool", "dtype: float128"),
              "spec.io.inputs[1].dtype: unknown dtype \"float128\"");
}

TEST(ManifestTest, OtherValidationErrors) {
  ExpectError(ParseEdited("axon.mlos.io/v1", "axon.mlos.io/v9"), "apiVersion: expected");
  ExpectError(ParseEdited("kind: Model", "kind: Dataset"), "kind: expected");
  ExpectError(ParseEdited("size: 1234", "size: -5"),
              "spec.format.files[0].size: expected an integer >= 0");
  ExpectError(ParseEdited("role: single", "role: sidecar"),
              "spec.format.execution_files[0].role: unknown role");
  ExpectError(ParseEdited("- path: model.onnx\n        role", "- path: other.onnx\n        role"),
              "spec.format.execution_files[0].path: \"other.onnx\" is not one of");
  ExpectError(ParseEdited("[-1, 128]", "[-2, 128]"),
              "spec.io.inputs[0].shape[0]: expected an integer >= -1");
  for (const char* bad :
       {"yesterday", "2026-11-25 23:00:00Z", "2026-11-25T23:00:00", "2026-11-25T23:00:00.Z",
        "2026-11-25T23:00:00+0100", "2026-11-25T23:00:00Zjunk"}) {
    ExpectError(ParseEdited("2026-11-25T23:00:00Z", bad), "metadata.created: expected an RFC 3339");
  }
  for (const char* good : {"2026-11-25T23:00:00.123456Z", "2026-11-25t23:00:00+01:00"}) {
    EXPECT_TRUE(ParseEdited("2026-11-25T23:00:00Z", good).ok()) << good;
  }
  ExpectError(ParseEdited("path: data/weights.bin", "path: model.onnx"),
              "spec.format.files[1].path: \"model.onnx\" is listed twice");
  ExpectError(ParseManifest("just a string"), "manifest: expected a YAML mapping");
  ExpectError(ParseManifest("a: [unclosed"), "manifest is not valid YAML (line");
}

TEST(ManifestTest, FileHelpersRoundTripAndNameTheFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("manifest_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "manifest.yaml").string();
  ASSERT_TRUE(WriteManifestFile(ExampleManifest(), path).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  StatusOr<Manifest> read = ReadManifestFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->model_id(), "local/tiny-mlp@latest");

  std::ofstream(path) << "apiVersion: axon.mlos.io/v1\nkind: Model\n";
  read = ReadManifestFile(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), path + ": metadata: required field is missing");

  read = ReadManifestFile((dir / "absent.yaml").string());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mlos
