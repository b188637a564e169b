// AxonConfig: Axon's settings, read from <AXON_HOME>/config.yaml (written by `axon init` and
// `axon config set`), for every command that needs one.
//
// The file is YAML, one mapping per section:
//   core:     {url: http://127.0.0.1:8080}
//   registry: {url: ""}
//   hf:       {endpoint: https://huggingface.co}
//   download: {parallel_files: 4, part_mib: 16}
// Only the keys of KnownConfigKeys() exist; a missing file or key means its default, an unknown
// key or a bad value in the file is an error that names the file and the key. Environment
// variables (MLOS_CORE_ENDPOINT, HF_ENDPOINT) are applied by the commands that use them, over the
// file. Plain data besides Load/Save.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace mlos::axon {

struct ConfigKey {
  std::string name;           // "section.key"
  std::string default_value;  // as text
  std::string description;
};

// Every key, sorted by name.
const std::vector<ConfigKey>& KnownConfigKeys();

// $AXON_HOME, else ~/.axon (HOME, else the passwd entry).
std::string AxonHome();
// <home>/config.yaml
std::string ConfigPath(const std::string& home);

class AxonConfig {
 public:
  // Defaults for every key.
  AxonConfig();

  // The file at ConfigPath(home), over the defaults; defaults alone if there is no file.
  static StatusOr<AxonConfig> Load(const std::string& home);
  // Writes every key (atomically: temporary file, then rename).
  Status Save(const std::string& home) const;

  // InvalidArgument for an unknown key (listing the known ones).
  StatusOr<std::string> Get(const std::string& key) const;
  // InvalidArgument for an unknown key or a value the key does not accept.
  Status Set(const std::string& key, const std::string& value);
  // Every key with its value, sorted by key.
  const std::map<std::string, std::string>& values() const { return values_; }

  std::string core_url() const { return values_.at("core.url"); }
  std::string registry_url() const { return values_.at("registry.url"); }
  std::string hf_endpoint() const { return values_.at("hf.endpoint"); }
  int parallel_files() const { return std::stoi(values_.at("download.parallel_files")); }
  int part_mib() const { return std::stoi(values_.at("download.part_mib")); }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace mlos::axon
