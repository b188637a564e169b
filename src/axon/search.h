// `axon search QUERY`: what one search result is, how each source (a hub, the configured
// registry, the installed models) is asked, and how the results are shown.
//
// A source is a SearchFn; hubs/hub_registry.h lists the searchable hubs (one line per hub), the
// CLI adds the installed models. RunSearch asks every source at once: a source that fails is a
// warning naming it, and the search fails only when every source failed. Results keep each
// source's own order (a hub's ranking), sources in the order given, at most `limit` per source.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "axon/config.h"
#include "axon/store.h"
#include "common/status.h"

namespace mlos::axon {

struct SearchRequest {
  std::string query{};  // matched case-insensitively; what it matches is the source's business
  int limit = 20;       // results per source, at least 1
};

struct SearchHit {
  std::string id{};       // what `axon install` takes: "hf/org/name", "org/name" (registry), ...
  std::string source{};   // the source's name: "hf", "registry", "installed", ...
  std::string version{};  // the latest or installed version where the source says; else empty
  std::string task{};     // e.g. "text-classification"; empty: unknown
  std::string format{};   // library or execution format ("onnx", "transformers"); empty: unknown
  std::optional<uint64_t> downloads{};
  std::optional<uint64_t> likes{};
  std::string updated{};      // last modification, as the source gives it (RFC 3339)
  std::string description{};  // one line, may be empty
};

using SearchFn =
    std::function<StatusOr<std::vector<SearchHit>>(const SearchRequest&, const AxonConfig&)>;

struct SearchSource {
  std::string name{};  // "hf", "registry", "installed": what --hub takes
  SearchFn search{};
};

struct SearchWarning {
  std::string source{};
  std::string message{};
};

struct SearchOutcome {
  std::vector<SearchHit> hits{};
  std::vector<SearchWarning> warnings{};  // one per source that failed
  int sources_failed = 0;
};

// True iff `query` occurs in `text`, ignoring ASCII case. An empty query matches everything.
bool MatchesQuery(const std::string& text, const std::string& query);

// The installed models whose id or description matches, as hits of source "installed".
std::vector<SearchHit> SearchInstalled(const std::vector<InstalledModel>& models,
                                       const SearchRequest& request);

// Asks every source concurrently; each source's hits are cut to `request.limit`.
SearchOutcome RunSearch(const std::vector<SearchSource>& sources, const SearchRequest& request,
                        const AxonConfig& config);

// A table: ID, SOURCE, TASK/FORMAT, DOWNLOADS ("-" where unknown); "no models match" when empty.
std::string FormatSearchTable(const std::vector<SearchHit>& hits);
// {"query", "results": [hit...], "warnings": [{"source", "message"}]}; unknown fields are null.
std::string SearchJson(const SearchRequest& request, const SearchOutcome& outcome);

}  // namespace mlos::axon
