#include "core/plugin_config.h"

#include <gtest/gtest.h>

#include "common/manifest.h"
#include "core/testing/test_files.h"

namespace mlos::core {
namespace {

std::string ManifestDeclaring(std::vector<ManifestTensor> inputs,
                              std::vector<ManifestTensor> outputs) {
  Manifest manifest;
  manifest.name = "mlp";
  manifest.namespace_ = "local";
  manifest.version = "1";
  manifest.created = "2026-11-26T08:00:00Z";
  manifest.framework = "pytorch";
  manifest.format_type = "torchscript";
  manifest.execution_format = "torchscript";
  manifest.files = {{"model.pt", 10, std::string(64, 'a')}};
  manifest.execution_files = {{"model.pt"}};
  manifest.inputs = std::move(inputs);
  manifest.outputs = std::move(outputs);
  return SerializeManifest(manifest);
}

TEST(PluginConfigTest, AddsTheManifestTensorsToThePluginSettings) {
  ModelSettings settings;
  settings.plugin = {{"threads", 2}};
  const std::string yaml = ManifestDeclaring({{"x", DataType::kFloat32, {-1, 16}}},
                                             {{"logits", DataType::kFloat32, {-1, 4}}});
  EXPECT_EQ(nlohmann::json::parse(PluginConfig(settings, yaml)),
            nlohmann::json::parse(R"({"threads": 2,
              "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 16]}],
              "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 4]}]})"));
}

TEST(PluginConfigTest, SettingsWinAndNothingIsInventedWithoutAManifest) {
  ModelSettings settings;
  settings.plugin = {{"inputs", nlohmann::json::array()}};
  const std::string yaml = ManifestDeclaring({{"x", DataType::kInt64, {2}}}, {});
  EXPECT_EQ(nlohmann::json::parse(PluginConfig(settings, yaml)),
            nlohmann::json::parse(R"({"inputs": []})"));
  EXPECT_EQ(PluginConfig(ModelSettings{}, ""), "{}");
  EXPECT_EQ(PluginConfig(ModelSettings{}, "not: [a manifest"), "{}");
}

TEST(PluginConfigTest, TheManifestTensorsGoOnlyToTheExecutionFileTheyDescribe) {
  // spec.io describes the default file, the first: the decoder.
  Manifest manifest = testing::TwoRoleManifest("onnx", 10, 10);
  manifest.inputs = {{"input_ids", DataType::kInt64, {-1, -1}}};
  const std::string yaml = SerializeManifest(manifest);
  const nlohmann::json declared = nlohmann::json::parse(
      R"({"inputs": [{"name": "input_ids", "datatype": "INT64", "shape": [-1, -1]}]})");
  EXPECT_EQ(nlohmann::json::parse(PluginConfig(ModelSettings{}, yaml, "")), declared);
  EXPECT_EQ(nlohmann::json::parse(PluginConfig(ModelSettings{}, yaml, "decoder")), declared);
  EXPECT_EQ(PluginConfig(ModelSettings{}, yaml, "encoder"), "{}");
}

}  // namespace
}  // namespace mlos::core
