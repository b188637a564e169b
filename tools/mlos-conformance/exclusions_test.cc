#include "tools/mlos-conformance/exclusions.h"

#include <gtest/gtest.h>

namespace mlos::conformance {
namespace {

TEST(ParseExclusions, CasesWithReasonsCommentsAndBlankLines) {
  const StatusOr<Exclusions> exclusions = ParseExclusions(
      "# header comment\n"
      "\n"
      "node/test_a  # complex numbers are not supported\n"
      "   pytorch-converted/test_b\t#  training mode only   \r\n"
      "  # indented comment\n");
  ASSERT_TRUE(exclusions.ok()) << exclusions.status().ToString();
  const Exclusions expected = {{"node/test_a", "complex numbers are not supported"},
                               {"pytorch-converted/test_b", "training mode only"}};
  EXPECT_EQ(*exclusions, expected);
}

TEST(ParseExclusions, EmptyTextHasNoCases) {
  const StatusOr<Exclusions> exclusions = ParseExclusions("");
  ASSERT_TRUE(exclusions.ok());
  EXPECT_TRUE(exclusions->empty());
}

TEST(ParseExclusions, CaseWithoutReasonFails) {
  for (const char* text : {"node/test_a\n", "node/test_a #\n", "node/test_a #   \n"}) {
    const StatusOr<Exclusions> exclusions = ParseExclusions(std::string("# ok\n") + text);
    ASSERT_FALSE(exclusions.ok()) << text;
    EXPECT_NE(exclusions.status().message().find("line 2"), std::string::npos);
    EXPECT_NE(exclusions.status().message().find("needs a reason"), std::string::npos);
  }
}

TEST(ParseExclusions, TwoCasesOnOneLineFail) {
  EXPECT_FALSE(ParseExclusions("node/test_a node/test_b # why\n").ok());
}

TEST(ParseExclusions, DuplicateCaseFails) {
  const StatusOr<Exclusions> exclusions = ParseExclusions("node/test_a # one\nnode/test_a # two\n");
  ASSERT_FALSE(exclusions.ok());
  EXPECT_NE(exclusions.status().message().find("listed twice"), std::string::npos);
}

TEST(ReadExclusions, MissingFileIsNotFound) {
  EXPECT_EQ(ReadExclusions("/nonexistent/exclusions.txt").status().code(), StatusCode::kNotFound);
}

TEST(ReadExclusions, CheckedInListParses) {
  const StatusOr<Exclusions> exclusions =
      ReadExclusions(std::string(MLOS_CONFORMANCE_SOURCE_DIR) + "/exclusions.txt");
  EXPECT_TRUE(exclusions.ok()) << exclusions.status().ToString();
}

}  // namespace
}  // namespace mlos::conformance
