#include "axon/hubs/torch_converter.h"

#include <gtest/gtest.h>

namespace mlos::axon {
namespace {

TEST(TorchConverter, DiscoverReply) {
  StatusOr<ConverterReply> reply = ParseConverterReply(
      R"({"ok": true, "entries": ["mlp", "convnet"], "weights": [
          {"url": "https://h/m/convnet-0123abcd.pth", "hash_prefix": "0123abcd"},
          {"url": "https://h/m/other.pth", "hash_prefix": null}]})",
      "reply.json");
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_TRUE(reply->ok);
  EXPECT_EQ(reply->entries, (std::vector<std::string>{"mlp", "convnet"}));
  ASSERT_EQ(reply->weights.size(), 2u);
  EXPECT_EQ(reply->weights[0].hash_prefix, "0123abcd");
  EXPECT_FALSE(reply->weights[1].hash_prefix.has_value());
}

TEST(TorchConverter, ConvertReply) {
  StatusOr<ConverterReply> reply = ParseConverterReply(
      R"({"ok": true, "entries": ["mlp"], "format": "onnx", "directory": "/w/out/onnx",
          "files": ["model.onnx"], "reasons": [],
          "probe": {"inputs": [{"name": "input", "dtype": "float32", "shape": [3, 16],
                                "file": "/w/out/probe/input.bin"}],
                    "outputs": [{"name": "output", "dtype": "float32", "shape": [3, 4],
                                 "file": "/w/out/probe/output.bin"}]}})",
      "reply.json");
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->format, "onnx");
  EXPECT_EQ(reply->files, (std::vector<std::string>{"model.onnx"}));
  ASSERT_EQ(reply->probe_inputs.size(), 1u);
  EXPECT_EQ(reply->probe_inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(reply->probe_outputs[0].shape, (Shape{3, 4}));
}

TEST(TorchConverter, FailedAndNeedsReplies) {
  StatusOr<ConverterReply> needs = ParseConverterReply(
      R"({"ok": false, "needs": {"url": "https://h/x-ab.pth", "hash_prefix": "ab"}})", "r");
  ASSERT_TRUE(needs.ok()) << needs.status().message();
  ASSERT_TRUE(needs->needs.has_value());
  EXPECT_EQ(needs->needs->url, "https://h/x-ab.pth");
  StatusOr<ConverterReply> unknown = ParseConverterReply(
      R"({"ok": false, "error": "no entry point x", "unknown_entry": true, "entries": ["a"]})",
      "r");
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->unknown_entry);
  EXPECT_EQ(unknown->error, "no entry point x");
}

TEST(TorchConverter, MalformedRepliesAreRefused) {
  for (const char* bad : {
           "", "[]", R"({"entries": []})", R"({"ok": false})",
           R"({"ok": true, "weights": [{"hash_prefix": "ab"}]})",
           R"({"ok": true, "format": "tflite", "directory": "/d", "files": ["m"], "probe": {}})",
           R"({"ok": true, "format": "onnx", "files": ["model.onnx"]})",
           R"({"ok": true, "format": "onnx", "directory": "/d", "files": ["model.onnx"],
               "probe": {"inputs": [{"name": "i", "dtype": "bool", "shape": [1], "file": "f"}],
                         "outputs": []}})",
           R"({"ok": true, "format": "onnx", "directory": "/d", "files": ["model.onnx"],
               "probe": {"inputs": [{"name": "i", "dtype": "float32", "shape": [-1], "file": "f"}],
                         "outputs": []}})"}) {
    StatusOr<ConverterReply> reply = ParseConverterReply(bad, "reply.json");
    EXPECT_FALSE(reply.ok()) << bad;
    if (!reply.ok()) {
      EXPECT_NE(reply.status().message().find("reply.json"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace mlos::axon
