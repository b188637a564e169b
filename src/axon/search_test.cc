#include "axon/search.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mlos::axon {
namespace {

SearchHit Hit(const std::string& id, const std::string& source) {
  SearchHit hit;
  hit.id = id;
  hit.source = source;
  return hit;
}

// A source answering `hits` (or failing with `error` when it is not OK).
SearchSource Source(const std::string& name, std::vector<SearchHit> hits,
                    Status error = Status::Ok()) {
  return {
      name,
      [hits, error](const SearchRequest&, const AxonConfig&) -> StatusOr<std::vector<SearchHit>> {
        if (!error.ok()) return error;
        return hits;
      }};
}

TEST(Search, MatchesQueryIgnoresCase) {
  EXPECT_TRUE(MatchesQuery("hf/Org/BERT-base", "bert"));
  EXPECT_TRUE(MatchesQuery("anything", ""));
  EXPECT_FALSE(MatchesQuery("resnet", "bert"));
}

TEST(Search, InstalledModelsMatchByIdOrDescription) {
  std::vector<InstalledModel> models(3);
  models[0].manifest.namespace_ = "local";
  models[0].manifest.name = "mlp";
  models[0].manifest.version = "latest";
  models[0].manifest.execution_format = "onnx";
  models[1].manifest.namespace_ = "hf";
  models[1].manifest.name = "org/net";
  models[1].manifest.version = "main";
  models[1].manifest.description = "A tiny MLP for tests";
  models[2].manifest.namespace_ = "hf";
  models[2].manifest.name = "org/resnet";
  models[2].manifest.version = "main";
  std::vector<SearchHit> hits = SearchInstalled(models, {"mlp", 10});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, "local/mlp@latest");
  EXPECT_EQ(hits[0].source, "installed");
  EXPECT_EQ(hits[0].format, "onnx");
  EXPECT_EQ(hits[1].id, "hf/org/net@main");
  EXPECT_EQ(SearchInstalled(models, {"mlp", 1}).size(), 1u);
}

TEST(Search, AFailingSourceIsAWarningAndEachSourceIsCutToTheLimit) {
  const std::vector<SearchSource> sources = {
      Source("hf", {Hit("hf/a", "hf"), Hit("hf/b", "hf"), Hit("hf/c", "hf")}),
      Source("registry", {}, Unavailable("registry down")),
      Source("installed", {Hit("local/a@latest", "installed")})};
  const SearchOutcome outcome = RunSearch(sources, {"a", 2}, AxonConfig());
  ASSERT_EQ(outcome.hits.size(), 3u);
  EXPECT_EQ(outcome.hits[0].id, "hf/a");
  EXPECT_EQ(outcome.hits[1].id, "hf/b");
  EXPECT_EQ(outcome.hits[2].id, "local/a@latest");
  ASSERT_EQ(outcome.warnings.size(), 1u);
  EXPECT_EQ(outcome.warnings[0].source, "registry");
  EXPECT_EQ(outcome.warnings[0].message, "registry down");
  EXPECT_EQ(outcome.sources_failed, 1);
}

TEST(Search, TableAndJson) {
  SearchHit bert = Hit("hf/org/bert", "hf");
  bert.task = "fill-mask";
  bert.format = "transformers";
  bert.downloads = 42;
  SearchHit local = Hit("local/mlp@latest", "installed");
  local.format = "onnx";
  const std::string table = FormatSearchTable({bert, local});
  EXPECT_EQ(table,
            "ID                SOURCE     TASK/FORMAT             DOWNLOADS\n"
            "hf/org/bert       hf         fill-mask/transformers  42\n"
            "local/mlp@latest  installed  onnx                    -\n");
  EXPECT_EQ(FormatSearchTable({}), "no models match\n");

  SearchOutcome outcome;
  outcome.hits = {bert, local};
  outcome.warnings = {{"registry", "down"}};
  const nlohmann::json json = nlohmann::json::parse(SearchJson({"b", 5}, outcome));
  EXPECT_EQ(json["query"], "b");
  ASSERT_EQ(json["results"].size(), 2u);
  EXPECT_EQ(json["results"][0]["downloads"], 42);
  EXPECT_EQ(json["results"][0]["task"], "fill-mask");
  EXPECT_TRUE(json["results"][1]["downloads"].is_null());
  EXPECT_EQ(json["warnings"][0]["source"], "registry");
}

}  // namespace
}  // namespace mlos::axon
