#include "axon/hubs/huggingface_search.h"

#include <gtest/gtest.h>

namespace mlos::axon {
namespace {

TEST(HuggingFaceSearch, UrlEncodesTheQuery) {
  EXPECT_EQ(HfSearchUrl({"https://hub.example", ""}, {"bert base&x=1", 5}),
            "https://hub.example/api/models?search=bert%20base%26x%3D1&limit=5");
}

TEST(HuggingFaceSearch, ParsesTheModelList) {
  // The shape of GET /api/models?search=...: lastModified only where the Hub includes it.
  const std::string body = R"([
    {"_id": "1", "id": "google-bert/bert-base-uncased", "likes": 2400, "downloads": 60000000,
     "pipeline_tag": "fill-mask", "library_name": "transformers", "tags": ["pytorch"],
     "createdAt": "2022-03-02T23:29:04.000Z", "lastModified": "2024-02-19T11:06:12.000Z"},
    {"id": "org/tiny", "private": false}])";
  const StatusOr<std::vector<SearchHit>> hits = ParseHfSearch(body, "URL");
  ASSERT_TRUE(hits.ok()) << hits.status().message();
  ASSERT_EQ(hits->size(), 2u);
  const SearchHit& bert = (*hits)[0];
  EXPECT_EQ(bert.id, "hf/google-bert/bert-base-uncased");
  EXPECT_EQ(bert.source, "hf");
  EXPECT_EQ(bert.task, "fill-mask");
  EXPECT_EQ(bert.format, "transformers");
  EXPECT_EQ(bert.downloads, 60000000u);
  EXPECT_EQ(bert.likes, 2400u);
  EXPECT_EQ(bert.updated, "2024-02-19T11:06:12.000Z");
  const SearchHit& tiny = (*hits)[1];
  EXPECT_EQ(tiny.id, "hf/org/tiny");
  EXPECT_FALSE(tiny.downloads.has_value());
  EXPECT_TRUE(tiny.task.empty());
}

TEST(HuggingFaceSearch, RefusesWhatIsNotAModelList) {
  for (const std::string body : {"{}", "not json", "[{\"likes\": 1}]", "[3]"}) {
    const StatusOr<std::vector<SearchHit>> hits = ParseHfSearch(body, "http://h/api/models");
    EXPECT_FALSE(hits.ok()) << body;
    EXPECT_NE(hits.status().message().find("http://h/api/models"), std::string::npos);
  }
}

}  // namespace
}  // namespace mlos::axon
