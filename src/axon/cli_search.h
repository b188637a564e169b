// `axon search QUERY [--limit N] [--hub NAME] [--json]`: finds models on the hubs that can search
// (hubs/hub_registry.h), in the configured registry and among the installed models (search.h).
// A source that fails is a warning on stderr (and in --json's "warnings"); the command fails
// (exit 2) only when every source asked failed.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

namespace mlos::axon {

class SearchCommand {
 public:
  // Adds `search` to `app`, which must outlive this object.
  explicit SearchCommand(CLI::App& app);

  // After app.parse(): the exit code if `search` was parsed, else nullopt.
  std::optional<int> Run(std::ostream& out, std::ostream& err) const;

 private:
  std::string query_;
  std::string hub_;  // empty: every source
  int limit_ = 20;
  bool json_ = false;
  CLI::App* command_ = nullptr;
};

}  // namespace mlos::axon
