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

ManifestPreprocessing ExamplePreprocessing() {
  ManifestPreprocessing p;
  p.sources = {"model.onnx"};
  p.model.model_type = "vit";
  p.model.architectures = {"ViTForImageClassification"};
  // Labels that YAML would read as other types unless quoted.
  p.model.labels = {"null", "~", "true", "123", "a: b", "[x]", "", "ünï"};
  p.model.num_labels = p.model.labels.size();
  p.model.max_position_embeddings = 512;
  ManifestImagePreprocessing& image = p.image.emplace();
  image.processor = "ViTImageProcessor";
  image.do_resize = true;
  image.size = {224, 224, 0, 0};
  image.resample = 2;
  image.do_center_crop = false;
  image.crop_size = {0, 0, 256, 0};
  image.do_rescale = true;
  image.rescale_factor = 1.0 / 255;
  image.do_normalize = true;
  image.image_mean = {0.485, 0.456, 0.406};
  image.image_std = {0.229, 0.224, 0.225};
  image.channel_order = "RGB";
  image.data_format = "channels_first";
  ManifestTextPreprocessing& text = p.text.emplace();
  text.tokenizer_class = "BertTokenizer";
  text.model = "WordPiece";
  text.max_length = 512;
  text.padding_side = "right";
  text.truncation_side = "left";
  text.lowercase = false;
  text.vocab_size = 30522;
  text.special_tokens = {{"cls", {"[CLS]", 101}}, {"pad", {"[PAD]", 0}}, {"eos", {"</s>", -1}}};
  return p;
}

StatusOr<Manifest> ParseEditedHints(const std::string& from, const std::string& to) {
  Manifest m = ExampleManifest();
  m.preprocessing = ExamplePreprocessing();
  std::string text = SerializeManifest(m);
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "no \"" << from << "\" in:\n" << text;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return ParseManifest(text);
}

TEST(ManifestTest, PreprocessingRoundTripsExactly) {
  Manifest original = ExampleManifest();
  original.preprocessing = ExamplePreprocessing();
  const std::string text = SerializeManifest(original);
  EXPECT_NE(text.find("rescale_factor: 0.00392156862745098"), std::string::npos) << text;
  EXPECT_NE(text.find("image_mean: [0.485, 0.456, 0.406]"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(labels: ["null", "~", "true", "123", "a: b")"), std::string::npos) << text;
  StatusOr<Manifest> parsed = ParseManifest(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << text;
  ASSERT_TRUE(parsed->preprocessing.has_value());
  const ManifestPreprocessing& p = *parsed->preprocessing;
  const ManifestPreprocessing expected = ExamplePreprocessing();
  EXPECT_EQ(p.sources, expected.sources);
  EXPECT_EQ(p.model.model_type, "vit");
  EXPECT_EQ(p.model.architectures, expected.model.architectures);
  EXPECT_EQ(p.model.labels, expected.model.labels);
  EXPECT_EQ(p.model.num_labels, expected.model.labels.size());
  EXPECT_EQ(p.model.max_position_embeddings, 512u);
  ASSERT_TRUE(p.image.has_value());
  EXPECT_EQ(p.image->processor, "ViTImageProcessor");
  EXPECT_EQ(p.image->do_resize, true);
  EXPECT_EQ(p.image->size.height, 224u);
  EXPECT_EQ(p.image->size.width, 224u);
  EXPECT_EQ(p.image->resample, 2);
  EXPECT_EQ(p.image->do_center_crop, false);
  EXPECT_EQ(p.image->crop_size.shortest_edge, 256u);
  EXPECT_EQ(p.image->rescale_factor, 1.0 / 255);  // bit-exact
  EXPECT_EQ(p.image->image_mean, expected.image->image_mean);
  EXPECT_EQ(p.image->image_std, expected.image->image_std);
  EXPECT_EQ(p.image->channel_order, "RGB");
  EXPECT_EQ(p.image->data_format, "channels_first");
  ASSERT_TRUE(p.text.has_value());
  EXPECT_EQ(p.text->tokenizer_class, "BertTokenizer");
  EXPECT_EQ(p.text->model, "WordPiece");
  EXPECT_EQ(p.text->max_length, 512u);
  EXPECT_EQ(p.text->padding_side, "right");
  EXPECT_EQ(p.text->truncation_side, "left");
  EXPECT_EQ(p.text->lowercase, false);
  EXPECT_EQ(p.text->vocab_size, 30522u);
  ASSERT_EQ(p.text->special_tokens.size(), 3u);
  EXPECT_EQ(p.text->special_tokens.at("cls").token, "[CLS]");
  EXPECT_EQ(p.text->special_tokens.at("cls").id, 101);
  EXPECT_EQ(p.text->special_tokens.at("pad").id, 0);
  EXPECT_EQ(p.text->special_tokens.at("eos").id, -1);
  EXPECT_EQ(SerializeManifest(*parsed), text);
}

TEST(ManifestTest, PreprocessingIsOptionalAndLeavesOutWhatIsNotStated) {
  Manifest m = ExampleManifest();
  EXPECT_EQ(SerializeManifest(m).find("preprocessing"), std::string::npos);
  m.preprocessing.emplace().sources = {"model.onnx"};
  m.preprocessing->text.emplace().vocab_size = 7;
  const std::string text = SerializeManifest(m);
  EXPECT_EQ(text.find("model:"), std::string::npos) << text;
  EXPECT_EQ(text.find("image:"), std::string::npos) << text;
  StatusOr<Manifest> parsed = ParseManifest(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->preprocessing && parsed->preprocessing->text);
  EXPECT_FALSE(parsed->preprocessing->image.has_value());
  EXPECT_EQ(parsed->preprocessing->text->vocab_size, 7u);
  EXPECT_FALSE(parsed->preprocessing->text->lowercase.has_value());
  EXPECT_EQ(parsed->preprocessing->text->max_length, 0u);
}

TEST(ManifestTest, PreprocessingBadTypesNameTheKey) {
  const std::string at = "spec.io.preprocessing";
  ExpectError(ParseEditedHints(R"(sources: ["model.onnx"])", "sources: [other.json]"),
              at + ".sources[0]: \"other.json\" is not one of spec.format.files");
  ExpectError(ParseEditedHints(R"(sources: ["model.onnx"])", "sources: []"),
              at + ".sources: required field is missing or empty");
  ExpectError(ParseEditedHints(R"(sources: ["model.onnx"])", "sources: model.onnx"),
              at + ".sources: expected a list");
  ExpectError(ParseEditedHints("num_labels: 8", "num_labels: many"),
              at + ".model.num_labels: expected an integer >= 0");
  ExpectError(ParseEditedHints("num_labels: 8", "num_labels: 3"),
              at + ".model.labels: 8 labels for num_labels 3");
  ExpectError(
      ParseEditedHints("architectures: [\"ViTForImageClassification\"]", "architectures: [{a: 1}]"),
      at + ".model.architectures[0]: expected a string");
  ExpectError(ParseEditedHints("do_resize: true", "do_resize: sometimes"),
              at + ".image.do_resize: expected true or false");
  ExpectError(ParseEditedHints("{height: 224, width: 224}", "{height: 224}"),
              at + ".image.size: height and width come together");
  ExpectError(ParseEditedHints("{height: 224, width: 224}", "{height: 0, width: 224}"),
              at + ".image.size.height: expected an integer >= 1");
  ExpectError(ParseEditedHints("{height: 224, width: 224}", "224"),
              at + ".image.size: expected a mapping");
  ExpectError(ParseEditedHints("rescale_factor: 0.00392156862745098", "rescale_factor: .nan"),
              at + ".image.rescale_factor: expected a finite number");
  ExpectError(ParseEditedHints("rescale_factor: 0.00392156862745098", "rescale_factor: -1"),
              at + ".image.rescale_factor: expected a number > 0");
  ExpectError(ParseEditedHints("[0.485, 0.456, 0.406]", "[0.485, x, 0.406]"),
              at + ".image.image_mean[1]: expected a finite number, got \"x\"");
  ExpectError(ParseEditedHints("[0.229, 0.224, 0.225]", "[0.229, 0.224]"),
              at + ".image.image_std: 2 values for 3 in image_mean");
  ExpectError(ParseEditedHints("[0.229, 0.224, 0.225]", "[0.229, 0, 0.225]"),
              at + ".image.image_std[1]: must not be 0");
  ExpectError(ParseEditedHints("channel_order: RGB", "channel_order: CMYK"),
              at + ".image.channel_order: expected RGB or BGR, got \"CMYK\"");
  ExpectError(ParseEditedHints("data_format: channels_first", "data_format: NCHW"),
              at + ".image.data_format: expected channels_first or channels_last");
  ExpectError(ParseEditedHints("padding_side: right", "padding_side: middle"),
              at + ".text.padding_side: expected left or right");
  ExpectError(ParseEditedHints("vocab_size: 30522", "vocab_size: [1]"),
              at + ".text.vocab_size: expected an integer");
  ExpectError(ParseEditedHints("{token: \"[CLS]\", id: 101}", "{token: \"[CLS]\", id: -3}"),
              at + ".text.special_tokens.cls.id: expected an integer >= 0");
  ExpectError(ParseEditedHints("{token: \"[CLS]\", id: 101}", "[CLS]"),
              at + ".text.special_tokens.cls: expected a mapping");
  ExpectError(ParseEditedHints("{token: \"[CLS]\", id: 101}", "{}"),
              at + ".text.special_tokens.cls: expected a token, an id or both");
  ExpectError(ParseEditedHints("    cls:", "    Bad Role:"),
              at + ".text.special_tokens: \"Bad Role\" is not a role name");
  ExpectError(ParseEditedHints("preprocessing:", "preprocessing: [1]\n    x:"),
              "spec.io.preprocessing: expected a mapping");
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
