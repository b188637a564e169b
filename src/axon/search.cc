#include "axon/search.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mlos::axon {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string TaskAndFormat(const SearchHit& hit) {
  if (hit.task.empty()) return hit.format.empty() ? "-" : hit.format;
  return hit.format.empty() ? hit.task : hit.task + "/" + hit.format;
}

nlohmann::json OptionalNumber(const std::optional<uint64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json OptionalText(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

}  // namespace

bool MatchesQuery(const std::string& text, const std::string& query) {
  return std::search(text.begin(), text.end(), query.begin(), query.end(),
                     [](char a, char b) { return Lower(a) == Lower(b); }) != text.end();
}

std::vector<SearchHit> SearchInstalled(const std::vector<InstalledModel>& models,
                                       const SearchRequest& request) {
  std::vector<SearchHit> hits;
  for (const InstalledModel& model : models) {
    const Manifest& m = model.manifest;
    if (!MatchesQuery(m.model_id(), request.query) && !MatchesQuery(m.description, request.query)) {
      continue;
    }
    SearchHit hit;
    hit.id = m.model_id();
    hit.source = "installed";
    hit.version = m.version;
    hit.format = m.execution_format;
    hit.updated = m.created;
    hit.description = m.description;
    hits.push_back(std::move(hit));
    if (static_cast<int>(hits.size()) >= request.limit) break;
  }
  return hits;
}

SearchOutcome RunSearch(const std::vector<SearchSource>& sources, const SearchRequest& request,
                        const AxonConfig& config) {
  std::vector<std::future<StatusOr<std::vector<SearchHit>>>> pending;
  for (const SearchSource& source : sources) {
    pending.push_back(std::async(std::launch::async, [&source, &request, &config] {
      return source.search(request, config);
    }));
  }
  SearchOutcome outcome;
  for (size_t i = 0; i < sources.size(); ++i) {
    StatusOr<std::vector<SearchHit>> hits = pending[i].get();
    if (!hits.ok()) {
      outcome.warnings.push_back({sources[i].name, hits.status().message()});
      ++outcome.sources_failed;
      continue;
    }
    const size_t keep = std::min(hits->size(), static_cast<size_t>(std::max(request.limit, 0)));
    outcome.hits.insert(outcome.hits.end(), hits->begin(), hits->begin() + keep);
  }
  return outcome;
}

std::string FormatSearchTable(const std::vector<SearchHit>& hits) {
  if (hits.empty()) return "no models match\n";
  std::vector<std::array<std::string, 4>> rows = {{"ID", "SOURCE", "TASK/FORMAT", "DOWNLOADS"}};
  for (const SearchHit& hit : hits) {
    rows.push_back({hit.id, hit.source, TaskAndFormat(hit),
                    hit.downloads ? std::to_string(*hit.downloads) : "-"});
  }
  std::array<size_t, 4> widths{};
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::ostringstream out;
  for (const auto& row : rows) {
    for (size_t c = 0; c + 1 < row.size(); ++c) {
      out << row[c] << std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out << row.back() << "\n";
  }
  return out.str();
}

std::string SearchJson(const SearchRequest& request, const SearchOutcome& outcome) {
  nlohmann::json results = nlohmann::json::array();
  for (const SearchHit& hit : outcome.hits) {
    results.push_back({{"id", hit.id},
                       {"source", hit.source},
                       {"version", OptionalText(hit.version)},
                       {"task", OptionalText(hit.task)},
                       {"format", OptionalText(hit.format)},
                       {"downloads", OptionalNumber(hit.downloads)},
                       {"likes", OptionalNumber(hit.likes)},
                       {"updated", OptionalText(hit.updated)},
                       {"description", OptionalText(hit.description)}});
  }
  nlohmann::json warnings = nlohmann::json::array();
  for (const SearchWarning& warning : outcome.warnings) {
    warnings.push_back({{"source", warning.source}, {"message", warning.message}});
  }
  const nlohmann::json json = {
      {"query", request.query}, {"results", results}, {"warnings", warnings}};
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace mlos::axon
