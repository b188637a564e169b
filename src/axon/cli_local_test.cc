// The local commands through the real command line (RunAxon): exit codes, output, --json.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "axon/cli.h"
#include "axon/test_models.h"
#include "axon/testing/axon_command.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;

class CliLocalTest : public ::testing::Test {
 protected:
  CliLocalTest() {
    ::setenv("AXON_HOME", home_.path().c_str(), 1);
    testing::WriteTinyOnnxModel(source_.path() + "/tiny/model.onnx");
    testing::WriteFile(source_.path() + "/tiny/labels.txt", "cat\ndog\n");
  }
  ~CliLocalTest() override { ::unsetenv("AXON_HOME"); }

  CommandResult Axon(std::vector<std::string> args) {
    return testing::RunAxonCommand(std::move(args));
  }
  void InstallTiny(const std::string& id) {
    const CommandResult r = Axon({"install", source_.path() + "/tiny", "--as", id});
    ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  }
  std::string model_dir(const std::string& relative) const {
    return home_.path() + "/cache/models/" + relative;
  }

  testing::TempDir home_;
  testing::TempDir source_;
  testing::TempDir work_;
};

TEST_F(CliLocalTest, EveryCommandHasHelp) {
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"init"},
                                             {"uninstall"},
                                             {"verify"},
                                             {"cache"},
                                             {"cache", "list"},
                                             {"cache", "stats"},
                                             {"cache", "clean"},
                                             {"cache", "prune"},
                                             {"config"},
                                             {"config", "get"},
                                             {"config", "set"},
                                             {"config", "list"},
                                             {"pack"},
                                             {"export"}}) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    const CommandResult r = Axon(args);
    EXPECT_EQ(r.exit_code, kExitOk) << command[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << command[0] << ": " << r.out;
  }
  EXPECT_EQ(Axon({"cache"}).exit_code, kExitUsage);
  EXPECT_EQ(Axon({"config", "set", "core.url"}).exit_code, kExitUsage);
  EXPECT_EQ(Axon({"pack", work_.path()}).exit_code, kExitUsage);  // -o is required
}

TEST_F(CliLocalTest, InitIsIdempotent) {
  CommandResult r = Axon({"init", "--json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["created"].size(), 4u);
  EXPECT_TRUE(fs::exists(home_.path() + "/config.yaml"));
  r = Axon({"init"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "axon home ready at " + home_.path() + "\n");
}

TEST_F(CliLocalTest, ConfigSetGetList) {
  CommandResult r = Axon({"config", "set", "download.part_mib", "32"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(Axon({"config", "get", "download.part_mib"}).out, "32\n");
  EXPECT_EQ(Axon({"config", "get", "core.url"}).out, "http://127.0.0.1:8080\n");
  const nlohmann::json all = nlohmann::json::parse(Axon({"config", "list", "--json"}).out);
  EXPECT_EQ(all["download.part_mib"], "32");
  EXPECT_EQ(all["hf.endpoint"], "https://huggingface.co");
  EXPECT_NE(Axon({"config", "list"}).out.find("download.part_mib = 32\n"), std::string::npos);

  r = Axon({"config", "set", "download.part_mib", "big"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("download.part_mib: expected an integer"), std::string::npos) << r.err;
  r = Axon({"config", "get", "no.such"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("unknown config key \"no.such\""), std::string::npos) << r.err;
  EXPECT_EQ(Axon({"config", "get", "download.part_mib"}).out, "32\n");  // unchanged
}

TEST_F(CliLocalTest, VerifyFindsATamperedFile) {
  InstallTiny("local/tiny@v1");
  CommandResult r = Axon({"verify", "local/tiny@v1"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "local/tiny@v1: 2 files intact\n");

  // Replace the tree's file (not the shared blob) with same-size, different content.
  const std::string labels = model_dir("local/tiny/v1/labels.txt");
  fs::remove(labels);
  testing::WriteFile(labels, "cat\nemu\n");
  r = Axon({"verify", "local/tiny@v1"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("labels.txt: sha256 is "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the manifest says "), std::string::npos) << r.err;

  r = Axon({"verify", "local/tiny@v1", "--json"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  const nlohmann::json json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["intact"], false);
  ASSERT_EQ(json["problems"].size(), 1u);
  EXPECT_EQ(json["problems"][0]["path"], "labels.txt");
  EXPECT_EQ(json["problems"][0]["problem"], "sha256");

  fs::remove(labels);
  r = Axon({"verify", "local/tiny@v1"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("labels.txt: missing"), std::string::npos) << r.err;

  EXPECT_EQ(Axon({"verify", "local/absent@v1"}).exit_code, kExitBadInput);
  testing::WriteFile(model_dir("local/tiny/v1/manifest.yaml"), "apiVersion: nope\n");
  EXPECT_EQ(Axon({"verify", "local/tiny@v1"}).exit_code, kExitBadInput);
}

TEST_F(CliLocalTest, UninstallAndCache) {
  InstallTiny("local/tiny@v1");
  InstallTiny("local/tiny@v2");
  nlohmann::json stats = nlohmann::json::parse(Axon({"cache", "stats", "--json"}).out);
  EXPECT_EQ(stats["models"], 2);
  EXPECT_EQ(stats["blobs"], 2);
  EXPECT_EQ(stats["deduplicated_bytes"], stats["blob_bytes"]);  // v2 shares all of v1

  CommandResult r = Axon({"uninstall", "local/tiny@v1"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "uninstalled local/tiny@v1\n");
  EXPECT_EQ(Axon({"list", "--format", "names"}).out, "local/tiny@v2\n");
  EXPECT_EQ(Axon({"uninstall", "local/tiny@v1"}).exit_code, kExitBadInput);
  EXPECT_EQ(Axon({"uninstall", "not a spec"}).exit_code, kExitBadInput);

  const nlohmann::json blobs = nlohmann::json::parse(Axon({"cache", "list", "--json"}).out);
  ASSERT_EQ(blobs["blobs"].size(), 2u);
  EXPECT_EQ(blobs["blobs"][0]["models"], nlohmann::json::array({"local/tiny@v2"}));
  EXPECT_NE(Axon({"cache", "list"}).out.find("local/tiny@v2"), std::string::npos);

  r = Axon({"uninstall", "local/tiny", "--all-versions", "--json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["removed"], nlohmann::json::array({"local/tiny@v2"}));
  stats = nlohmann::json::parse(Axon({"cache", "stats", "--json"}).out);
  EXPECT_EQ(stats["unreferenced_blobs"], 2);

  r = Axon({"cache", "prune", "--json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["removed_blobs"].size(), 2u);
  EXPECT_TRUE(fs::is_empty(home_.path() + "/cache/blobs/sha256"));

  testing::WriteFile(home_.path() + "/cache/tmp/install-dead/x", "left over");
  r = Axon({"cache", "clean"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("cleaned 1 entries"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(home_.path() + "/cache/tmp/install-dead"));
}

TEST_F(CliLocalTest, ExportPackInstallVerify) {
  InstallTiny("local/tiny@v1");
  const std::string dir = work_.path() + "/pkg";
  const std::string archive = work_.path() + "/tiny.axon";
  CommandResult r = Axon({"export", "local/tiny@v1", dir});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(Axon({"export", "local/tiny@v1", dir}).exit_code, kExitBadInput);  // not empty
  r = Axon({"pack", dir, "-o", archive, "--json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["model_id"], "local/tiny@v1");
  ASSERT_EQ(Axon({"uninstall", "local/tiny@v1"}).exit_code, kExitOk);

  r = Axon({"install", archive});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "installed local/tiny@v1 -> " + model_dir("local/tiny/v1") + "\n");
  r = Axon({"verify", "local/tiny@v1"});
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;

  testing::WriteFile(dir + "/labels.txt", "changed!");
  r = Axon({"pack", dir, "-o", work_.path() + "/bad.axon"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_NE(r.err.find("labels.txt"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mlos::axon
