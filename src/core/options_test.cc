#include "core/options.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/testing/test_files.h"

namespace mlos::core {
namespace {

class OptionsTest : public ::testing::Test {
 protected:
  StatusOr<OptionsOutcome> Parse(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), "mlos-core");
    std::vector<const char*> argv;
    for (const auto& argument : arguments) argv.push_back(argument.c_str());
    return ParseOptions(static_cast<int>(argv.size()), argv.data(), [this](const char* name) {
      const auto found = environment_.find(name);
      return found != environment_.end() ? found->second.c_str() : nullptr;
    });
  }

  CoreOptions Options(std::vector<std::string> arguments) {
    auto outcome = Parse(std::move(arguments));
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_FALSE(outcome.ok() && outcome->exit_code.has_value());
    return outcome.ok() ? outcome->options : CoreOptions{};
  }

  std::map<std::string, std::string> environment_ = {{"HOME", "/home/user"}};
};

TEST_F(OptionsTest, Defaults) {
  const CoreOptions options = Options({});
  EXPECT_EQ(options.http_port, 8080);
  EXPECT_EQ(options.grpc_port, 8081);
  EXPECT_EQ(options.host, "0.0.0.0");
  EXPECT_EQ(options.socket, "/tmp/mlos.sock");
  EXPECT_EQ(options.home, "/home/user/.mlos");
  EXPECT_EQ(options.plugin_dir, "/home/user/.mlos/plugins");
  EXPECT_EQ(options.models_dir, "/home/user/.mlos/models");
  EXPECT_EQ(options.max_request_bytes, 256u << 20);
  EXPECT_GE(options.worker_threads, 2u);
  EXPECT_FALSE(options.no_http);
}

TEST_F(OptionsTest, FlagBeatsEnvironmentBeatsConfigBeatsDefault) {
  const auto directory = testing::FreshDirectory("options_precedence");
  const std::string config = testing::WriteFile(directory / "core.yaml",
                                                "http_port: 1001\ngrpc_port: 1002\n"
                                                "socket: /run/config.sock\nno_ipc: true\n");
  environment_["MLOS_CONFIG"] = config;
  environment_["MLOS_HTTP_PORT"] = "2001";
  environment_["MLOS_GRPC_PORT"] = "2002";
  const CoreOptions options = Options({"--http-port", "3001"});
  EXPECT_EQ(options.config, config);
  EXPECT_EQ(options.http_port, 3001);             // flag
  EXPECT_EQ(options.grpc_port, 2002);             // environment
  EXPECT_EQ(options.socket, "/run/config.sock");  // config
  EXPECT_TRUE(options.no_ipc);                    // config
  EXPECT_EQ(options.host, "0.0.0.0");             // default
}

TEST_F(OptionsTest, SwitchesPathsAndTilde) {
  environment_["MLOS_NO_GRPC"] = "yes";
  const CoreOptions options =
      Options({"--no-http", "--home", "~/srv", "--plugin-dir", "/p", "--http-port", "0"});
  EXPECT_TRUE(options.no_http);
  EXPECT_TRUE(options.no_grpc);
  EXPECT_FALSE(options.no_ipc);
  EXPECT_EQ(options.home, "/home/user/srv");
  EXPECT_EQ(options.plugin_dir, "/p");
  EXPECT_EQ(options.models_dir, "/home/user/srv/models");
  EXPECT_EQ(options.http_port, 0);
}

TEST_F(OptionsTest, ErrorsNameTheOptionAndItsSource) {
  environment_["MLOS_HTTP_PORT"] = "eighty";
  EXPECT_EQ(Parse({}).status().message(),
            "environment variable MLOS_HTTP_PORT: expected an integer from 0 to 65535, got "
            "'eighty'");
  environment_.erase("MLOS_HTTP_PORT");
  EXPECT_EQ(Parse({"--http-port", "70000"}).status().message(),
            "--http-port: expected an integer from 0 to 65535, got '70000'");
  EXPECT_EQ(Parse({"--log-level", "loud"}).status().message(),
            "--log-level: expected one of trace, debug, info, warn, error, off, got 'loud'");

  const auto directory = testing::FreshDirectory("options_errors");
  const std::string unknown = testing::WriteFile(directory / "unknown.yaml", "http_prot: 1\n");
  EXPECT_TRUE(Parse({"--config", unknown})
                  .status()
                  .message()
                  .starts_with("config " + unknown + ": unknown option 'http_prot'; known: host, "))
      << Parse({"--config", unknown}).status().message();
  const std::string bad = testing::WriteFile(directory / "bad.yaml", "no_http: maybe\n");
  EXPECT_EQ(Parse({"--config", bad}).status().message(),
            "config " + bad + " key no_http: expected true or false, got 'maybe'");
  EXPECT_FALSE(Parse({"--config", (directory / "missing.yaml").string()}).ok());
}

TEST_F(OptionsTest, ConfigFileCarriesPluginConfigurations) {
  const auto directory = testing::FreshDirectory("options_plugins");
  const std::string config = testing::WriteFile(
      directory / "core.yaml", "plugins:\n  torchscript:\n    threads: 2\n    name: x\n");
  const CoreOptions options = Options({"--config", config});
  ASSERT_EQ(options.plugin_configs.size(), 1u);
  EXPECT_EQ(options.plugin_configs.at("torchscript"),
            nlohmann::json::parse(R"({"threads": 2, "name": "x"})"));
  const std::string bad = testing::WriteFile(directory / "bad.yaml", "plugins:\n  onnx: 4\n");
  EXPECT_EQ(Parse({"--config", bad}).status().message(),
            "config " + bad + ": plugins.onnx must be a mapping");
}

TEST_F(OptionsTest, HelpAndUsageErrorsExit) {
  auto help = Parse({"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->exit_code, 0);
  auto unknown = Parse({"--no-such-flag"});
  ASSERT_TRUE(unknown.ok());
  ASSERT_TRUE(unknown->exit_code.has_value());
  EXPECT_NE(*unknown->exit_code, 0);
}

}  // namespace
}  // namespace mlos::core
