#include "axon/core_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "axon/installer.h"
#include "axon/test_http_listener.h"
#include "axon/test_models.h"

namespace mlos::axon {
namespace {

// A model installed in a store whose path has quotes, a backslash and non-ASCII characters.
class CoreClientTest : public ::testing::Test {
 protected:
  CoreClientTest() {
    testing::WriteTinyOnnxModel(source_.path() + "/tiny/model.onnx");
    Progress progress = Progress::Disabled();
    StatusOr<InstallResult> result = InstallLocal(store_, source_.path() + "/tiny", {}, progress);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (result.ok()) model_ = result->model;
  }

  testing::TempDir home_{"we\"ird\\ home ünïcødé"};
  testing::TempDir source_;
  Store store_{home_.path()};
  InstalledModel model_;
};

TEST_F(CoreClientTest, PostsEscapedJsonBodyToRegister) {
  testing::TestHttpListener core(200, R"({"status":"success","model_id":"local/tiny@latest",)"
                                      R"("message":"registered local/tiny@latest"})");
  StatusOr<CoreReply> reply = RegisterWithCore(core.url() + "/", model_);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->http_status, 200);
  EXPECT_EQ(reply->message, "registered local/tiny@latest");

  const testing::RecordedRequest request = core.Request();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/models/register");
  EXPECT_NE(request.headers.find("Content-Type: application/json"), std::string::npos);
  const nlohmann::json body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["model_id"], "local/tiny@latest");
  EXPECT_EQ(body["path"], model_.dir);
  EXPECT_NE(model_.dir.find("we\"ird\\ home ünïcødé"), std::string::npos);
  EXPECT_EQ(body["manifest_path"], model_.dir + "/manifest.yaml");
  EXPECT_EQ(body["framework"], "onnx");
  EXPECT_EQ(body["execution_format"], "onnx");
  EXPECT_EQ(body["name"], "tiny");
  EXPECT_EQ(body["description"], model_.manifest.description);
  EXPECT_EQ(body.size(), 7u);
}

TEST_F(CoreClientTest, HttpErrorCarriesCoresMessage) {
  testing::TestHttpListener core(400, R"({"status":"error","message":"manifest: spec.io is bad"})");
  StatusOr<CoreReply> reply = RegisterWithCore(core.url(), model_);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reply.status().message(), "MLOS Core at " + core.url() +
                                          "/models/register refused to register "
                                          "local/tiny@latest (HTTP 400): manifest: spec.io is bad");
}

TEST_F(CoreClientTest, UnreachableCoreNamesTheUrl) {
  std::string url;
  {
    testing::TestHttpListener closed(200, "{}");
    url = closed.url();
  }  // nothing listens on that port any more
  StatusOr<CoreReply> reply = RegisterWithCore(url, model_);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(
      reply.status().message().rfind("cannot reach MLOS Core at " + url + "/models/register: ", 0),
      0u)
      << reply.status().message();
}

}  // namespace
}  // namespace mlos::axon
