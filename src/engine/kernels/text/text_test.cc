#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"
#include "engine/kernels/text/case_mapping.h"

namespace mlos::engine::testing {
namespace {

Tensor Strings(Shape shape, std::vector<std::string> values) {
  Tensor tensor(DataType::kString, std::move(shape));
  tensor.strings() = std::move(values);
  return tensor;
}

NodeBuilder& StringsAttribute(NodeBuilder& node, const std::string& name,
                              const std::vector<std::string>& values) {
  onnx::NodeProto& proto = const_cast<onnx::NodeProto&>(node.Build());
  onnx::AttributeProto* attribute = proto.add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::STRINGS);
  for (const std::string& value : values) attribute->add_strings(value);
  return node;
}

void ExpectStrings(const Tensor& actual, Shape shape, const std::vector<std::string>& expected) {
  ASSERT_EQ(actual.dtype(), DataType::kString);
  EXPECT_EQ(actual.shape(), shape);
  EXPECT_EQ(actual.strings(), expected);
}

TEST(CaseMappingTest, MapsAsciiLatinGreekCyrillicAndKeepsInvalidBytes) {
  EXPECT_EQ(ToUpperUtf8("monday Ünïcödé ÿ straße"), "MONDAY ÜNÏCÖDÉ Ÿ STRAßE");
  EXPECT_EQ(ToLowerUtf8("ÀÉÎÕÜ Ÿ ĀĒ Ł ΑΒΓ ΣΩ ПРИВЕТ Ё"), "àéîõü ÿ āē ł αβγ σω привет ё");
  EXPECT_EQ(ToUpperUtf8("ς×÷"), "Σ×÷");
  EXPECT_EQ(ToLowerUtf8("A\xff\xc3(B"), "a\xff\xc3(b");
}

TEST(StringNormalizerTest, DropsStopwordsCaseInsensitivelyAndUppercases) {
  NodeBuilder node = Node("StringNormalizer", 1);
  node.String("case_change_action", "UPPER");
  StringsAttribute(node, "stopwords", {"monday"});
  ExpectStrings(RunOne(node, {Strings({1, 4}, {"Monday", "tuesday", "MONDAY", "Ärger"})}, 10),
                {1, 2}, {"TUESDAY", "ÄRGER"});
}

TEST(StringNormalizerTest, CaseSensitiveLowerAndEmptyOutputs) {
  NodeBuilder node = Node("StringNormalizer", 1);
  node.String("case_change_action", "LOWER").Int("is_case_sensitive", 1);
  StringsAttribute(node, "stopwords", {"monday"});
  ExpectStrings(RunOne(node, {Strings({3}, {"monday", "Monday", "TUESDAY"})}, 10), {2},
                {"monday", "tuesday"});
  ExpectStrings(RunOne(node, {Strings({2}, {"monday", "monday"})}, 10), {1}, {""});
  ExpectStrings(RunOne(node, {Strings({1, 1}, {"monday"})}, 10), {1, 1}, {""});
}

TEST(StringNormalizerTest, RejectsBadActionAndShape) {
  EXPECT_NE(RunError(Node("StringNormalizer", 1).String("case_change_action", "TITLE"),
                     {Strings({1}, {"a"})}, 10)
                .find("attribute case_change_action"),
            std::string::npos);
  EXPECT_NE(RunError(Node("StringNormalizer", 1), {Strings({2, 2}, {"a", "b", "c", "d"})}, 10)
                .find("shape [C] or [1, C]"),
            std::string::npos);
}

// The pool of the suite's TfIdfVectorizer cases: 1-grams 2, 3, 5, 4 and 2-grams (5, 6), (7, 8),
// (6, 7), at coordinates 0 to 6.
NodeBuilder IntegerPoolNode(int64_t min_gram, int64_t max_skip,
                            std::vector<int64_t> ngram_counts = {0, 4}) {
  NodeBuilder node = Node("TfIdfVectorizer", 1);
  node.String("mode", "TF")
      .Int("min_gram_length", min_gram)
      .Int("max_gram_length", 2)
      .Int("max_skip_count", max_skip)
      .Ints("ngram_counts", ngram_counts)
      .Ints("ngram_indexes", {0, 1, 2, 3, 4, 5, 6})
      .Ints("pool_int64s", {2, 3, 5, 4, 5, 6, 7, 8, 6, 7});
  return node;
}

TEST(TfIdfVectorizerTest, IntegerPoolWithSkips) {
  const std::vector<int32_t> tokens = {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8};
  ExpectTensorNear<float>(RunOne(IntegerPoolNode(1, 5), {MakeTensor<int32_t>({12}, tokens)}, 9),
                          {7}, {0, 3, 1, 0, 1, 3, 1});
  ExpectTensorNear<float>(RunOne(IntegerPoolNode(1, 5), {MakeTensor<int32_t>({2, 6}, tokens)}, 9),
                          {2, 7}, {0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1});
  ExpectTensorNear<float>(
      RunOne(IntegerPoolNode(2, 0),
             {MakeTensor<int64_t>({2, 6}, {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8})}, 9),
      {2, 7}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1});
}

NodeBuilder StringPoolNode(const std::string& mode) {
  NodeBuilder node = Node("TfIdfVectorizer", 1);
  node.String("mode", mode)
      .Int("min_gram_length", 1)
      .Int("max_gram_length", 2)
      .Int("max_skip_count", 0)
      .Ints("ngram_counts", {0, 3})
      .Ints("ngram_indexes", {0, 1, 2, 3, 4})
      .Floats("weights", {1, 2, 3, 0.5, 4});
  StringsAttribute(node, "pool_strings", {"a", "b", "c", "a", "b", "b", "c"});
  return node;
}

TEST(TfIdfVectorizerTest, StringPoolWeightedModes) {
  Tensor x = Strings({2, 5}, {"a", "b", "c", "a", "b", "c", "c", "x", "b", "c"});
  // Counts per row: a 2, b 2, c 1, (a, b) 2, (b, c) 1 and a 0, b 1, c 3, (a, b) 0, (b, c) 1.
  ExpectTensorNear<float>(RunOne(StringPoolNode("TFIDF"), {x}, 9), {2, 5},
                          {2, 4, 3, 1, 4, 0, 2, 9, 0, 4});
  ExpectTensorNear<float>(RunOne(StringPoolNode("IDF"), {x}, 9), {2, 5},
                          {1, 2, 3, 0.5, 4, 0, 2, 3, 0, 4});
}

TEST(TfIdfVectorizerTest, RejectsInconsistentAttributesAndInputType) {
  EXPECT_NE(RunError(Node("TfIdfVectorizer", 1).String("mode", "BM25"),
                     {MakeTensor<int32_t>({1}, {1})}, 9)
                .find("attribute mode"),
            std::string::npos);
  NodeBuilder short_indexes = Node("TfIdfVectorizer", 1);
  short_indexes.String("mode", "TF")
      .Int("min_gram_length", 1)
      .Int("max_gram_length", 1)
      .Ints("ngram_counts", {0})
      .Ints("ngram_indexes", {0})
      .Ints("pool_int64s", {4, 5});
  EXPECT_NE(RunError(short_indexes, {MakeTensor<int32_t>({1}, {1})}, 9)
                .find("attribute ngram_indexes: has 1 entries for a pool of 2 n-grams"),
            std::string::npos);
  EXPECT_NE(RunError(IntegerPoolNode(1, 0, {0, 3}), {MakeTensor<int32_t>({1}, {1})}, 9)
                .find("the 2-grams span pool entries [3, 10)"),
            std::string::npos);
  EXPECT_NE(RunError(IntegerPoolNode(1, 0), {Strings({1}, {"a"})}, 9).find("int32 or int64"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
