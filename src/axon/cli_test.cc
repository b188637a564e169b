#include "axon/cli.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "axon/test_http_listener.h"
#include "axon/test_models.h"
#include "axon/testing/axon_command.h"

namespace mlos::axon {
namespace {

using testing::CommandResult;

class CliTest : public ::testing::Test {
 protected:
  CliTest() {
    ::setenv("AXON_HOME", home_.path().c_str(), 1);
    testing::WriteTinyOnnxModel(source_.path() + "/tiny/model.onnx");
  }
  ~CliTest() override { ::unsetenv("AXON_HOME"); }

  CommandResult Axon(std::vector<std::string> args) {
    return testing::RunAxonCommand(std::move(args));
  }
  std::string tiny() const { return source_.path() + "/tiny"; }
  std::string tiny_dir() const { return home_.path() + "/cache/models/local/tiny/latest"; }

  testing::TempDir home_;
  testing::TempDir source_;
};

TEST_F(CliTest, InstallPrintsIdAndDirectoryLast) {
  CommandResult r = Axon({"install", tiny(), "--as", "local/tiny@latest"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "installed local/tiny@latest -> " + tiny_dir() + "\n");
  EXPECT_EQ(r.err, "");

  r = Axon({"install", tiny()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "already installed with the same content; nothing to do\n"
            "installed local/tiny@latest -> " +
                tiny_dir() + "\n");
}

TEST_F(CliTest, InstallJsonIsOneObject) {
  const CommandResult r = Axon({"install", tiny(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["model_id"], "local/tiny@latest");
  EXPECT_EQ(json["path"], tiny_dir());
  EXPECT_EQ(json["manifest_path"], tiny_dir() + "/manifest.yaml");
  EXPECT_EQ(json["files"][0]["path"], "model.onnx");
  EXPECT_EQ(json["outcome"], "installed");
}

TEST_F(CliTest, ListAndInfo) {
  ASSERT_EQ(Axon({"install", tiny()}).exit_code, 0);
  EXPECT_EQ(Axon({"list", "--format", "names"}).out, "local/tiny@latest\n");
  EXPECT_EQ(nlohmann::json::parse(Axon({"list", "--format", "json"}).out)[0]["model_id"],
            "local/tiny@latest");
  EXPECT_EQ(Axon({"list"}).out.rfind("MODEL", 0), 0u);

  CommandResult r = Axon({"info", "local/tiny"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("inputs:\n  x  float32  [-1, 4]\n"), std::string::npos) << r.out;
  r = Axon({"info", "local/tiny@latest", "--json"});
  EXPECT_EQ(nlohmann::json::parse(r.out)["outputs"][0]["name"], "y");
}

TEST_F(CliTest, ExitCodes) {
  EXPECT_EQ(Axon({}).exit_code, kExitUsage);
  EXPECT_EQ(Axon({"frobnicate"}).exit_code, kExitUsage);
  EXPECT_EQ(Axon({"install"}).exit_code, kExitUsage);
  EXPECT_EQ(Axon({"list", "--format", "xml"}).exit_code, kExitUsage);

  CommandResult r = Axon({"--help"});
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_NE(r.out.find("Exit codes:"), std::string::npos) << r.out;

  r = Axon({"info", "local/absent"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("local/absent@latest is not installed"), std::string::npos) << r.err;
  r = Axon({"install", "nohub/absent-model"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("not a local directory"), std::string::npos) << r.err;
  r = Axon({"install", tiny(), "--as", "no-namespace"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("--as: model id \"no-namespace\""), std::string::npos) << r.err;

  ASSERT_EQ(Axon({"install", tiny()}).exit_code, 0);
  testing::WriteFile(tiny() + "/extra.txt", "more\n");
  r = Axon({"install", tiny()});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("use --force"), std::string::npos) << r.err;
  EXPECT_EQ(Axon({"install", tiny(), "--force"}).exit_code, kExitOk);

  r = Axon({"version"});
  EXPECT_EQ(r.out.rfind("axon ", 0), 0u);
}

TEST_F(CliTest, RegisterPrintsCoresMessageOrExitsThree) {
  ASSERT_EQ(Axon({"install", tiny()}).exit_code, 0);
  {
    testing::TestHttpListener core(200, R"({"status":"success","message":"registered it"})");
    const CommandResult r = Axon({"register", "local/tiny@latest", "--core", core.url()});
    EXPECT_EQ(r.exit_code, kExitOk) << r.err;
    EXPECT_EQ(r.out, "registered it\n");
    EXPECT_EQ(nlohmann::json::parse(core.Request().body)["path"], tiny_dir());
  }
  {
    testing::TestHttpListener core(409, R"({"status":"error","message":"conflict: other path"})");
    ::setenv("MLOS_CORE_ENDPOINT", core.url().c_str(), 1);
    const CommandResult r = Axon({"register", "local/tiny@latest"});
    ::unsetenv("MLOS_CORE_ENDPOINT");
    EXPECT_EQ(r.exit_code, kExitCore);
    EXPECT_NE(r.err.find("(HTTP 409): conflict: other path"), std::string::npos) << r.err;
  }
  std::string closed_url;
  {
    testing::TestHttpListener closed(200, "{}");
    closed_url = closed.url();
  }
  const CommandResult r = Axon({"register", "local/tiny@latest", "--core", closed_url});
  EXPECT_EQ(r.exit_code, kExitCore);
  EXPECT_NE(r.err.find("cannot reach MLOS Core at " + closed_url), std::string::npos) << r.err;
  EXPECT_EQ(Axon({"register", "local/absent", "--core", closed_url}).exit_code, kExitBadInput);
}

}  // namespace
}  // namespace mlos::axon
