// The `axon` commands that work on the local store and on package files only (no network):
// init, uninstall, verify, cache list|stats|clean|prune, config get|set|list, pack and export.
// cli.cc adds them to its command line and runs the one that was parsed; docs/axon.md lists them
// with their options and exit codes (cli.h).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

namespace mlos::axon {

class LocalCommands {
 public:
  // Adds the commands to `app`, which must outlive this object.
  explicit LocalCommands(CLI::App& app);

  // After app.parse(): the exit code of the command that was parsed, or nullopt when the parsed
  // command is not one of these.
  std::optional<int> Run(std::ostream& out, std::ostream& err) const;

 private:
  int Init(std::ostream& out, std::ostream& err) const;
  int Uninstall(std::ostream& out, std::ostream& err) const;
  int Verify(std::ostream& out, std::ostream& err) const;
  int CacheList(std::ostream& out, std::ostream& err) const;
  int CacheStats(std::ostream& out, std::ostream& err) const;
  int CacheClean(bool prune, std::ostream& out, std::ostream& err) const;
  int ConfigGet(std::ostream& out, std::ostream& err) const;
  int ConfigSet(std::ostream& out, std::ostream& err) const;
  int ConfigList(std::ostream& out, std::ostream& err) const;
  int Pack(std::ostream& out, std::ostream& err) const;
  int Export(std::ostream& out, std::ostream& err) const;

  // Parsed values (one set: only one command runs).
  std::string spec_;
  std::string dir_;
  std::string output_;
  std::string key_;
  std::string value_;
  bool all_versions_ = false;
  bool json_ = false;

  CLI::App* init_ = nullptr;
  CLI::App* uninstall_ = nullptr;
  CLI::App* verify_ = nullptr;
  CLI::App* cache_list_ = nullptr;
  CLI::App* cache_stats_ = nullptr;
  CLI::App* cache_clean_ = nullptr;
  CLI::App* cache_prune_ = nullptr;
  CLI::App* config_get_ = nullptr;
  CLI::App* config_set_ = nullptr;
  CLI::App* config_list_ = nullptr;
  CLI::App* pack_ = nullptr;
  CLI::App* export_ = nullptr;
};

}  // namespace mlos::axon
