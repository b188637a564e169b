#include "core/model_id.h"

#include <gtest/gtest.h>

namespace mlos::core {
namespace {

TEST(ModelIdTest, SplitsNamespaceNameAndVersion) {
  auto id = ParseModelId("hf/google/bert-base_uncased@v1.0+cpu");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->namespace_, "hf");
  EXPECT_EQ(id->name, "google/bert-base_uncased");
  EXPECT_EQ(id->version, "v1.0+cpu");
}

TEST(ModelIdTest, SaysWhichRuleIsBroken) {
  EXPECT_EQ(ParseModelId("mlp@latest").status().message(),
            "model_id 'mlp@latest': no '/' after the namespace; expected namespace/name@version, "
            "e.g. local/mlp@latest");
  EXPECT_NE(ParseModelId("local/mlp").status().message().find("no '@' before the version"),
            std::string::npos);
  EXPECT_NE(ParseModelId("/mlp@1").status().message().find("the namespace must be"),
            std::string::npos);
  EXPECT_NE(ParseModelId("local/@1").status().message().find("the name must be"),
            std::string::npos);
  EXPECT_NE(ParseModelId("local/m p@1").status().message().find("the name must be"),
            std::string::npos);
  EXPECT_NE(ParseModelId("local/mlp@").status().message().find("the version must be"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::core
