#include "axon/hubs/file_selection.h"

#include <gtest/gtest.h>

namespace mlos::axon {
namespace {

using Paths = std::vector<std::string>;

FileSelection Select(const Paths& paths) {
  StatusOr<FileSelection> selection = SelectModelFiles(paths, "hf/org/repo");
  EXPECT_TRUE(selection.ok()) << selection.status().message();
  return selection.ok() ? *selection : FileSelection{};
}

TEST(FileSelection, OneOnnxFileWithSupportingFilesAndNothingElse) {
  const FileSelection s =
      Select({"README.md", ".gitattributes", "config.json", "model.onnx", "pytorch_model.bin",
              "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
              "merges.txt", "preprocessor_config.json", "generation_config.json",
              "onnx/config.json", "model.safetensors"});
  EXPECT_EQ(s.format, "onnx");
  ASSERT_EQ(s.execution_files.size(), 1u);
  EXPECT_EQ(s.execution_files[0].path, "model.onnx");
  EXPECT_EQ(s.execution_files[0].role, "single");
  EXPECT_EQ(s.files, (Paths{"config.json", "generation_config.json", "merges.txt", "model.onnx",
                            "preprocessor_config.json", "special_tokens_map.json", "tokenizer.json",
                            "tokenizer_config.json", "vocab.txt"}));
}

TEST(FileSelection, OnnxUnderOnnxFolderWithExternalData) {
  const FileSelection s =
      Select({"onnx/model.onnx", "onnx/model.onnx_data", "onnx/model.onnx.data", "onnx/model.data",
              "onnx/other.data", "model.onnx_data", "config.json"});
  ASSERT_EQ(s.execution_files.size(), 1u);
  EXPECT_EQ(s.execution_files[0].path, "onnx/model.onnx");
  EXPECT_EQ(s.files, (Paths{"config.json", "onnx/model.data", "onnx/model.onnx",
                            "onnx/model.onnx.data", "onnx/model.onnx_data"}));
}

TEST(FileSelection, ModelOnnxWinsOverVariantsAndRootOverOnnxFolder) {
  Select({"onnx/model.onnx", "onnx/model_quantized.onnx", "onnx/model_fp16.onnx"});
  EXPECT_EQ(Select({"onnx/model.onnx", "onnx/model_fp16.onnx"}).files, (Paths{"onnx/model.onnx"}));
  EXPECT_EQ(Select({"onnx/model.onnx", "model.onnx"}).files, (Paths{"model.onnx"}));
  // Deeper folders are not looked at.
  EXPECT_EQ(Select({"model.onnx", "extra/deep/model.onnx"}).files, (Paths{"model.onnx"}));
}

TEST(FileSelection, MultiFileModelsGetRolesByName) {
  const FileSelection s = Select({"onnx/encoder_model.onnx", "onnx/decoder_model.onnx",
                                  "onnx/decoder_with_past_model.onnx",
                                  "onnx/encoder_model_quantized.onnx", "config.json"});
  ASSERT_EQ(s.execution_files.size(), 3u);
  EXPECT_EQ(s.execution_files[0].path, "onnx/decoder_model.onnx");
  EXPECT_EQ(s.execution_files[0].role, "decoder");
  EXPECT_EQ(s.execution_files[1].role, "decoder_with_past");
  EXPECT_EQ(s.execution_files[2].role, "encoder");
  EXPECT_EQ(s.files.size(), 4u);
  const FileSelection clip = Select({"text_model.onnx", "vision_model.onnx"});
  EXPECT_EQ(clip.execution_files[0].role, "text_encoder");
  EXPECT_EQ(clip.execution_files[1].role, "vision_encoder");
}

TEST(FileSelection, AmbiguousOnnxFilesAreRefusedByName) {
  const StatusOr<FileSelection> s = SelectModelFiles({"a.onnx", "b.onnx"}, "hf/org/repo");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("hf/org/repo holds several ONNX files (a.onnx, b.onnx)"),
            std::string::npos)
      << s.status().message();
}

TEST(FileSelection, TorchScriptWhenNoOnnx) {
  const FileSelection s = Select({"model.pt", "config.json", "pytorch_model.bin"});
  EXPECT_EQ(s.format, "torchscript");
  EXPECT_EQ(s.execution_files[0].path, "model.pt");
  EXPECT_EQ(s.files, (Paths{"config.json", "model.pt"}));
  EXPECT_EQ(Select({"traced.pt", "model.pt"}).files, (Paths{"model.pt"}));
  EXPECT_FALSE(SelectModelFiles({"a.pt", "b.pt"}, "r").ok());
}

TEST(FileSelection, WeightsOnlyRepositoryIsRefusedWithTheReason) {
  const StatusOr<FileSelection> s =
      SelectModelFiles({"pytorch_model.bin", "model.safetensors", "config.json"}, "hf/org/bert");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "hf/org/bert: no ONNX or TorchScript file; conversion from PyTorch weights is not "
            "supported yet");
}

}  // namespace
}  // namespace mlos::axon
