#include "axon/hubs/registry.h"

#include <gtest/gtest.h>

namespace mlos::axon {
namespace {

const std::string kRegistry = "http://127.0.0.1:9/reg/";
const std::string kSha256(64, 'b');

ModelRef Ref(const std::string& text) {
  StatusOr<ModelRef> ref = ParseModelRef(text);
  EXPECT_TRUE(ref.ok()) << ref.status().message();
  return *ref;
}

// A registry manifest as Core reads it; `path` is the model file's name.
std::string ManifestText(const std::string& version, const std::string& path = "onnx/model.onnx",
                         const std::string& execution_format = "onnx") {
  Manifest m;
  m.name = "mlp";
  m.namespace_ = "org";
  m.version = version;
  m.framework = "onnx";
  m.format_type = execution_format;
  m.execution_format = execution_format;
  m.files = {{path, 1234, kSha256}, {"config.json", 2, std::string(64, 'c')}};
  m.execution_files = {{path, "single"}};
  m.disk_bytes = 1236;
  return SerializeManifest(m);
}

TEST(Registry, Urls) {
  EXPECT_EQ(RegistryManifestUrl(kRegistry, Ref("org/mlp@latest")),
            "http://127.0.0.1:9/reg/v1/models/org/mlp/latest/manifest.yaml");
  EXPECT_EQ(RegistryFileUrl(kRegistry, Ref("org/vision/net@1.0"), "1.0", "a b/c#.onnx"),
            "http://127.0.0.1:9/reg/v1/models/org/vision/net/1.0/files/a%20b/c%23.onnx");
  EXPECT_EQ(RegistryIndexUrl("http://h:1"), "http://h:1/v1/index.json");
}

TEST(Registry, LatestResolvesToTheVersionTheManifestNames) {
  const StatusOr<RemoteModel> model =
      RegistryRemoteModel(kRegistry, Ref("org/mlp@latest"), ManifestText("2.1"), "URL");
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->source.hub, "registry");
  EXPECT_EQ(model->source.repo, "org/mlp");
  EXPECT_EQ(model->source.revision, "latest");
  EXPECT_EQ(model->source.commit, "2.1");
  EXPECT_EQ(model->format, "onnx");
  ASSERT_EQ(model->files.size(), 2u);
  EXPECT_EQ(model->files[0].path, "onnx/model.onnx");
  EXPECT_EQ(model->files[0].url,
            "http://127.0.0.1:9/reg/v1/models/org/mlp/2.1/files/onnx/model.onnx");
  EXPECT_EQ(model->files[0].size, 1234u);
  EXPECT_EQ(model->files[0].sha256, kSha256);
  ASSERT_EQ(model->execution_files.size(), 1u);
  EXPECT_EQ(model->execution_files[0].path, "onnx/model.onnx");
}

TEST(Registry, RefusesManifestsThatDoNotAnswerTheQuestion) {
  const auto error = [](const std::string& spec, const std::string& text,
                        FormatWanted format = FormatWanted::kAuto) {
    const StatusOr<RemoteModel> model =
        RegistryRemoteModel(kRegistry, Ref(spec), text, "http://x/manifest.yaml", format);
    EXPECT_FALSE(model.ok()) << spec;
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    return model.status().message();
  };
  EXPECT_NE(error("org/mlp@1.0", "not: [yaml").find("http://x/manifest.yaml"), std::string::npos);
  EXPECT_NE(error("org/other@2.1", ManifestText("2.1")).find("not org/other@2.1"),
            std::string::npos);
  EXPECT_NE(error("org/mlp@1.0", ManifestText("2.1")).find("is version 2.1, not 1.0"),
            std::string::npos);
  EXPECT_NE(error("org/mlp@latest", ManifestText("latest")).find("which version"),
            std::string::npos);
  EXPECT_NE(
      error("org/mlp@1.0", ManifestText("1.0", "../../etc/passwd")).find("inside the package"),
      std::string::npos);
  EXPECT_NE(error("org/mlp@1.0", ManifestText("1.0", "model.onnx", "tensorflow")).find("cannot be"),
            std::string::npos);
  EXPECT_NE(error("org/mlp@1.0", ManifestText("1.0"), FormatWanted::kTorchScript).find("--format"),
            std::string::npos);
}

TEST(Registry, NamesTheManifestParserAllowsButHubsMayNotUseAreRefused) {
  // "~" is a plain segment to the manifest parser, but a home directory to a shell.
  const StatusOr<RemoteModel> model = RegistryRemoteModel(
      kRegistry, Ref("org/mlp@1.0"), ManifestText("1.0", "~/model.onnx"), "URL");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("unsafe file name \"~/model.onnx\""), std::string::npos)
      << model.status().message();
  EXPECT_NE(model.status().message().find("URL"), std::string::npos);
}

TEST(Registry, IndexSearchMatchesIdAndDescription) {
  const std::string index = R"({"models": [
      {"id": "org/mlp", "latest": "2.1", "versions": ["1.0", "2.1"], "task": "regression",
       "format": "onnx", "downloads": 7, "description": "A small perceptron"},
      {"id": "team/resnet", "description": "image classifier"},
      {"id": "team/other"}]})";
  StatusOr<std::vector<SearchHit>> hits = ParseRegistryIndex(index, "URL", {"PERCEPTRON", 5});
  ASSERT_TRUE(hits.ok()) << hits.status().message();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, "org/mlp");
  EXPECT_EQ((*hits)[0].source, "registry");
  EXPECT_EQ((*hits)[0].version, "2.1");
  EXPECT_EQ((*hits)[0].task, "regression");
  EXPECT_EQ((*hits)[0].downloads, 7u);
  hits = ParseRegistryIndex(index, "URL", {"team/", 5});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 2u);
  EXPECT_FALSE((*hits)[1].downloads.has_value());
}

TEST(Registry, IndexThatIsNotOneIsAnError) {
  for (const std::string body : {"[]", "{\"models\": 3}", "{\"models\": [{\"id\": \"../x\"}]}",
                                 "{\"models\": [{\"id\": \"a/b@1\"}]}", "{\"models\": [{}]}"}) {
    const StatusOr<std::vector<SearchHit>> hits = ParseRegistryIndex(body, "URL", {"", 5});
    EXPECT_FALSE(hits.ok()) << body;
    EXPECT_NE(hits.status().message().find("URL"), std::string::npos) << body;
  }
}

TEST(Registry, ResolveWithoutARegistryConfiguredSaysHowToConfigureOne) {
  const StatusOr<RemoteModel> model = ResolveRegistry(Ref("org/mlp"), AxonConfig());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(model.status().message().find("registry.url"), std::string::npos);
}

}  // namespace
}  // namespace mlos::axon
