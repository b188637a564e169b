#include "axon/model_ref.h"

#include <gtest/gtest.h>

namespace mlos::axon {
namespace {

TEST(ModelRefTest, ParsesIdWithAndWithoutVersion) {
  StatusOr<ModelRef> ref = ParseModelRef("hf/bert-base-uncased@v1.0");
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  EXPECT_EQ(ref->namespace_, "hf");
  EXPECT_EQ(ref->name, "bert-base-uncased");
  EXPECT_EQ(ref->version, "v1.0");
  EXPECT_EQ(ref->relative_dir(), "hf/bert-base-uncased/v1.0");

  ref = ParseModelRef("local/tiny");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->id(), "local/tiny@latest");
}

TEST(ModelRefTest, NameMayHaveSeveralSegments) {
  StatusOr<ModelRef> ref = ParseModelRef("pytorch/vision/resnet50@latest");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->namespace_, "pytorch");
  EXPECT_EQ(ref->name, "vision/resnet50");
}

TEST(ModelRefTest, RefusesIdsThatEscapeTheStore) {
  EXPECT_EQ(ParseModelRef("tiny").status().message(),
            "model id \"tiny\": expected namespace/name[@version]");
  EXPECT_EQ(ParseModelRef("local/../etc@latest").status().message(),
            "model id \"local/../etc@latest\": name may not be '.' or '..'");
  EXPECT_EQ(ParseModelRef("local/a@").status().message(),
            "model id \"local/a@\": version is empty");
  EXPECT_EQ(ParseModelRef("/abs@1").status().message(), "model id \"/abs@1\": namespace is empty");
  EXPECT_FALSE(ParseModelRef("local/a b").ok());
  EXPECT_FALSE(ParseModelRef("local/a//b").ok());
  EXPECT_FALSE(ParseModelRef("local/a@x/y").ok());
}

TEST(ModelRefTest, SanitizeNameLowercasesAndReplaces) {
  EXPECT_EQ(SanitizeName("My Model (v2)"), "my-model--v2-");
  EXPECT_EQ(SanitizeName("resnet_50.v1"), "resnet_50.v1");
  EXPECT_EQ(SanitizeName(""), "model");
  EXPECT_EQ(SanitizeName(".."), "model");
}

}  // namespace
}  // namespace mlos::axon
