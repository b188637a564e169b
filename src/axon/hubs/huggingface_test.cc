#include "axon/hubs/huggingface.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

namespace mlos::axon {
namespace {

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kSha256(64, 'a');
const std::string kBlobId(40, 'b');

HuggingFaceConfig Config(std::string token = "") {
  return {"http://127.0.0.1:9/hub", std::move(token)};
}

ModelRef Ref(const std::string& text) {
  StatusOr<ModelRef> ref = ParseModelRef(text);
  EXPECT_TRUE(ref.ok()) << ref.status().message();
  return *ref;
}

std::string InfoJson(const nlohmann::json& siblings, nlohmann::json extra = {}) {
  nlohmann::json info = {{"id", "org/mlp"}, {"sha", kCommit}, {"siblings", siblings}};
  for (auto it = extra.begin(); it != extra.end(); ++it) info[it.key()] = it.value();
  return info.dump();
}

TEST(HuggingFace, ConfigFromEnvironment) {
  ::unsetenv("HF_ENDPOINT");
  ::unsetenv("HF_TOKEN");
  EXPECT_EQ(HuggingFaceConfigFromEnvironment().endpoint, "https://huggingface.co");
  EXPECT_EQ(HuggingFaceConfigFromEnvironment().token, "");
  EXPECT_EQ(HuggingFaceConfigFromEnvironment("http://mirror/").endpoint, "http://mirror");
  ::setenv("HF_ENDPOINT", "http://127.0.0.1:1234//", 1);
  ::setenv("HF_TOKEN", "hf_secret", 1);
  EXPECT_EQ(HuggingFaceConfigFromEnvironment().endpoint, "http://127.0.0.1:1234");
  EXPECT_EQ(HuggingFaceConfigFromEnvironment("http://mirror").endpoint, "http://127.0.0.1:1234");
  EXPECT_EQ(HuggingFaceConfigFromEnvironment().token, "hf_secret");
  ::unsetenv("HF_ENDPOINT");
  ::unsetenv("HF_TOKEN");
}

TEST(HuggingFace, Urls) {
  EXPECT_EQ(HfModelInfoUrl(Config(), "org/mlp", "latest"),
            "http://127.0.0.1:9/hub/api/models/org/mlp?blobs=true");
  EXPECT_EQ(HfModelInfoUrl(Config(), "org/mlp", "v1.0"),
            "http://127.0.0.1:9/hub/api/models/org/mlp/revision/v1.0?blobs=true");
  EXPECT_EQ(HfResolveUrl(Config(), "org/mlp", kCommit, "onnx/model one+.onnx"),
            "http://127.0.0.1:9/hub/org/mlp/resolve/" + kCommit + "/onnx/model%20one%2B.onnx");
}

TEST(HuggingFace, ParsesModelInfo) {
  const std::string body =
      InfoJson({{{"rfilename", "config.json"}, {"size", 12}, {"blobId", kBlobId}},
                {{"rfilename", "model.onnx"},
                 {"size", 134},
                 {"blobId", "0123456789012345678901234567890123456789"},  // the LFS pointer's
                 {"lfs", {{"sha256", kSha256}, {"size", 7855}}}},
                {{"rfilename", "README.md"}}},
               {{"gated", "auto"}, {"private", false}, {"pipeline_tag", "text-classification"}});
  StatusOr<HfModelInfo> info = ParseHfModelInfo(body, "URL");
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->id, "org/mlp");
  EXPECT_EQ(info->commit, kCommit);
  EXPECT_TRUE(info->gated);
  EXPECT_FALSE(info->is_private);
  ASSERT_EQ(info->siblings.size(), 3u);
  EXPECT_EQ(info->siblings[0].size, 12u);
  EXPECT_EQ(info->siblings[0].sha256, "");
  EXPECT_EQ(info->siblings[0].blob_id, kBlobId);
  EXPECT_EQ(info->siblings[1].size, 7855u);  // the LFS object's size, not the pointer's
  EXPECT_EQ(info->siblings[1].sha256, kSha256);
  EXPECT_EQ(info->siblings[1].blob_id, "");  // LFS files are checked by their sha256
  EXPECT_EQ(info->siblings[2].size, 0u);
  ASSERT_TRUE(ParseHfModelInfo(InfoJson(nlohmann::json::array(), {{"gated", false}}), "u").ok());
  EXPECT_FALSE(ParseHfModelInfo(InfoJson(nlohmann::json::array(), {{"gated", false}}), "u")->gated);
}

TEST(HuggingFace, RefusesMalformedModelInfo) {
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not a JSON object"},
      {R"({"sha": "abc", "siblings": []})", "\"sha\" is not a 40-hex commit"},
      {R"({"sha": ")" + kCommit + R"("})", "no \"siblings\" list"},
      {InfoJson({{{"size", 1}}}), "siblings[0] has no \"rfilename\""},
      {InfoJson({{{"rfilename", "m.onnx"}, {"lfs", {{"sha256", "xyz"}}}}}),
       "siblings[0] (m.onnx): lfs.sha256 is not 64 hex digits"},
      {InfoJson({{{"rfilename", "c.json"}, {"blobId", 7}}}),
       "siblings[0] (c.json): blobId is not 40 hex digits"},
  };
  for (const auto& [body, problem] : cases) {
    StatusOr<HfModelInfo> info = ParseHfModelInfo(body, "http://hub/api/models/x");
    ASSERT_FALSE(info.ok()) << body;
    EXPECT_EQ(info.status().message(),
              "unexpected model info from http://hub/api/models/x: " + problem);
  }
}

TEST(HuggingFace, BuildsRemoteModelPinnedToTheCommit) {
  StatusOr<HfModelInfo> info =
      ParseHfModelInfo(InfoJson({{{"rfilename", "config.json"}, {"size", 12}, {"blobId", kBlobId}},
                                 {{"rfilename", "README.md"}, {"size", 5}},
                                 {{"rfilename", "model.onnx"},
                                  {"size", 134},
                                  {"lfs", {{"sha256", kSha256}, {"size", 7855}}}}}),
                       "u");
  ASSERT_TRUE(info.ok());
  StatusOr<RemoteModel> model = HfRemoteModel(Config("hf_t"), Ref("hf/org/mlp@main"), *info);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->source.hub, "hf");
  EXPECT_EQ(model->source.repo, "org/mlp");
  EXPECT_EQ(model->source.revision, "main");
  EXPECT_EQ(model->source.commit, kCommit);
  EXPECT_EQ(model->format, "onnx");
  ASSERT_EQ(model->files.size(), 2u);
  EXPECT_EQ(model->files[0].path, "config.json");
  EXPECT_EQ(model->files[0].size, 12u);
  EXPECT_EQ(model->files[0].sha256, "");
  EXPECT_EQ(model->files[0].git_blob_sha1, kBlobId);
  EXPECT_EQ(model->files[1].url,
            "http://127.0.0.1:9/hub/org/mlp/resolve/" + kCommit + "/model.onnx");
  EXPECT_EQ(model->files[1].sha256, kSha256);
  ASSERT_EQ(model->headers.size(), 1u);
  EXPECT_EQ(model->headers[0].second, "Bearer hf_t");
  EXPECT_TRUE(HfRemoteModel(Config(), Ref("hf/org/mlp"), *info)->headers.empty());
  EXPECT_FALSE(HfRemoteModel(Config(), Ref("hf/a/b/c"), *info).ok());
}

TEST(HuggingFace, AnyUnsafeNameRefusesTheRepository) {
  for (const std::string name : {"../../etc/passwd", "a/../../x", "/etc/passwd", "a\\b"}) {
    StatusOr<HfModelInfo> info = ParseHfModelInfo(
        InfoJson({{{"rfilename", "model.onnx"}, {"size", 3}}, {{"rfilename", name}, {"size", 1}}}),
        "u");
    ASSERT_TRUE(info.ok());
    StatusOr<RemoteModel> model = HfRemoteModel(Config(), Ref("hf/org/evil"), *info);
    ASSERT_FALSE(model.ok()) << name;
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(model.status().message().find("hf/org/evil@" + kCommit + ": unsafe file name \"" +
                                            name + "\""),
              std::string::npos)
        << model.status().message();
  }
}

TEST(HuggingFace, ReplyErrorsExplainAccessAndAbsence) {
  HttpReply reply;
  reply.status = 401;
  reply.headers["x-error-message"] = "Access to model org/gated is restricted.";
  Status status = HfReplyError(reply, "org/gated", "main", false);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("gated or private"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("set HF_TOKEN"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("Access to model org/gated is restricted."), std::string::npos);
  reply.status = 403;
  status = HfReplyError(reply, "org/gated", "main", true);
  EXPECT_NE(status.message().find("the token in HF_TOKEN does not grant access"), std::string::npos)
      << status.message();

  reply = {};
  reply.status = 404;
  reply.body = R"({"error": "Invalid rev id: nope"})";
  status = HfReplyError(reply, "org/mlp", "nope", false);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("no repository org/mlp with revision \"nope\""),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("Invalid rev id: nope"), std::string::npos);

  reply.status = 502;
  EXPECT_EQ(HfReplyError(reply, "org/mlp", "main", false).code(), StatusCode::kUnavailable);
  reply.status = 400;
  EXPECT_EQ(HfReplyError(reply, "org/mlp", "main", false).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlos::axon
