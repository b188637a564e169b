#include "axon/preprocessing_hints.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mlos::axon {
namespace {

constexpr const char* kBertConfig = R"({
  "model_type": "bert", "architectures": ["BertForSequenceClassification"],
  "id2label": {"1": "POSITIVE", "0": "NEGATIVE"}, "max_position_embeddings": 512,
  "pad_token_id": 0, "vocab_size": 30522})";

constexpr const char* kBertTokenizerConfig = R"({
  "tokenizer_class": "BertTokenizer", "do_lower_case": true, "model_max_length": 512,
  "padding_side": "right", "truncation_side": "left",
  "cls_token": "[CLS]", "sep_token": {"content": "[SEP]", "lstrip": false},
  "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]"})";

constexpr const char* kBertTokenizerJson = R"({
  "version": "1.0",
  "added_tokens": [{"id": 0, "content": "[PAD]"}, {"id": 101, "content": "[CLS]"},
                   {"id": 102, "content": "[SEP]"}, {"id": 103, "content": "[MASK]"}],
  "normalizer": {"type": "BertNormalizer", "lowercase": true},
  "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]},
  "model": {"type": "WordPiece", "unk_token": "[UNK]",
            "vocab": {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103,
                      "hello": 7592, "world": 2088}}})";

constexpr const char* kVitPreprocessor = R"({
  "image_processor_type": "ViTImageProcessor", "do_resize": true,
  "size": {"height": 224, "width": 224}, "resample": 2, "do_rescale": true,
  "rescale_factor": 0.00392156862745098, "do_normalize": true,
  "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]})";

TEST(PreprocessingHintsTest, TextModelFromConfigAndTokenizerFiles) {
  const std::optional<ManifestPreprocessing> hints =
      ExtractPreprocessingHints({{"config.json", kBertConfig},
                                 {"tokenizer_config.json", kBertTokenizerConfig},
                                 {"tokenizer.json", kBertTokenizerJson}});
  ASSERT_TRUE(hints.has_value());
  EXPECT_EQ(hints->sources,
            (std::vector<std::string>{"config.json", "tokenizer_config.json", "tokenizer.json"}));
  EXPECT_EQ(hints->model.model_type, "bert");
  EXPECT_EQ(hints->model.architectures,
            (std::vector<std::string>{"BertForSequenceClassification"}));
  EXPECT_EQ(hints->model.labels, (std::vector<std::string>{"NEGATIVE", "POSITIVE"}));
  EXPECT_EQ(hints->model.num_labels, 2u);
  EXPECT_EQ(hints->model.max_position_embeddings, 512u);
  EXPECT_FALSE(hints->image.has_value());
  ASSERT_TRUE(hints->text.has_value());
  const ManifestTextPreprocessing& text = *hints->text;
  EXPECT_EQ(text.tokenizer_class, "BertTokenizer");
  EXPECT_EQ(text.model, "WordPiece");
  EXPECT_EQ(text.max_length, 512u);
  EXPECT_EQ(text.padding_side, "right");
  EXPECT_EQ(text.truncation_side, "left");
  EXPECT_EQ(text.lowercase, true);
  EXPECT_EQ(text.vocab_size, 7593u);  // largest id + 1
  ASSERT_EQ(text.special_tokens.size(), 5u);
  EXPECT_EQ(text.special_tokens.at("cls").token, "[CLS]");
  EXPECT_EQ(text.special_tokens.at("cls").id, 101);
  EXPECT_EQ(text.special_tokens.at("sep").token, "[SEP]");  // from an AddedToken object
  EXPECT_EQ(text.special_tokens.at("sep").id, 102);
  EXPECT_EQ(text.special_tokens.at("pad").id, 0);
  EXPECT_EQ(text.special_tokens.at("unk").id, 100);  // from the model's vocabulary
  EXPECT_EQ(text.special_tokens.at("mask").id, 103);
}

TEST(PreprocessingHintsTest, TokenizerJsonAloneFillsTheGaps) {
  // No tokenizer_config.json: padding, truncation, [CLS]/[SEP] and lowercasing from tokenizer.json.
  const std::optional<ManifestPreprocessing> hints =
      ExtractPreprocessingHints({{"tokenizer.json", R"({
    "truncation": {"max_length": 128}, "padding": {"direction": "Left", "pad_token": "<pad>"},
    "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}]},
    "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0]},
    "model": {"type": "Unigram", "vocab": [["<s>", 0], ["<pad>", 0], ["</s>", 0], ["a", -1.5]]}})"}});
  ASSERT_TRUE(hints && hints->text);
  EXPECT_EQ(hints->sources, (std::vector<std::string>{"tokenizer.json"}));
  const ManifestTextPreprocessing& text = *hints->text;
  EXPECT_EQ(text.model, "Unigram");
  EXPECT_EQ(text.vocab_size, 4u);
  EXPECT_EQ(text.max_length, 128u);
  EXPECT_EQ(text.padding_side, "left");
  EXPECT_EQ(text.lowercase, true);
  EXPECT_EQ(text.special_tokens.at("pad").id, 1);  // a Unigram id is the entry's index
  EXPECT_EQ(text.special_tokens.at("cls").token, "<s>");
  EXPECT_EQ(text.special_tokens.at("sep").id, 2);
}

TEST(PreprocessingHintsTest, ImageModelFromPreprocessorConfig) {
  const std::optional<ManifestPreprocessing> hints =
      ExtractPreprocessingHints({{"preprocessor_config.json", kVitPreprocessor}});
  ASSERT_TRUE(hints && hints->image);
  EXPECT_FALSE(hints->text.has_value());
  const ManifestImagePreprocessing& image = *hints->image;
  EXPECT_EQ(image.processor, "ViTImageProcessor");
  EXPECT_EQ(image.do_resize, true);
  EXPECT_EQ(image.size.height, 224u);
  EXPECT_EQ(image.size.width, 224u);
  EXPECT_EQ(image.resample, 2);
  EXPECT_EQ(image.rescale_factor, 0.00392156862745098);
  EXPECT_EQ(image.do_normalize, true);
  EXPECT_EQ(image.image_mean, (std::vector<double>{0.5, 0.5, 0.5}));
  EXPECT_EQ(image.channel_order, "RGB");
  EXPECT_EQ(image.data_format, "channels_first");
  EXPECT_FALSE(image.do_center_crop.has_value());
}

TEST(PreprocessingHintsTest, LegacyNumericSizesFollowHuggingFaceRules) {
  // CLIP style: a bare size with a center crop is the shortest edge; a bare crop is a square.
  std::optional<ManifestPreprocessing> hints = ExtractPreprocessingHints(
      {{"preprocessor_config.json", R"({"feature_extractor_type": "CLIPFeatureExtractor",
        "size": 224, "crop_size": 224, "do_center_crop": true, "data_format": "channels_last"})"}});
  ASSERT_TRUE(hints && hints->image);
  EXPECT_EQ(hints->image->processor, "CLIPFeatureExtractor");
  EXPECT_EQ(hints->image->size.shortest_edge, 224u);
  EXPECT_EQ(hints->image->size.height, 0u);
  EXPECT_EQ(hints->image->crop_size.height, 224u);
  EXPECT_EQ(hints->image->data_format, "channels_last");
  // Without a crop a bare size is a square.
  hints = ExtractPreprocessingHints({{"preprocessor_config.json", R"({"size": 384})"}});
  ASSERT_TRUE(hints && hints->image);
  EXPECT_EQ(hints->image->size.height, 384u);
  EXPECT_EQ(hints->image->size.width, 384u);
}

TEST(PreprocessingHintsTest, WrongTypesAreSkippedOneByOne) {
  const std::optional<ManifestPreprocessing> hints = ExtractPreprocessingHints(
      {{"config.json", R"({"model_type": 7, "architectures": ["Ok", 3, {"x": 1}, "Also\u0001bad"],
          "id2label": {"0": "a", "2": "c"}, "num_labels": -3, "max_position_embeddings": 1e30})"},
       {"preprocessor_config.json", R"({"do_resize": "yes", "size": {"height": 224},
          "resample": 99, "rescale_factor": -1, "do_normalize": true,
          "image_mean": [0.5, "x", 0.5], "image_std": [0.1, 0.2, 0.3]})"},
       {"tokenizer_config.json", R"({"model_max_length": 1000000000000000019884624838656,
          "padding_side": "middle", "do_lower_case": "true", "cls_token": 5,
          "tokenizer_class": "BertTokenizer"})"}});
  ASSERT_TRUE(hints.has_value());
  EXPECT_EQ(hints->model.model_type, "");
  EXPECT_EQ(hints->model.architectures, (std::vector<std::string>{"Ok"}));
  EXPECT_EQ(hints->model.num_labels, 0u);  // ids 0 and 2: not a label list; -3 not a count
  EXPECT_TRUE(hints->model.labels.empty());
  EXPECT_EQ(hints->model.max_position_embeddings, 0u);
  ASSERT_TRUE(hints->image.has_value());
  EXPECT_FALSE(hints->image->do_resize.has_value());
  EXPECT_TRUE(hints->image->size.empty());
  EXPECT_EQ(hints->image->resample, -1);
  EXPECT_FALSE(hints->image->rescale_factor.has_value());
  EXPECT_TRUE(hints->image->image_mean.empty());
  EXPECT_EQ(hints->image->image_std, (std::vector<double>{0.1, 0.2, 0.3}));
  ASSERT_TRUE(hints->text.has_value());
  EXPECT_EQ(hints->text->tokenizer_class, "BertTokenizer");
  EXPECT_EQ(hints->text->max_length, 0u);  // the "no limit" sentinel
  EXPECT_EQ(hints->text->padding_side, "");
  EXPECT_FALSE(hints->text->lowercase.has_value());
  EXPECT_TRUE(hints->text->special_tokens.empty());
}

TEST(PreprocessingHintsTest, MalformedFilesContributeNothing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string too_deep_object = "{\"model_type\": \"bert\", \"x\": " + deep + "}";
  for (const std::string& bad :
       {std::string("not json"), std::string("[1, 2]"), std::string("{\"model_type\": \"bert\""),
        std::string("\"s\""), std::string(""), deep, too_deep_object,
        std::string("{\"model_type\": \"\xff\xfe\"}")}) {
    SCOPED_TRACE(bad.substr(0, 40));
    EXPECT_FALSE(ExtractPreprocessingHints({{"config.json", bad},
                                            {"preprocessor_config.json", bad},
                                            {"tokenizer.json", bad},
                                            {"tokenizer_config.json", bad}})
                     .has_value());
  }
  // Files that say nothing useful (an audio feature extractor, "{}") are not sources either.
  EXPECT_FALSE(
      ExtractPreprocessingHints(
          {{"config.json", "{}"},
           {"preprocessor_config.json",
            R"({"feature_extractor_type": "WhisperFeatureExtractor", "sampling_rate": 16000})"}})
          .has_value());
  // Other file names are ignored.
  EXPECT_FALSE(ExtractPreprocessingHints({{"generation_config.json", kBertConfig}}).has_value());
}

TEST(PreprocessingHintsTest, ManyLabelsAreCountedNotListed) {
  std::string id2label;
  for (size_t i = 0; i <= kMaxInlineLabels; ++i) {
    id2label += (i ? ", \"" : "\"") + std::to_string(i) + "\": \"label " + std::to_string(i) + "\"";
  }
  const std::optional<ManifestPreprocessing> hints =
      ExtractPreprocessingHints({{"config.json", "{\"id2label\": {" + id2label + "}}"}});
  ASSERT_TRUE(hints.has_value());
  EXPECT_EQ(hints->model.num_labels, kMaxInlineLabels + 1);
  EXPECT_TRUE(hints->model.labels.empty());
}

TEST(PreprocessingHintsTest, ReadsOnlyListedFilesWithinTheirLimits) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("hints_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
  };
  write("config.json", kBertConfig);
  write("preprocessor_config.json", kVitPreprocessor);
  // Over its limit by one byte: skipped unread, however valid.
  write("tokenizer_config.json", "{\"tokenizer_class\": \"X\", \"pad\": \"" +
                                     std::string(kMaxHintFileBytes - 34, 'x') + "\"}");
  ASSERT_EQ(std::filesystem::file_size(dir / "tokenizer_config.json"), kMaxHintFileBytes + 1);
  const std::vector<ManifestFile> files = {
      {"config.json", 0, ""}, {"tokenizer_config.json", 0, ""}, {"model.onnx", 0, ""}};
  const std::optional<ManifestPreprocessing> hints = ReadPreprocessingHints(dir.string(), files);
  ASSERT_TRUE(hints.has_value());
  // preprocessor_config.json is on disk but not a package file.
  EXPECT_EQ(hints->sources, (std::vector<std::string>{"config.json"}));
  EXPECT_FALSE(hints->image.has_value());
  EXPECT_FALSE(hints->text.has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mlos::axon
