#include "core/api/http/url.h"

#include <gtest/gtest.h>

namespace mlos::core {
namespace {

TEST(UrlTest, PercentDecodesModelIds) {
  EXPECT_EQ(*PercentDecode("local%2Fmlp%40latest"), "local/mlp@latest");
  EXPECT_EQ(*PercentDecode("local%2fmlp%40latest"), "local/mlp@latest");
  EXPECT_EQ(*PercentDecode("local/mlp@latest"), "local/mlp@latest");
  EXPECT_EQ(*PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("bad%4").status().message(),
            "'bad%4': '%' at offset 3 is not followed by two hex digits");
  EXPECT_FALSE(PercentDecode("%zz").ok());
  EXPECT_FALSE(PercentDecode("%").ok());
}

TEST(UrlTest, PercentEncodeRoundTrips) {
  EXPECT_EQ(PercentEncode("local/mlp@latest"), "local%2Fmlp%40latest");
  EXPECT_EQ(PercentEncode("a-b.c_d~e"), "a-b.c_d~e");
  EXPECT_EQ(*PercentDecode(PercentEncode("hf/x y@1+2")), "hf/x y@1+2");
}

TEST(UrlTest, ReadsQueryValues) {
  EXPECT_EQ(QueryValue("include_outputs=false", "include_outputs"), "false");
  EXPECT_EQ(QueryValue("a=1&include_outputs=0&b", "include_outputs"), "0");
  EXPECT_EQ(QueryValue("a=1&b", "b"), "");
  EXPECT_EQ(QueryValue("a=x+y%21", "a"), "x y!");
  EXPECT_EQ(QueryValue("a=1", "include_outputs"), std::nullopt);
  EXPECT_EQ(QueryValue("", "a"), std::nullopt);
}

}  // namespace
}  // namespace mlos::core
