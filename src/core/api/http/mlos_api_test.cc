#include "core/api/http/mlos_api.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "core/testing/route_test_base.h"

namespace mlos::core {
namespace {

using Json = nlohmann::json;

class MlosApiTest : public testing::RouteTestBase {
 protected:
  void SetUp() override {
    SetUpManager("api_");
    api_ = std::make_unique<MlosApi>(*models_, plugins_, ServerStatus{{"mlos-http"}, &counters_});
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    HttpRequest request;
    request.method = method;
    const size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    request.body = body;
    request.received = std::chrono::steady_clock::now();
    return Run(*api_, request);
  }

  // "inline", "blocking" or "async".
  std::string Kind(const std::string& method, const std::string& path) {
    HttpRequest request{method, path, "", ""};
    const RouteAction action = api_->Route(request);
    return action.start ? "async" : action.blocking ? "blocking" : "inline";
  }

  void RegisterVector() {
    const HttpResponse response = Call(
        "POST", "/models/register",
        Json{{"model_id", "local/vector@1"}, {"path", model_path_}, {"name", "vector"}}.dump());
    ASSERT_EQ(response.status, 200u) << response.body;
  }

  static std::string Message(const HttpResponse& response) {
    const Json body = Json::parse(response.body);
    EXPECT_EQ(body["status"], "error");
    return body.value("message", "");
  }

  HttpCounters counters_;
  std::unique_ptr<MlosApi> api_;
};

TEST_F(MlosApiTest, Health) {
  const HttpResponse response = Call("GET", "/health");
  EXPECT_EQ(response.status, 200u);
  const Json body = Json::parse(response.body);
  EXPECT_EQ(body["status"], "healthy");
  EXPECT_EQ(body["service"], "mlos-core");
  EXPECT_EQ(body["apis"], Json::array({"mlos-http"}));
  EXPECT_EQ(body["plugins"], Json::array({"echo"}));
  EXPECT_TRUE(body.contains("version"));
  EXPECT_TRUE(body.contains("timestamp"));
}

TEST_F(MlosApiTest, OnlyModelWorkLeavesTheIoThread) {
  EXPECT_EQ(Kind("GET", "/health"), "inline");
  EXPECT_EQ(Kind("GET", "/stats"), "inline");
  EXPECT_EQ(Kind("GET", "/metrics"), "inline");
  EXPECT_EQ(Kind("GET", "/models"), "inline");
  EXPECT_EQ(Kind("GET", "/plugins"), "inline");
  EXPECT_EQ(Kind("GET", "/models/a%2Fb%40c"), "inline");
  EXPECT_EQ(Kind("POST", "/models/register"), "blocking");
  EXPECT_EQ(Kind("POST", "/plugins/register"), "blocking");
  EXPECT_EQ(Kind("DELETE", "/models/a%2Fb%40c"), "blocking");
  EXPECT_EQ(Kind("POST", "/models/a%2Fb%40c/load"), "blocking");
  EXPECT_EQ(Kind("POST", "/models/a%2Fb%40c/unload"), "blocking");
  EXPECT_EQ(Kind("POST", "/models/a%2Fb%40c/inference"), "async");
}

TEST_F(MlosApiTest, UnknownRoutesAndMethods) {
  HttpResponse response = Call("GET", "/nowhere");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(Message(response), "no route for GET /nowhere");
  response = Call("DELETE", "/health");
  EXPECT_EQ(response.status, 405u);
  EXPECT_EQ(Message(response), "DELETE is not allowed on /health; use GET");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Allow", "GET"}));
  EXPECT_EQ(Call("GET", "/models/register").status, 405u);
  EXPECT_EQ(Call("GET", "/models/a%2Fb%40c/inference").status, 405u);
  EXPECT_EQ(Call("GET", "/models/bad%zz").status, 400u);
}

TEST_F(MlosApiTest, RegisterListDescribeAndInfer) {
  const HttpResponse registered =
      Call("POST", "/models/register",
           Json{{"model_id", "local/vector@1"}, {"model_path", model_path_}}.dump());
  ASSERT_EQ(registered.status, 200u) << registered.body;
  const Json reply = Json::parse(registered.body);
  EXPECT_EQ(reply["status"], "success");
  EXPECT_EQ(reply["model_id"], "local/vector@1");
  EXPECT_EQ(reply["plugin_id"], "echo");
  EXPECT_EQ(reply["message"], "model local/vector@1 registered");
  EXPECT_EQ(reply["inference_endpoint"], "/models/local%2Fvector%401/inference");

  const Json listing = Json::parse(Call("GET", "/models").body);
  ASSERT_EQ(listing["models"].size(), 1u);
  const Json& model = listing["models"][0];
  EXPECT_EQ(model["id"], "local/vector@1");
  EXPECT_EQ(model["state"], "unloaded");
  EXPECT_EQ(model["plugin"], "echo");
  EXPECT_EQ(model["inputs"], Json::parse(R"([{"name":"x","datatype":"FP32","shape":[-1,3]}])"));
  EXPECT_TRUE(model["last_used"].is_null());

  const HttpResponse inferred =
      Call("POST", "/models/local%2Fvector%401/inference", R"({"x":[1,2.5,3,4,5,0.1]})");
  ASSERT_EQ(inferred.status, 200u) << inferred.body;
  const Json result = Json::parse(inferred.body);
  EXPECT_EQ(result["status"], "success");
  EXPECT_EQ(result["model_id"], "local/vector@1");
  EXPECT_EQ(result["model_version"], "1");
  EXPECT_EQ(result["outputs"]["x_echo"]["datatype"], "FP32");
  EXPECT_EQ(result["outputs"]["x_echo"]["shape"], Json::array({2, 3}));
  EXPECT_EQ(result["outputs"]["x_echo"]["data"], Json::parse("[1,2.5,3,4,5,0.1]"));
  EXPECT_EQ(result["output_size"], 24);

  // Unencoded id, and the detail shows the model loaded.
  const Json detail = Json::parse(Call("GET", "/models/local/vector@1").body);
  EXPECT_EQ(detail["status"], "success");
  EXPECT_EQ(detail["state"], "ready");
  EXPECT_FALSE(detail["last_used"].is_null());
  const HttpResponse plain =
      Call("POST", "/models/local/vector@1/inference?include_outputs=false", R"({"x":[1,2,3]})");
  ASSERT_EQ(plain.status, 200u) << plain.body;
  EXPECT_FALSE(Json::parse(plain.body)["outputs"]["x_echo"].contains("data"));
}

TEST_F(MlosApiTest, RegisterErrors) {
  HttpResponse response = Call("POST", "/models/register", "{");
  EXPECT_EQ(response.status, 400u);
  EXPECT_NE(Message(response).find("request body is not valid JSON"), std::string::npos);
  response = Call("POST", "/models/register", R"({"path":"/x"})");
  EXPECT_EQ(Message(response), "register: \"model_id\" is required");
  response = Call("POST", "/models/register", R"({"model_id":"local/x@1","path":7})");
  EXPECT_EQ(Message(response), "register: \"path\" must be a string, got number");
  RegisterVector();
  const std::string other =
      testing::WriteFile(directory_ / "other.echo", testing::kEchoVectorModel);
  response = Call("POST", "/models/register",
                  Json{{"model_id", "local/vector@1"}, {"path", other}}.dump());
  EXPECT_EQ(response.status, 409u);
  response = Call("POST", "/models/register",
                  Json{{"model_id", "local/vector@1"}, {"path", model_path_}}.dump());
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(Json::parse(response.body)["message"], "model local/vector@1 is already registered");
}

TEST_F(MlosApiTest, RegisterByRoleServesEachExecutionFile) {
  const auto package = directory_ / "t5";
  testing::WriteTwoRoleEchoPackage(package);
  const auto register_role = [&](const std::string& id, const Json& role) {
    Json body = {{"model_id", id}, {"path", package.string()}};
    if (!role.is_null()) body["role"] = role;
    return Call("POST", "/models/register", body.dump());
  };
  HttpResponse response = register_role("hf/t5/encoder@main", "encoder");
  ASSERT_EQ(response.status, 200u) << response.body;
  response = register_role("hf/t5/decoder@main", "decoder");
  ASSERT_EQ(response.status, 200u) << response.body;
  response = register_role("hf/t5@main", nullptr);  // no role: the first file
  ASSERT_EQ(response.status, 200u) << response.body;

  const Json encoder = Json::parse(Call("GET", "/models/hf%2Ft5%2Fencoder%40main").body);
  EXPECT_EQ(encoder["role"], "encoder");
  EXPECT_EQ(encoder["path"], package.string());
  EXPECT_EQ(encoder["load_path"], (package / "onnx" / "encoder_model.echo").string());
  EXPECT_EQ(encoder["inputs"][0]["name"], "ids");
  const Json listing = Json::parse(Call("GET", "/models").body);
  ASSERT_EQ(listing["models"].size(), 3u);
  EXPECT_EQ(listing["models"][0]["id"], "hf/t5/decoder@main");
  EXPECT_EQ(listing["models"][0]["role"], "decoder");
  EXPECT_EQ(listing["models"][0]["inputs"][0]["name"], "hidden");
  EXPECT_EQ(listing["models"][2]["id"], "hf/t5@main");
  EXPECT_FALSE(listing["models"][2].contains("role"));
  EXPECT_EQ(listing["models"][2]["load_path"], (package / "onnx" / "decoder_model.echo").string());

  response = Call("POST", "/models/hf/t5/encoder@main/inference", R"({"ids":[[1,2,3,4]]})");
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(Json::parse(response.body)["outputs"]["ids_echo"]["data"], Json::parse("[1,2,3,4]"));
  response = Call("POST", "/models/hf/t5/decoder@main/inference", R"({"hidden":[[0.5,-1]]})");
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(Json::parse(response.body)["outputs"]["hidden_echo"]["data"], Json::parse("[0.5,-1]"));
}

TEST_F(MlosApiTest, RoleErrors) {
  const auto package = directory_ / "t5";
  testing::WriteTwoRoleEchoPackage(package);
  HttpResponse response = Call(
      "POST", "/models/register",
      Json{
          {"model_id", "hf/t5/vision@main"}, {"path", package.string()}, {"role", "vision_encoder"}}
          .dump());
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Message(response), "manifest " + (package / "manifest.yaml").string() +
                                   ": no execution file has role \"vision_encoder\"; the "
                                   "package's roles: decoder, encoder");
  response =
      Call("POST", "/models/register",
           Json{{"model_id", "local/vector@1"}, {"path", model_path_}, {"role", "encoder"}}.dump());
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Message(response),
            "role \"encoder\" needs a package with a manifest that names its execution files by "
            "role; " +
                model_path_ + " has no manifest.yaml");
  response =
      Call("POST", "/models/register",
           Json{{"model_id", "hf/t5/x@main"}, {"path", package.string()}, {"role", 1}}.dump());
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Message(response), "register: \"role\" must be a string, got number");
  EXPECT_EQ(Call("GET", "/models").body.find("hf/t5"), std::string::npos);

  // Same id and package, another role (or none): 409 like another path.
  const Json encoder = {
      {"model_id", "hf/t5/encoder@main"}, {"path", package.string()}, {"role", "encoder"}};
  ASSERT_EQ(Call("POST", "/models/register", encoder.dump()).status, 200u);
  Json other = encoder;
  other["role"] = "decoder";
  EXPECT_EQ(Call("POST", "/models/register", other.dump()).status, 409u);
  other.erase("role");
  EXPECT_EQ(Call("POST", "/models/register", other.dump()).status, 409u);
  response = Call("POST", "/models/register", encoder.dump());
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(Json::parse(response.body)["message"],
            "model hf/t5/encoder@main is already registered");
}

TEST_F(MlosApiTest, InferenceErrorsNameTheProblem) {
  RegisterVector();
  const std::string target = "/models/local%2Fvector%401/inference";
  HttpResponse response = Call("POST", target, R"({"x":[1,2)");
  EXPECT_EQ(response.status, 400u);
  EXPECT_NE(Message(response).find("not valid JSON"), std::string::npos);
  response = Call("POST", target, R"({"y":[1,2,3]})");
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Message(response),
            "model 'local/vector@1': unknown input 'y'; the model's inputs are: x (FP32 [-1, 3])");
  response = Call("POST", target, R"({"x":[[1,2]]})");
  EXPECT_EQ(response.status, 400u);
  EXPECT_NE(Message(response).find("the model expects [-1, 3]"), std::string::npos);
  response = Call("POST", "/models/local%2Fnone%401/inference", R"({"x":[1,2,3]})");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(Message(response), "model 'local/none@1' is not registered");
  EXPECT_EQ(Call("GET", "/models/local%2Fnone%401").status, 404u);

  // A plugin failure is a 500 naming the model, plugin and the plugin's message.
  const std::string failing =
      testing::WriteFile(directory_ / "failing.echo",
                         R"({"inputs":[{"name":"fail","datatype":"INT64","shape":[1]}]})");
  ASSERT_EQ(Call("POST", "/models/register",
                 Json{{"model_id", "local/failing@1"}, {"path", failing}}.dump())
                .status,
            200u);
  response = Call("POST", "/models/local%2Ffailing%401/inference", R"({"fail":[1]})");
  EXPECT_EQ(response.status, 500u);
  EXPECT_EQ(Message(response),
            "model 'local/failing@1' (plugin echo): input 'fail': the echo "
            "plugin was asked to fail");
}

TEST_F(MlosApiTest, LoadUnloadDeleteAndTheirErrors) {
  RegisterVector();
  const std::string model = "/models/local%2Fvector%401";
  HttpResponse response = Call("POST", model + "/load");
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(Json::parse(response.body)["state"], "ready");
  EXPECT_EQ(Json::parse(Call("GET", model).body)["state"], "ready");
  response = Call("POST", model + "/unload");
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(Json::parse(response.body)["state"], "unloaded");
  EXPECT_EQ(Call("GET", model + "/load").status, 405u);
  EXPECT_EQ(Call("PUT", model).status, 405u);
  EXPECT_EQ(Call("POST", "/models/local%2Fnone%401/load").status, 404u);
  response = Call("DELETE", model);
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(Json::parse(response.body)["message"], "model local/vector@1 unregistered");
  EXPECT_EQ(Call("GET", model).status, 404u);
  EXPECT_EQ(Call("DELETE", model).status, 404u);
  EXPECT_EQ(Call("POST", model + "/inference", R"({"x":[1,2,3]})").status, 404u);
}

TEST_F(MlosApiTest, SettingsAtRegistrationAreValidatedAndShown) {
  HttpResponse response = Call("POST", "/models/register",
                               Json{{"model_id", "local/vector@1"},
                                    {"path", model_path_},
                                    {"settings", {{"max_batch_size", 4}, {"keep_alive_s", -1}}}}
                                   .dump());
  ASSERT_EQ(response.status, 200u) << response.body;
  const Json settings = Json::parse(Call("GET", "/models/local%2Fvector%401").body)["settings"];
  EXPECT_EQ(settings["max_batch_size"], 4);
  EXPECT_EQ(settings["keep_alive_s"], -1);
  EXPECT_EQ(settings["instances"], 1);
  response =
      Call("POST", "/models/register",
           Json{{"model_id", "local/other@1"}, {"path", model_path_}, {"settings", 3}}.dump());
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Message(response), "register: \"settings\" must be a JSON object, got number");
  response = Call("POST", "/models/register",
                  Json{{"model_id", "local/other@1"},
                       {"path", model_path_},
                       {"settings", {{"max_queue", "many"}}}}
                      .dump());
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Message(response),
            "model 'local/other@1' settings: \"max_queue\" must be an integer from 0 to 1000000, "
            "got \"many\"");
}

TEST_F(MlosApiTest, StatsMetricsAndPlugins) {
  RegisterVector();
  ASSERT_EQ(Call("POST", "/models/local%2Fvector%401/inference", R"({"x":[1,2,3]})").status, 200u);
  ASSERT_EQ(Call("POST", "/models/local%2Fvector%401/inference", R"({"x":[1,2]})").status, 400u);
  counters_.Record(200, 10);
  const Json stats = Json::parse(Call("GET", "/stats").body);
  EXPECT_EQ(stats["status"], "success");
  EXPECT_EQ(stats["http"]["requests"], 1);
  EXPECT_EQ(stats["inference"]["success"], 1);
  EXPECT_EQ(stats["models"]["local/vector@1"]["state"], "ready");
  EXPECT_EQ(stats["resources"]["loaded_models"], 1);
  EXPECT_EQ(stats["apis"]["mlos-http"], "up");

  const HttpResponse metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (const char* line :
       {"nv_inference_request_success{model=\"local/vector\",version=\"1\"} 1\n",
        "nv_inference_exec_count{model=\"local/vector\",version=\"1\"} 1\n",
        "nv_inference_pending_request_count{model=\"local/vector\",version=\"1\"} 0\n",
        "mlos_model_loaded{model=\"local/vector\",version=\"1\"} 1\n", "mlos_loaded_models 1\n",
        "# TYPE nv_inference_queue_duration_us counter\n"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << metrics.body;
  }

  const Json plugins = Json::parse(Call("GET", "/plugins").body);
  ASSERT_EQ(plugins["plugins"].size(), 1u);
  EXPECT_EQ(plugins["plugins"][0]["id"], "echo");
  EXPECT_EQ(plugins["plugins"][0]["execution_formats"], Json::array({"echo"}));
  HttpResponse response = Call("POST", "/plugins/register",
                               Json{{"id", "echo"}, {"path", MLOS_ECHO_PLUGIN_PATH}}.dump());
  EXPECT_EQ(response.status, 409u);
  response = Call("POST", "/plugins/register", Json{{"path", "/no/such/libx.so"}}.dump());
  EXPECT_EQ(response.status, 400u);
  EXPECT_NE(Message(response).find("/no/such/libx.so"), std::string::npos);
  EXPECT_EQ(Call("POST", "/plugins/register", "{}").status, 400u);
}

}  // namespace
}  // namespace mlos::core
