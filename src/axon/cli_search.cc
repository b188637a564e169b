#include "axon/cli_search.h"

#include "axon/cli.h"
#include "axon/config.h"
#include "axon/hubs/hub_registry.h"
#include "axon/search.h"
#include "axon/store.h"

namespace mlos::axon {
namespace {

constexpr char kInstalledSource[] = "installed";

// The installed models as a source; a store that cannot be listed at all fails it.
SearchSource InstalledSource(const std::string& home) {
  return {
      kInstalledSource,
      [home](const SearchRequest& request, const AxonConfig&) -> StatusOr<std::vector<SearchHit>> {
        return SearchInstalled(Store(home).List().models, request);
      }};
}

std::string SourceNames(const std::vector<SearchSource>& sources) {
  std::string names;
  for (const SearchSource& source : sources) names += (names.empty() ? "" : ", ") + source.name;
  return names;
}

}  // namespace

SearchCommand::SearchCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "search",
      "Search Hugging Face, the configured registry (registry.url) and the installed models");
  command_->add_option("query", query_, "Text to look for in model ids (and descriptions)")
      ->required();
  command_->add_option("--limit", limit_, "At most N results from each source")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command_->add_option("--hub", hub_,
                       "Ask one source only: hf, registry or installed (or another hub's "
                       "namespace that can search)");
  command_->add_flag("--json", json_,
                     "Print {query, results: [{id, source, version, task, format, downloads, "
                     "likes, updated, description}], warnings: [{source, message}]}");
}

std::optional<int> SearchCommand::Run(std::ostream& out, std::ostream& err) const {
  if (!command_->parsed()) return std::nullopt;
  const std::string home = AxonHome();
  StatusOr<AxonConfig> config = AxonConfig::Load(home);
  if (!config.ok()) {
    err << "axon: error: " << config.status().message() << "\n";
    return kExitBadInput;
  }
  std::vector<SearchSource> sources = HubSearchSources(*config);
  sources.push_back(InstalledSource(home));
  if (!hub_.empty()) {
    std::vector<SearchSource> chosen;
    for (const SearchSource& source : sources) {
      if (source.name == hub_) chosen.push_back(source);
    }
    if (chosen.empty()) {
      err << "axon: error: --hub " << hub_ << ": not a source that can be searched here (";
      err << SourceNames(sources)
          << (config->registry_url().empty() ? "; registry needs registry.url" : "") << ")\n";
      return kExitUsage;
    }
    sources = std::move(chosen);
  }
  const SearchRequest request{query_, limit_};
  const SearchOutcome outcome = RunSearch(sources, request, *config);
  for (const SearchWarning& warning : outcome.warnings) {
    err << "axon: warning: " << warning.source << ": " << warning.message << "\n";
  }
  if (outcome.sources_failed == static_cast<int>(sources.size())) {
    err << "axon: error: no source could be searched (" << SourceNames(sources) << ")\n";
    return kExitBadInput;
  }
  out << (json_ ? SearchJson(request, outcome) : FormatSearchTable(outcome.hits));
  return kExitOk;
}

}  // namespace mlos::axon
