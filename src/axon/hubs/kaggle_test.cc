// Kaggle Models and TF Hub adapters: ids, URLs, replies, errors (no I/O).
#include "axon/hubs/kaggle.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "axon/hubs/tfhub.h"

namespace mlos::axon {
namespace {

KaggleConfig Config() { return {"http://127.0.0.1:9", "", "", ""}; }

ModelRef Ref(const std::string& text) {
  StatusOr<ModelRef> ref = ParseModelRef(text);
  EXPECT_TRUE(ref.ok()) << ref.status().message();
  return *ref;
}

TEST(Kaggle, ConfigAndCredentialsFromEnvironment) {
  for (const char* name :
       {"KAGGLE_API_ENDPOINT", "KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"}) {
    ::unsetenv(name);
  }
  EXPECT_EQ(KaggleConfigFromEnvironment().endpoint, "https://www.kaggle.com");
  EXPECT_TRUE(KaggleAuthHeaders(KaggleConfigFromEnvironment()).empty());
  ::setenv("KAGGLE_API_ENDPOINT", "http://127.0.0.1:7/", 1);
  ::setenv("KAGGLE_API_TOKEN", "kgat", 1);
  EXPECT_EQ(KaggleConfigFromEnvironment("http://x").endpoint, "http://127.0.0.1:7");
  EXPECT_EQ(KaggleAuthHeaders(KaggleConfigFromEnvironment())[0].second, "Bearer kgat");
  ::setenv("KAGGLE_USERNAME", "alice", 1);
  ::setenv("KAGGLE_KEY", "s3cret", 1);
  // Basic base64("alice:s3cret") wins over the token, as kagglehub's order.
  EXPECT_EQ(KaggleAuthHeaders(KaggleConfigFromEnvironment())[0].second, "Basic YWxpY2U6czNjcmV0");
  for (const char* name :
       {"KAGGLE_API_ENDPOINT", "KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"}) {
    ::unsetenv(name);
  }
}

TEST(Kaggle, HandlesAndUrls) {
  EXPECT_EQ(*KaggleHandle(Ref("kaggle/google/bert/tensorFlow2/base@3")),
            "google/bert/tensorFlow2/base");
  EXPECT_FALSE(KaggleHandle(Ref("kaggle/google/bert/tensorFlow2")).ok());
  EXPECT_FALSE(KaggleHandle(Ref("kaggle/google/bert/onnx/base@main")).ok());
  EXPECT_FALSE(KaggleHandle(Ref("kaggle/google/bert/onnx/base@0")).ok());
  const std::string handle = "o/m/onnx/v";
  EXPECT_EQ(KaggleInstanceUrl(Config(), handle), "http://127.0.0.1:9/api/v1/models/o/m/onnx/v/get");
  EXPECT_EQ(KaggleFilesUrl(Config(), handle, "2"),
            "http://127.0.0.1:9/api/v1/models/o/m/onnx/v/2/files?page_size=100");
  EXPECT_EQ(KaggleDownloadUrl(Config(), handle, "2"),
            "http://127.0.0.1:9/api/v1/models/o/m/onnx/v/2/download");
}

TEST(Kaggle, ParsesReplies) {
  EXPECT_EQ(*ParseKaggleInstanceVersion(R"({"versionNumber": 7, "slug": "v"})", "u"), "7");
  EXPECT_FALSE(ParseKaggleInstanceVersion(R"({"versionNumber": "7"})", "u").ok());
  EXPECT_FALSE(ParseKaggleInstanceVersion(R"({})", "u").ok());
  StatusOr<KaggleFileList> files = ParseKaggleFiles(
      R"({"files": [{"name": "model.onnx", "size": 3}, {"name": "a/b.txt"}],
          "nextPageToken": ""})",
      "u");
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(files->names, (std::vector<std::string>{"model.onnx", "a/b.txt"}));
  EXPECT_TRUE(files->complete);
  EXPECT_FALSE(
      ParseKaggleFiles(R"({"files": [{"name": "x"}], "nextPageToken": "p2"})", "u")->complete);
  EXPECT_FALSE(ParseKaggleFiles(R"({"files": [{"size": 1}]})", "u").ok());
  EXPECT_FALSE(ParseKaggleFiles(R"({"nope": []})", "u").ok());
}

TEST(Kaggle, RemoteModelIsOneArchivePinnedToTheVersion) {
  StatusOr<RemoteModel> model = KaggleRemoteModel(Config(), Ref("kaggle/o/m/onnx/v"), "4",
                                                  {{"model.onnx", "config.json"}, true});
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->source.hub, "kaggle");
  EXPECT_EQ(model->source.repo, "o/m/onnx/v");
  EXPECT_EQ(model->source.revision, "latest");
  EXPECT_EQ(model->source.commit, "4");
  ASSERT_EQ(model->files.size(), 1u);
  EXPECT_EQ(model->files[0].url, "http://127.0.0.1:9/api/v1/models/o/m/onnx/v/4/download");
  EXPECT_TRUE(static_cast<bool>(model->prepare));
}

TEST(Kaggle, RefusesSavedModelsAndTraversalFromTheListing) {
  StatusOr<RemoteModel> saved = KaggleRemoteModel(
      Config(), Ref("kaggle/o/m/tensorFlow2/v@1"), "1",
      {{"saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001"},
       true});
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.status().message().find("TensorFlow SavedModels cannot be converted here"),
            std::string::npos);
  EXPECT_NE(saved.status().message().find("kaggle/o/m/tensorFlow2/v@1"), std::string::npos);
  // A SavedModel that also ships ONNX installs the ONNX.
  EXPECT_TRUE(KaggleRemoteModel(Config(), Ref("kaggle/o/m/tensorFlow2/v@1"), "1",
                                {{"saved_model.pb", "model.onnx"}, true})
                  .ok());
  StatusOr<RemoteModel> evil = KaggleRemoteModel(Config(), Ref("kaggle/o/m/onnx/v@1"), "1",
                                                 {{"model.onnx", "../../.bashrc"}, true});
  ASSERT_FALSE(evil.ok());
  EXPECT_NE(evil.status().message().find("../../.bashrc"), std::string::npos);
}

TEST(Kaggle, ReplyErrorsNameTheModelAndTheVariables) {
  HttpReply reply;
  reply.status = 401;
  Status status = KaggleReplyError(reply, "kaggle/o/m/onnx/v", false);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("KAGGLE_USERNAME and KAGGLE_KEY"), std::string::npos);
  reply.status = 403;
  reply.body = R"({"code": 403, "message": "Permission 'models.get' was denied"})";
  status = KaggleReplyError(reply, "kaggle/o/m/onnx/v", true);
  EXPECT_NE(status.message().find("terms must be accepted"), std::string::npos);
  EXPECT_NE(status.message().find("was denied"), std::string::npos);
  reply.status = 404;
  EXPECT_EQ(KaggleReplyError(reply, "kaggle/o/m/onnx/v", false).code(), StatusCode::kNotFound);
  reply.status = 500;
  EXPECT_EQ(KaggleReplyError(reply, "kaggle/o/m/onnx/v", false).code(), StatusCode::kUnavailable);
}

TEST(TfHub, HandlesMapTheVersion) {
  StatusOr<TfHubHandle> handle =
      ParseTfHubHandle(Ref("tfhub/google/imagenet/mobilenet_v2_100_224/classification/5"));
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  EXPECT_EQ(handle->path, "google/imagenet/mobilenet_v2_100_224/classification");
  EXPECT_EQ(handle->version, "5");
  handle = ParseTfHubHandle(Ref("tf/google/movenet/singlepose/lightning@4"));
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  EXPECT_EQ(handle->path, "google/movenet/singlepose/lightning");
  EXPECT_EQ(handle->version, "4");
  EXPECT_TRUE(ParseTfHubHandle(Ref("tfhub/google/model/5@5")).ok());
  EXPECT_FALSE(ParseTfHubHandle(Ref("tfhub/google/model/5@6")).ok());
  EXPECT_FALSE(ParseTfHubHandle(Ref("tfhub/google/model")).ok());  // no version
  EXPECT_FALSE(ParseTfHubHandle(Ref("tfhub/model@3")).ok());       // no publisher
  EXPECT_FALSE(ParseTfHubHandle(Ref("tfhub/google/3")).ok());      // no model path
}

TEST(TfHub, RemoteModelIsTheCompressedDownload) {
  ::unsetenv("TFHUB_ENDPOINT");
  EXPECT_EQ(TfHubConfigFromEnvironment().endpoint, "https://tfhub.dev");
  const TfHubConfig config{"http://127.0.0.1:9"};
  const TfHubHandle handle{"google/m", "2"};
  EXPECT_EQ(TfHubCompressedUrl(config, handle),
            "http://127.0.0.1:9/google/m/2?tf-hub-format=compressed");
  const RemoteModel model = TfHubRemoteModel(config, Ref("tfhub/google/m/2"), handle, 1234);
  EXPECT_EQ(model.source.hub, "tfhub");
  EXPECT_EQ(model.source.repo, "google/m");
  EXPECT_EQ(model.source.commit, "2");
  ASSERT_EQ(model.files.size(), 1u);
  EXPECT_EQ(model.files[0].size, 1234u);
  EXPECT_TRUE(model.headers.empty());
  HttpReply reply;
  reply.status = 404;
  EXPECT_EQ(TfHubReplyError(reply, "tfhub/google/m/2").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlos::axon
