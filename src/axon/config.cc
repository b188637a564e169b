#include "axon/config.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mlos::axon {
namespace {

enum class ValueKind { kHttpUrl, kOptionalHttpUrl, kCount };

struct KeyRule {
  ValueKind kind = ValueKind::kHttpUrl;
  int min = 0;
  int max = 0;
};

struct KeySpec {
  ConfigKey key;
  KeyRule rule;
};

// The one list of keys: their defaults, descriptions and accepted values. Sorted by name.
const std::vector<KeySpec>& KeySpecs() {
  static const std::vector<KeySpec> specs = {
      {{"core.url", "http://127.0.0.1:8080",
        "MLOS Core URL for register (MLOS_CORE_ENDPOINT wins)"},
       {ValueKind::kHttpUrl}},
      {{"download.parallel_files", "4", "files downloaded at once"}, {ValueKind::kCount, 1, 64}},
      {{"download.part_mib", "16", "size of a ranged part of a large download, in MiB"},
       {ValueKind::kCount, 1, 4096}},
      {{"hf.endpoint", "https://huggingface.co", "Hugging Face endpoint (HF_ENDPOINT wins)"},
       {ValueKind::kHttpUrl}},
      {{"kaggle.endpoint", "https://www.kaggle.com",
        "Kaggle Models endpoint (KAGGLE_API_ENDPOINT wins)"},
       {ValueKind::kHttpUrl}},
      {{"modelscope.endpoint", "https://www.modelscope.cn",
        "ModelScope endpoint (MODELSCOPE_DOMAIN wins)"},
       {ValueKind::kHttpUrl}},
      {{"pytorch.github_api_endpoint", "https://api.github.com",
        "GitHub API for PyTorch Hub repositories (AXON_PYTORCH_GITHUB_API_ENDPOINT wins)"},
       {ValueKind::kHttpUrl}},
      {{"pytorch.github_endpoint", "https://github.com",
        "GitHub for PyTorch Hub source archives (AXON_PYTORCH_GITHUB_ENDPOINT wins)"},
       {ValueKind::kHttpUrl}},
      {{"pytorch.weights_mirror", "",
        "mirror of PyTorch Hub weight hosts: https://host/path from <mirror>/host/path "
        "(AXON_PYTORCH_WEIGHTS_MIRROR wins; empty: none)"},
       {ValueKind::kOptionalHttpUrl}},
      {{"registry.url", "", "local model registry URL (empty: none)"},
       {ValueKind::kOptionalHttpUrl}},
      {{"tfhub.endpoint", "https://tfhub.dev", "TF Hub endpoint (TFHUB_ENDPOINT wins)"},
       {ValueKind::kHttpUrl}},
  };
  return specs;
}

const KeyRule* FindRule(const std::string& key) {
  for (const KeySpec& spec : KeySpecs()) {
    if (spec.key.name == key) return &spec.rule;
  }
  return nullptr;
}

std::string KnownKeyNames() {
  std::string names;
  for (const ConfigKey& key : KnownConfigKeys()) names += (names.empty() ? "" : ", ") + key.name;
  return names;
}

Status CheckValue(const std::string& key, const KeyRule& rule, const std::string& value) {
  switch (rule.kind) {
    case ValueKind::kOptionalHttpUrl:
      if (value.empty()) return Status::Ok();
      [[fallthrough]];
    case ValueKind::kHttpUrl: {
      const bool scheme = value.starts_with("http://") || value.starts_with("https://");
      const bool host = scheme && value.find("://") + 3 < value.size();
      const bool blank = std::any_of(value.begin(), value.end(),
                                     [](unsigned char c) { return c <= ' ' || c == 0x7f; });
      if (!host || blank) {
        return InvalidArgument(key + ": expected an http:// or https:// URL, got \"" + value +
                               "\"");
      }
      return Status::Ok();
    }
    case ValueKind::kCount: {
      int number = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (error != std::errc() || end != value.data() + value.size() || number < rule.min ||
          number > rule.max) {
        return InvalidArgument(key + ": expected an integer from " + std::to_string(rule.min) +
                               " to " + std::to_string(rule.max) + ", got \"" + value + "\"");
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

const std::vector<ConfigKey>& KnownConfigKeys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> result;
    for (const KeySpec& spec : KeySpecs()) result.push_back(spec.key);
    return result;
  }();
  return keys;
}

std::string AxonHome() {
  if (const char* home = std::getenv("AXON_HOME"); home != nullptr && home[0] != '\0') return home;
  const char* user_home = std::getenv("HOME");
  if (user_home == nullptr || user_home[0] == '\0') {
    const passwd* entry = ::getpwuid(::getuid());
    user_home = entry != nullptr ? entry->pw_dir : "/tmp";
  }
  return std::string(user_home) + "/.axon";
}

std::string ConfigPath(const std::string& home) { return home + "/config.yaml"; }

AxonConfig::AxonConfig() {
  for (const ConfigKey& key : KnownConfigKeys()) values_[key.name] = key.default_value;
}

StatusOr<AxonConfig> AxonConfig::Load(const std::string& home) {
  AxonConfig config;
  const std::string path = ConfigPath(home);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return config;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": not valid YAML: " + e.what());
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) return InvalidArgument(path + ": expected a mapping of sections");
  for (const auto& section : root) {
    const std::string section_name = section.first.as<std::string>();
    if (!section.second.IsMap()) {
      return InvalidArgument(path + ": " + section_name + ": expected a mapping of keys");
    }
    for (const auto& entry : section.second) {
      const std::string key = section_name + "." + entry.first.as<std::string>();
      if (!entry.second.IsScalar() && !entry.second.IsNull()) {
        return InvalidArgument(path + ": " + key + ": expected a single value");
      }
      const std::string value = entry.second.IsNull() ? "" : entry.second.as<std::string>();
      const Status set = config.Set(key, value);
      if (!set.ok()) return InvalidArgument(path + ": " + set.message());
    }
  }
  return config;
}

Status AxonConfig::Save(const std::string& home) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::string section;
  for (const auto& [key, value] : values_) {
    const size_t dot = key.find('.');
    if (key.substr(0, dot) != section) {
      if (!section.empty()) out << YAML::EndMap;
      section = key.substr(0, dot);
      out << YAML::Key << section << YAML::Value << YAML::BeginMap;
    }
    const KeyRule& rule = *FindRule(key);
    out << YAML::Key << key.substr(dot + 1) << YAML::Value;
    if (rule.kind == ValueKind::kCount) {
      out << std::stoi(value);
    } else {
      out << YAML::DoubleQuoted << value;
    }
  }
  if (!section.empty()) out << YAML::EndMap;
  out << YAML::EndMap;

  std::error_code error;
  std::filesystem::create_directories(home, error);
  if (error) return Internal("cannot create directory " + home + ": " + error.message());
  const std::string path = ConfigPath(home);
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << "# axon settings; `axon config list` shows every key\n" << out.c_str() << "\n";
    file.flush();
    if (!file) return Internal("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(temporary, error);
    return Internal("cannot move " + temporary + " to " + path);
  }
  return Status::Ok();
}

StatusOr<std::string> AxonConfig::Get(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) {
    return InvalidArgument("unknown config key \"" + key + "\"; known keys: " + KnownKeyNames());
  }
  return it->second;
}

Status AxonConfig::Set(const std::string& key, const std::string& value) {
  const KeyRule* rule = FindRule(key);
  if (rule == nullptr) {
    return InvalidArgument("unknown config key \"" + key + "\"; known keys: " + KnownKeyNames());
  }
  RETURN_IF_ERROR(CheckValue(key, *rule, value));
  values_[key] = value;
  return Status::Ok();
}

}  // namespace mlos::axon
