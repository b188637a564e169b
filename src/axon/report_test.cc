#include "axon/report.h"

#include <gtest/gtest.h>

namespace mlos::axon {
namespace {

InstalledModel Example(const std::string& name, uint64_t size) {
  InstalledModel model;
  model.dir = "/home/u/.axon/cache/models/local/" + name + "/latest";
  model.manifest_path = model.dir + "/manifest.yaml";
  Manifest& m = model.manifest;
  m.namespace_ = "local";
  m.name = name;
  m.version = "latest";
  m.description = "ONNX model, opset 13";
  m.source = {"local", "/src/" + name, "latest", ""};
  m.created = "2026-11-25T23:00:00Z";
  m.framework = m.format_type = m.execution_format = "onnx";
  m.files = {{"model.onnx", size, std::string(64, 'c')}};
  m.execution_files = {{"model.onnx", "single"}};
  m.inputs = {{"x", DataType::kFloat32, {-1, 4}}};
  m.outputs = {{"y", DataType::kFloat32, {-1, 4}}};
  m.disk_bytes = m.memory_bytes = size;
  return model;
}

TEST(ReportTest, ListFormats) {
  const std::vector<InstalledModel> models = {Example("a", 100), Example("bigger-name", 5 << 20)};
  EXPECT_EQ(FormatModelList(models, ListFormat::kNames),
            "local/a@latest\nlocal/bigger-name@latest\n");
  EXPECT_EQ(FormatModelList(models, ListFormat::kTable),
            "MODEL                     FRAMEWORK  SIZE       CREATED\n"
            "local/a@latest            onnx       100 B      2026-11-25T23:00:00Z\n"
            "local/bigger-name@latest  onnx       5.0 MiB    2026-11-25T23:00:00Z\n");
  const nlohmann::json json = nlohmann::json::parse(FormatModelList(models, ListFormat::kJson));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[1]["model_id"], "local/bigger-name@latest");
  EXPECT_EQ(json[1]["path"], models[1].dir);
  EXPECT_EQ(json[1]["inputs"][0]["shape"], nlohmann::json({-1, 4}));
  EXPECT_EQ(json[1]["inputs"][0]["dtype"], "float32");
  EXPECT_EQ(json[1]["files"][0]["size"], 5 << 20);
  EXPECT_EQ(FormatModelList({}, ListFormat::kTable), "no models installed\n");
  EXPECT_EQ(FormatModelList({}, ListFormat::kJson), "[]\n");
}

TEST(ReportTest, InfoShowsPathsFilesAndSignature) {
  const std::string info = FormatModelInfo(Example("a", 2048));
  EXPECT_NE(info.find("model:       local/a@latest\n"), std::string::npos) << info;
  EXPECT_NE(info.find("path:        /home/u/.axon/cache/models/local/a/latest\n"),
            std::string::npos);
  EXPECT_NE(info.find("source:      local /src/a (revision latest)\n"), std::string::npos);
  EXPECT_NE(info.find("  model.onnx  2.0 KiB  sha256:" + std::string(64, 'c') + "  [single]\n"),
            std::string::npos);
  EXPECT_NE(info.find("inputs:\n  x  float32  [-1, 4]\n"), std::string::npos);
  EXPECT_NE(info.find("outputs:\n  y  float32  [-1, 4]\n"), std::string::npos);
}

TEST(ReportTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(3ull << 30), "3.0 GiB");
}

}  // namespace
}  // namespace mlos::axon
