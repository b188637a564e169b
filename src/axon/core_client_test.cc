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

TEST(CoreClientRolesTest, SeveralFilesWithRolesAreRegisteredOnePerRole) {
  Manifest manifest;
  manifest.namespace_ = "hf";
  manifest.name = "acme/t5-small";
  manifest.version = "main";
  manifest.execution_files = {{"onnx/decoder_model.onnx", "decoder"},
                              {"onnx/encoder_model.onnx", "encoder"}};
  EXPECT_EQ(RegistrationRoles(manifest), (std::vector<std::string>{"decoder", "encoder"}));
  EXPECT_EQ(RoleModelId(manifest, "encoder"), "hf/acme/t5-small/encoder@main");
  EXPECT_EQ(RoleModelId(manifest, ""), "hf/acme/t5-small@main");

  InstalledModel model;
  model.manifest = manifest;
  model.dir = "/store/hf/acme/t5-small/main";
  model.manifest_path = model.dir + "/manifest.yaml";
  const nlohmann::json body = nlohmann::json::parse(RegisterRequestBody(model, "encoder"));
  EXPECT_EQ(body["model_id"], "hf/acme/t5-small/encoder@main");
  EXPECT_EQ(body["role"], "encoder");
  EXPECT_EQ(body["path"], model.dir);
  EXPECT_FALSE(nlohmann::json::parse(RegisterRequestBody(model, "")).contains("role"));

  // One file, or one role besides "single": the model is registered whole.
  manifest.execution_files = {{"model.onnx", "single"}};
  EXPECT_TRUE(RegistrationRoles(manifest).empty());
  manifest.execution_files = {{"model.onnx", "single"}, {"onnx/encoder_model.onnx", "encoder"}};
  EXPECT_TRUE(RegistrationRoles(manifest).empty());
  manifest.execution_files = {{"onnx/text_model.onnx", "text_encoder"},
                              {"onnx/vision_model.onnx", "vision_encoder"},
                              {"model.onnx", "single"}};
  EXPECT_EQ(RegistrationRoles(manifest),
            (std::vector<std::string>{"text_encoder", "vision_encoder"}));
}

TEST_F(CoreClientTest, ARoleRegistrationPostsItsRoleAndNamesItsIdOnError) {
  model_.manifest.execution_files = {{"model.onnx", "decoder"}, {"model.onnx", "encoder"}};
  testing::TestHttpListener core(409, R"({"status":"error","message":"taken"})");
  StatusOr<CoreReply> reply = RegisterWithCore(core.url(), model_, "encoder");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(reply.status().message(), "MLOS Core at " + core.url() +
                                          "/models/register refused to register "
                                          "local/tiny/encoder@latest (HTTP 409): taken");
  const nlohmann::json body = nlohmann::json::parse(core.Request().body);
  EXPECT_EQ(body["model_id"], "local/tiny/encoder@latest");
  EXPECT_EQ(body["role"], "encoder");
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
