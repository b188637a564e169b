#include "axon/hubs/modelscope.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

namespace mlos::axon {
namespace {

const std::string kSha256(64, 'b');

ModelScopeConfig Config(std::string token = "") { return {"http://127.0.0.1:9", token}; }

ModelRef Ref(const std::string& text) {
  StatusOr<ModelRef> ref = ParseModelRef(text);
  EXPECT_TRUE(ref.ok()) << ref.status().message();
  return *ref;
}

std::string Envelope(const nlohmann::json& data) {
  return nlohmann::json{{"Code", 200}, {"Data", data}, {"Message", "success"}, {"Success", true}}
      .dump();
}

TEST(ModelScope, ConfigFromEnvironment) {
  ::unsetenv("MODELSCOPE_DOMAIN");
  ::unsetenv("MODELSCOPE_API_TOKEN");
  EXPECT_EQ(ModelScopeConfigFromEnvironment().endpoint, "https://www.modelscope.cn");
  EXPECT_EQ(ModelScopeConfigFromEnvironment("http://mirror/").endpoint, "http://mirror");
  ::setenv("MODELSCOPE_DOMAIN", "www.modelscope.ai", 1);
  EXPECT_EQ(ModelScopeConfigFromEnvironment("http://mirror").endpoint, "https://www.modelscope.ai");
  ::setenv("MODELSCOPE_DOMAIN", "http://127.0.0.1:8000/", 1);
  ::setenv("MODELSCOPE_API_TOKEN", "ms-secret", 1);
  EXPECT_EQ(ModelScopeConfigFromEnvironment().endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(ModelScopeConfigFromEnvironment().token, "ms-secret");
  ::unsetenv("MODELSCOPE_DOMAIN");
  ::unsetenv("MODELSCOPE_API_TOKEN");
}

TEST(ModelScope, Urls) {
  EXPECT_EQ(MsRevisionsUrl(Config(), "damo/mlp"),
            "http://127.0.0.1:9/api/v1/models/damo/mlp/revisions");
  EXPECT_EQ(MsFilesUrl(Config(), "damo/mlp", "v1.0"),
            "http://127.0.0.1:9/api/v1/models/damo/mlp/repo/files?Revision=v1.0&Recursive=true");
  EXPECT_EQ(MsFileUrl(Config(), "damo/mlp", "master", "onnx/model a.onnx"),
            "http://127.0.0.1:9/api/v1/models/damo/mlp/repo?Revision=master&FilePath="
            "onnx%2Fmodel%20a.onnx");
}

TEST(ModelScope, ParsesRevisions) {
  const std::string body =
      Envelope({{"RevisionMap",
                 {{"Branches", {{{"Revision", "master"}, {"CommitId", "c0ffee"}}}},
                  {"Tags", {{{"Revision", "v1"}, {"CommitId", "beef"}}}}}}});
  EXPECT_EQ(*ParseMsRevisions(body, "u", "master"), "c0ffee");
  EXPECT_EQ(*ParseMsRevisions(body, "u", "v1"), "beef");
  EXPECT_EQ(*ParseMsRevisions(body, "u", "0123abc"), "");
  const std::string no_tags =
      Envelope({{"RevisionMap", {{"Branches", {{{"Revision", "master"}}}}, {"Tags", nullptr}}}});
  EXPECT_FALSE(ParseMsRevisions(no_tags, "u", "master").ok());  // no CommitId
  EXPECT_FALSE(ParseMsRevisions(Envelope(nlohmann::json::object()), "u", "master").ok());
  EXPECT_FALSE(ParseMsRevisions("[]", "u", "master").ok());
}

TEST(ModelScope, ParsesFilesSkippingFolders) {
  const std::string body =
      Envelope({{"Files",
                 {{{"Name", "onnx"}, {"Path", "onnx"}, {"Type", "tree"}, {"Size", 0}},
                  {{"Name", "model.onnx"},
                   {"Path", "onnx/model.onnx"},
                   {"Type", "blob"},
                   {"Size", 123},
                   {"Sha256", std::string(64, 'B')}},
                  {{"Name", "README.md"}, {"Path", "README.md"}, {"Type", "blob"}, {"Size", 5}}}}});
  StatusOr<std::vector<MsFile>> files = ParseMsFiles(body, "u");
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "onnx/model.onnx");
  EXPECT_EQ((*files)[0].size, 123u);
  EXPECT_EQ((*files)[0].sha256, kSha256);
  EXPECT_EQ((*files)[1].sha256, "");
  EXPECT_FALSE(ParseMsFiles(Envelope({{"Files", {{{"Name", "x"}}}}}), "u").ok());
  EXPECT_FALSE(ParseMsFiles(Envelope({{"Files", {{{"Path", "x"}, {"Sha256", "zz"}}}}}), "u").ok());
  const std::string failed = nlohmann::json{
      {"Code", 10010205001},
      {"Message", "model not exist"},
      {"Success", false}}.dump();
  StatusOr<std::vector<MsFile>> refused = ParseMsFiles(failed, "u");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("model not exist"), std::string::npos);
}

TEST(ModelScope, RemoteModelPinsTheCommitAndSelectsFiles) {
  const std::vector<MsFile> files = {{"model.onnx", 10, kSha256},
                                     {"configuration.json", 2, ""},
                                     {"config.json", 3, ""},
                                     {"pytorch_model.bin", 99, ""}};
  StatusOr<RemoteModel> model =
      MsRemoteModel(Config("tok"), Ref("modelscope/damo/mlp"), "c0ffee", files);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->source.hub, "modelscope");
  EXPECT_EQ(model->source.repo, "damo/mlp");
  EXPECT_EQ(model->source.revision, "latest");
  EXPECT_EQ(model->source.commit, "c0ffee");
  EXPECT_EQ(model->format, "onnx");
  ASSERT_EQ(model->files.size(), 2u);
  EXPECT_EQ(model->files[0].path, "config.json");
  EXPECT_EQ(model->files[1].path, "model.onnx");
  EXPECT_EQ(model->files[1].url,
            "http://127.0.0.1:9/api/v1/models/damo/mlp/repo?Revision=master&FilePath=model.onnx");
  EXPECT_EQ(model->files[1].size, 10u);
  EXPECT_EQ(model->files[1].sha256, kSha256);
  ASSERT_EQ(model->headers.size(), 1u);
  EXPECT_EQ(model->headers[0].second, "m_session_id=tok");
}

TEST(ModelScope, RefusesTraversalNamesAndBadIds) {
  StatusOr<RemoteModel> evil = MsRemoteModel(Config(), Ref("ms/damo/mlp@v1"), "",
                                             {{"model.onnx", 1, ""}, {"../../etc/passwd", 1, ""}});
  ASSERT_FALSE(evil.ok());
  EXPECT_NE(evil.status().message().find("../../etc/passwd"), std::string::npos);
  EXPECT_FALSE(MsRemoteModel(Config(), Ref("modelscope/mlp"), "", {{"model.onnx", 1, ""}}).ok());
  EXPECT_FALSE(MsRemoteModel(Config(), Ref("modelscope/a/b/c"), "", {{"model.onnx", 1, ""}}).ok());
}

TEST(ModelScope, ReplyErrorsNameTheModelAndTheToken) {
  HttpReply reply;
  reply.status = 401;
  reply.body = R"({"Code": 401, "Message": "no permission", "Success": false})";
  Status status = MsReplyError(reply, "damo/secret", "master", false);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("set MODELSCOPE_API_TOKEN"), std::string::npos);
  EXPECT_NE(status.message().find("no permission"), std::string::npos);
  reply.status = 403;
  EXPECT_NE(MsReplyError(reply, "damo/secret", "master", true).message().find("does not grant"),
            std::string::npos);
  reply.status = 404;
  EXPECT_EQ(MsReplyError(reply, "damo/none", "v9", false).code(), StatusCode::kNotFound);
  reply.status = 200;  // an error in the envelope only
  reply.body = R"({"Code": 404, "Message": "revision not found", "Success": false})";
  EXPECT_EQ(MsReplyError(reply, "damo/none", "v9", false).code(), StatusCode::kNotFound);
  reply.status = 503;
  reply.body = "";
  EXPECT_EQ(MsReplyError(reply, "damo/x", "master", false).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace mlos::axon
