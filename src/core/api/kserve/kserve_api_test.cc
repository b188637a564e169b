#include "core/api/kserve/kserve_api.h"

#include <gtest/gtest.h>

#include <cstring>
#include <future>
#include <nlohmann/json.hpp>

#include "core/api/kserve/kserve_tensors.h"
#include "core/testing/route_test_base.h"

namespace mlos::core {
namespace {

using Json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

// Kinds of route, as Route() hands them out.
enum class Kind { kInline, kBlocking, kAsync };

class KServeApiTest : public testing::RouteTestBase {
 protected:
  void SetUp() override {
    SetUpManager("kserve_");
    api_ = std::make_unique<KServeApi>(*models_, "mlos-core", "9.9.9");
  }

  void Register(const std::string& id) {
    RegistrationRequest request;
    request.model_id = id;
    request.path = model_path_;
    auto result = models_->Register(request);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }

  HttpRequest Request(const std::string& method, const std::string& path,
                      const std::string& body = "", Headers headers = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.headers = std::move(headers);
    request.received = std::chrono::steady_clock::now();
    return request;
  }

  Kind KindOf(const std::string& method, const std::string& path) {
    const RouteAction action = api_->Route(Request(method, path));
    if (action.start) return Kind::kAsync;
    return action.blocking ? Kind::kBlocking : Kind::kInline;
  }

  // Runs the route as the server would, waiting for an asynchronous reply.
  HttpResponse Call(const std::string& method, const std::string& path,
                    const std::string& body = "", Headers headers = {}) {
    return Run(*api_, Request(method, path, body, std::move(headers)));
  }

  static std::string Error(const HttpResponse& response) {
    const Json body = Json::parse(response.body);
    EXPECT_EQ(body.size(), 1u) << response.body;
    return body.value("error", "");
  }

  static std::string Header(const HttpResponse& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  static Json VectorInput(const Json& data = {1, 2, 3}) {
    return {{"name", "x"}, {"shape", {1, 3}}, {"datatype", "FP32"}, {"data", data}};
  }

  std::unique_ptr<KServeApi> api_;
};

TEST_F(KServeApiTest, ServerMetadataAndHealth) {
  const HttpResponse metadata = Call("GET", "/v2");
  EXPECT_EQ(metadata.status, 200u);
  EXPECT_EQ(Json::parse(metadata.body), Json::parse(R"({"name":"mlos-core","version":"9.9.9",
                "extensions":["binary_tensor_data","model_repository","statistics"]})"));
  EXPECT_EQ(Call("GET", "/v2/health/live").status, 200u);
  EXPECT_EQ(Call("GET", "/v2/health/ready").status, 200u);
}

TEST_F(KServeApiTest, RouteKinds) {
  EXPECT_EQ(KindOf("GET", "/v2"), Kind::kInline);
  EXPECT_EQ(KindOf("GET", "/v2/health/ready"), Kind::kInline);
  EXPECT_EQ(KindOf("GET", "/v2/models/a%2Fb"), Kind::kInline);
  EXPECT_EQ(KindOf("GET", "/v2/models/a/b/versions/1/ready"), Kind::kInline);
  EXPECT_EQ(KindOf("GET", "/v2/models/stats"), Kind::kInline);
  EXPECT_EQ(KindOf("GET", "/v2/models/a/b/config"), Kind::kInline);
  EXPECT_EQ(KindOf("POST", "/v2/models/a/b/infer"), Kind::kAsync);
  EXPECT_EQ(KindOf("POST", "/v2/repository/index"), Kind::kBlocking);
  EXPECT_EQ(KindOf("POST", "/v2/repository/models/a%2Fb/load"), Kind::kBlocking);
  EXPECT_EQ(KindOf("POST", "/v2/repository/models/a/b/unload"), Kind::kBlocking);
}

TEST_F(KServeApiTest, UnknownRoutesAndMethods) {
  HttpResponse response = Call("GET", "/v2/nowhere");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(Error(response), "no route for GET /v2/nowhere");
  response = Call("GET", "/v2/models/local%2Fvector/infer");
  EXPECT_EQ(response.status, 405u);
  EXPECT_EQ(Error(response), "GET is not allowed on /v2/models/local%2Fvector/infer; use POST");
  EXPECT_EQ(Header(response, "Allow"), "POST");
  EXPECT_EQ(Call("POST", "/v2/health/live").status, 405u);
  EXPECT_EQ(Call("GET", "/v2/repository/index").status, 405u);
  EXPECT_EQ(Call("POST", "/v2/models/local%2Fvector").status, 405u);
  response = Call("GET", "/v2/models/bad%zz");
  EXPECT_EQ(response.status, 400u);
  EXPECT_NE(Error(response).find("bad%zz"), std::string::npos);
  response = Call("GET", "/v2/models/local%2Fvector%401/versions/2");
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Error(response),
            "model 'local/vector@1' names version '1' but the path asks for /versions/2");
}

TEST_F(KServeApiTest, ModelMetadataAndNaming) {
  Register("local/vector@1");
  Register("local/vector@2");
  const Json expected = Json::parse(R"({"name":"local/vector","versions":["1","2"],
      "platform":"echo",
      "inputs":[{"name":"x","datatype":"FP32","shape":[-1,3]}],
      "outputs":[{"name":"x_echo","datatype":"FP32","shape":[-1,3]}]})");
  for (const std::string path :
       {"/v2/models/local%2Fvector%401", "/v2/models/local/vector@1",
        "/v2/models/local%2Fvector/versions/1", "/v2/models/local/vector/versions/2"}) {
    SCOPED_TRACE(path);
    const HttpResponse response = Call("GET", path);
    ASSERT_EQ(response.status, 200u) << response.body;
    EXPECT_EQ(Json::parse(response.body), expected);
  }
  const HttpResponse config = Call("GET", "/v2/models/local/vector/versions/2/config");
  ASSERT_EQ(config.status, 200u) << config.body;
  EXPECT_EQ(Json::parse(config.body), Json::parse(R"({"name":"local/vector","platform":"echo",
      "backend":"echo","max_batch_size":0,
      "input":[{"name":"x","data_type":"TYPE_FP32","dims":[-1,3]}],
      "output":[{"name":"x_echo","data_type":"TYPE_FP32","dims":[-1,3]}]})"));
  const HttpResponse latest = Call("GET", "/v2/models/local%2Fvector");
  EXPECT_EQ(latest.status, 404u);
  EXPECT_NE(Error(latest).find("local/vector@latest"), std::string::npos) << latest.body;
}

TEST_F(KServeApiTest, ReadinessFollowsLoadAndUnload) {
  Register("local/vector@1");
  HttpResponse ready = Call("GET", "/v2/models/local%2Fvector/versions/1/ready");
  EXPECT_EQ(ready.status, 400u);
  EXPECT_EQ(Error(ready), "model 'local/vector@1' is not ready: it is unloaded");
  EXPECT_EQ(Call("GET", "/v2/models/local%2Fnothing/ready").status, 404u);

  Json index = Json::parse(Call("POST", "/v2/repository/index").body);
  EXPECT_EQ(index, Json::parse(R"([{"name":"local/vector","version":"1","state":"UNAVAILABLE",
                                    "reason":"unloaded"}])"));
  EXPECT_EQ(Json::parse(Call("POST", "/v2/repository/index", R"({"ready":true})").body),
            Json::array());

  const HttpResponse overridden = Call("POST", "/v2/repository/models/local%2Fvector%401/load",
                                       R"({"parameters":{"config":"{}"}})");
  EXPECT_EQ(overridden.status, 501u);
  EXPECT_NE(Error(overridden).find("load parameter \"config\""), std::string::npos);
  const HttpResponse loaded = Call("POST", "/v2/repository/models/local%2Fvector%401/load", "{}");
  ASSERT_EQ(loaded.status, 200u) << loaded.body;
  EXPECT_EQ(Call("GET", "/v2/models/local/vector/versions/1/ready").status, 200u);
  index = Json::parse(Call("POST", "/v2/repository/index", R"({"ready":true})").body);
  EXPECT_EQ(index, Json::parse(R"([{"name":"local/vector","version":"1","state":"READY"}])"));

  EXPECT_EQ(Call("POST", "/v2/repository/models/local/vector@1/unload").status, 200u);
  EXPECT_EQ(Call("GET", "/v2/models/local%2Fvector%401/ready").status, 400u);

  const HttpResponse unknown = Call("POST", "/v2/repository/models/local%2Fnothing/load");
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_NE(Error(unknown).find("local/nothing@latest"), std::string::npos);
  EXPECT_EQ(Call("POST", "/v2/repository/index", R"({"ready":1})").status, 400u);
  EXPECT_EQ(Call("POST", "/v2/repository/index", "[").status, 400u);
}

TEST_F(KServeApiTest, JsonInference) {
  Register("local/vector@1");
  const HttpResponse response =
      Call("POST", "/v2/models/local%2Fvector/versions/1/infer",
           Json{{"id", "abc"}, {"inputs", {VectorInput({0.5, 2, 3})}}}.dump());
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(Json::parse(response.body),
            Json::parse(R"({"model_name":"local/vector","model_version":"1","id":"abc",
                "outputs":[{"name":"x_echo","datatype":"FP32","shape":[1,3],"data":[0.5,2,3]}]})"));

  const Json stats = Json::parse(Call("GET", "/v2/models/local%2Fvector%401/stats").body);
  ASSERT_EQ(stats["model_stats"].size(), 1u);
  EXPECT_EQ(stats["model_stats"][0]["name"], "local/vector");
  EXPECT_EQ(stats["model_stats"][0]["version"], "1");
  EXPECT_EQ(stats["model_stats"][0]["inference_stats"]["success"]["count"], 1);
  EXPECT_EQ(Json::parse(Call("GET", "/v2/models/stats").body)["model_stats"].size(), 1u);
  EXPECT_EQ(Call("GET", "/v2/models/local%2Fnothing/stats").status, 404u);
}

TEST_F(KServeApiTest, BinaryInferenceBothWays) {
  Register("local/vector@1");
  const Json header = {
      {"inputs",
       {{{"name", "x"},
         {"shape", {2, 3}},
         {"datatype", "FP32"},
         {"parameters", {{"binary_data_size", 24}}}}}},
      {"outputs", {{{"name", "x_echo"}, {"parameters", {{"binary_data", true}}}}}}};
  const float values[6] = {1, 2, 3, 4, 5, 6.5};
  const std::string json = header.dump();
  const std::string body = json + std::string(reinterpret_cast<const char*>(values), 24);
  const HttpResponse response =
      Call("POST", "/v2/models/local/vector@1/infer", body,
           {{"Inference-Header-Content-Length", std::to_string(json.size())}});
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(response.content_type, "application/octet-stream");
  const std::string length = Header(response, "Inference-Header-Content-Length");
  ASSERT_FALSE(length.empty());
  const Json reply = Json::parse(response.body.substr(0, std::stoul(length)));
  EXPECT_EQ(reply["outputs"][0]["parameters"]["binary_data_size"], 24);
  EXPECT_EQ(reply["outputs"][0]["shape"], Json::array({2, 3}));
  EXPECT_EQ(response.body.substr(std::stoul(length)),
            std::string(reinterpret_cast<const char*>(values), 24));
}

TEST_F(KServeApiTest, InferenceErrors) {
  Register("local/vector@1");
  const std::string path = "/v2/models/local%2Fvector%401/infer";
  HttpResponse response = Call("POST", path, Json{{"inputs", {VectorInput({1, 2})}}}.dump());
  EXPECT_EQ(response.status, 400u);
  EXPECT_EQ(Error(response),
            "model 'local/vector@1': input 'x' (FP32 [-1, 3]): shape [1, 3] needs 3 elements, "
            "\"data\" has 2");
  response = Call("POST", path, "{");
  EXPECT_EQ(response.status, 400u);
  response = Call("POST", path, Json{{"inputs", {VectorInput()}}}.dump(),
                  {{"Inference-Header-Content-Length", "x"}});
  EXPECT_EQ(response.status, 400u);
  EXPECT_NE(Error(response).find("Inference-Header-Content-Length is \"x\""), std::string::npos);
  response =
      Call("POST", "/v2/models/local%2Fnothing/infer", Json{{"inputs", Json::array()}}.dump());
  EXPECT_EQ(response.status, 404u);
  EXPECT_NE(Error(response).find("local/nothing@latest"), std::string::npos);

  RegistrationRequest failing;  // the echo plugin fails to execute an input named "fail"
  failing.model_id = "local/failing@1";
  failing.path = testing::WriteFile(
      directory_ / "failing.echo", R"({"inputs":[{"name":"fail","datatype":"FP32","shape":[1]}]})");
  ASSERT_TRUE(models_->Register(failing).ok());
  response = Call(
      "POST", "/v2/models/local/failing@1/infer",
      Json{{"inputs", {{{"name", "fail"}, {"shape", {1}}, {"datatype", "FP32"}, {"data", {0}}}}}}
          .dump());
  EXPECT_EQ(response.status, 500u);
  EXPECT_NE(Error(response).find("the echo plugin was asked to fail"), std::string::npos);
}

}  // namespace
}  // namespace mlos::core
