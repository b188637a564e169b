#include "axon/config.h"

#include <gtest/gtest.h>

#include "axon/test_models.h"

namespace mlos::axon {
namespace {

TEST(AxonConfigTest, DefaultsWithoutAFile) {
  testing::TempDir home;
  StatusOr<AxonConfig> config = AxonConfig::Load(home.path());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->core_url(), "http://127.0.0.1:8080");
  EXPECT_EQ(config->hf_endpoint(), "https://huggingface.co");
  EXPECT_EQ(config->registry_url(), "");
  EXPECT_EQ(config->parallel_files(), 4);
  EXPECT_EQ(config->part_mib(), 16);
  EXPECT_EQ(config->values().size(), KnownConfigKeys().size());
}

TEST(AxonConfigTest, SetSaveLoadRoundTrip) {
  testing::TempDir home;
  AxonConfig config;
  ASSERT_TRUE(config.Set("core.url", "http://10.0.0.5:9000").ok());
  ASSERT_TRUE(config.Set("download.parallel_files", "8").ok());
  ASSERT_TRUE(config.Set("registry.url", "https://models.example/registry").ok());
  ASSERT_TRUE(config.Save(home.path()).ok());
  StatusOr<AxonConfig> loaded = AxonConfig::Load(home.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->core_url(), "http://10.0.0.5:9000");
  EXPECT_EQ(loaded->parallel_files(), 8);
  EXPECT_EQ(loaded->registry_url(), "https://models.example/registry");
  EXPECT_EQ(loaded->values(), config.values());
}

TEST(AxonConfigTest, RefusesUnknownKeysAndBadValues) {
  AxonConfig config;
  const Status unknown = config.Set("core.port", "1");
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("known keys: core.url"), std::string::npos) << unknown.message();
  EXPECT_FALSE(config.Get("nope").ok());
  for (const char* bad : {"0", "65", "four", "4x", "-1", ""}) {
    EXPECT_FALSE(config.Set("download.parallel_files", bad).ok()) << bad;
  }
  for (const char* bad : {"localhost:8080", "ftp://x", "http://", "http://a b", ""}) {
    EXPECT_FALSE(config.Set("core.url", bad).ok()) << bad;
  }
  EXPECT_TRUE(config.Set("registry.url", "").ok());  // optional
  EXPECT_EQ(config.parallel_files(), 4);             // nothing bad was stored
}

TEST(AxonConfigTest, BadFileIsAnErrorNamingFileAndKey) {
  testing::TempDir home;
  testing::WriteFile(home.path() + "/config.yaml", "download:\n  parallel_files: 1000\n");
  StatusOr<AxonConfig> config = AxonConfig::Load(home.path());
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(home.path() + "/config.yaml: download.parallel_files"),
            std::string::npos)
      << config.status().message();

  testing::WriteFile(home.path() + "/config.yaml", "core:\n  urll: http://x\n");
  EXPECT_NE(AxonConfig::Load(home.path()).status().message().find("core.urll"), std::string::npos);
  testing::WriteFile(home.path() + "/config.yaml", "core: [1, 2\n");
  EXPECT_FALSE(AxonConfig::Load(home.path()).ok());
}

}  // namespace
}  // namespace mlos::axon
