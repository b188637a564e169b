#include "core/options.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <thread>
#include <vector>

#include "core/process_memory.h"

namespace mlos::core {
namespace {

// One option; `assign` parses its text form into CoreOptions.
struct OptionSpec {
  std::string name;  // flag spelling without dashes: "http-port"
  std::string help;
  bool is_switch = false;
  std::function<Status(const std::string& text, CoreOptions* options)> assign;
};

std::string EnvironmentName(const std::string& name) {
  std::string result = "MLOS_" + name;
  for (char& c : result) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return result;
}

std::string ConfigKey(const std::string& name) {
  std::string key = name;
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

template <typename T>
Status ParseInteger(const std::string& text, T min, T max, T* out) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return InvalidArgument(
        fmt::format("expected an integer from {} to {}, got '{}'", min, max, text));
  }
  *out = static_cast<T>(value);
  return Status::Ok();
}

Status ParseSwitch(const std::string& text, bool* out) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") {
    *out = true;
  } else if (lower == "0" || lower == "false" || lower == "no" || lower == "off") {
    *out = false;
  } else {
    return InvalidArgument(fmt::format("expected true or false, got '{}'", text));
  }
  return Status::Ok();
}

OptionSpec Text(std::string name, std::string help, std::string CoreOptions::*field) {
  return {std::move(name), std::move(help), false,
          [field](const std::string& text, CoreOptions* options) {
            options->*field = text;
            return Status::Ok();
          }};
}

template <typename T>
OptionSpec Integer(std::string name, std::string help, T CoreOptions::*field, T min, T max) {
  return {std::move(name), std::move(help), false,
          [=](const std::string& text, CoreOptions* options) {
            return ParseInteger<T>(text, min, max, &(options->*field));
          }};
}

OptionSpec Switch(std::string name, std::string help, bool CoreOptions::*field) {
  return {std::move(name), std::move(help), true,
          [field](const std::string& text, CoreOptions* options) {
            return ParseSwitch(text, &(options->*field));
          }};
}

// An integer setting of the per-model defaults.
template <typename T>
OptionSpec ModelDefault(std::string name, std::string help, T ModelSettings::*field, T min, T max) {
  return {std::move(name), std::move(help), false,
          [=](const std::string& text, CoreOptions* options) {
            T value = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size() || value < min ||
                value > max) {
              return InvalidArgument(
                  fmt::format("expected an integer from {} to {}, got '{}'", min, max, text));
            }
            options->model_defaults.*field = value;
            return Status::Ok();
          }};
}

// "75%" of physical memory, "512MiB", "8GiB", "1000000" bytes; "0" or "none" for no limit.
StatusOr<uint64_t> ParseMemoryBudget(const std::string& text) {
  if (text == "none" || text == "0") return 0;
  const auto bad = [&] {
    return InvalidArgument(fmt::format(
        "expected a size such as 75%, 512MiB, 8GiB or a number of bytes, got '{}'", text));
  };
  if (text.ends_with('%')) {
    unsigned percent = 0;
    if (!ParseInteger<unsigned>(text.substr(0, text.size() - 1), 1, 100, &percent).ok()) {
      return bad();
    }
    return PhysicalMemoryBytes() / 100 * percent;
  }
  static const std::vector<std::pair<std::string, uint64_t>> kUnits = {
      {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}};
  uint64_t scale = 1;
  std::string number = text;
  for (const auto& [suffix, factor] : kUnits) {
    if (text.ends_with(suffix)) {
      scale = factor;
      number = text.substr(0, text.size() - suffix.size());
    }
  }
  uint64_t value = 0;
  if (!ParseInteger<uint64_t>(number, 1, UINT64_MAX / scale, &value).ok()) return bad();
  return value * scale;
}

// A YAML value as JSON: mappings, sequences, and scalars read as bool, integer, number or text.
nlohmann::json YamlToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& item : node) object[item.first.as<std::string>()] = YamlToJson(item.second);
    return object;
  }
  if (node.IsSequence()) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : node) array.push_back(YamlToJson(item));
    return array;
  }
  if (!node.IsScalar()) return nullptr;
  const std::string text = node.as<std::string>();
  if (node.Tag() == "!") return text;  // quoted: a string
  bool flag = false;
  if (YAML::convert<bool>::decode(node, flag)) return flag;
  int64_t integer = 0;
  if (YAML::convert<int64_t>::decode(node, integer)) return integer;
  double number = 0;
  if (YAML::convert<double>::decode(node, number)) return number;
  return text;
}

std::vector<OptionSpec> Specs() {
  return {
      Text("host", "address to listen on", &CoreOptions::host),
      Integer<uint16_t>("http-port", "HTTP port (0: pick a free one)", &CoreOptions::http_port, 0,
                        65535),
      Integer<uint16_t>("grpc-port", "gRPC port, KServe v2 (0: pick a free one)",
                        &CoreOptions::grpc_port, 0, 65535),
      Text("socket", "Unix socket for local IPC (docs/ipc.md), created 0660", &CoreOptions::socket),
      Switch("no-http", "disable the HTTP API", &CoreOptions::no_http),
      Switch("no-grpc", "disable the gRPC API", &CoreOptions::no_grpc),
      Switch("no-ipc", "disable local IPC", &CoreOptions::no_ipc),
      Text("home", "Core home: registry.db lives here (default ~/.mlos)", &CoreOptions::home),
      Text("plugin-dir", "folder of SMI plugin libraries lib*.so (default <home>/plugins)",
           &CoreOptions::plugin_dir),
      Text("models-dir", "folder relative registration paths start from (default <home>/models)",
           &CoreOptions::models_dir),
      Integer<uint64_t>("max-request-bytes", "largest request body accepted (default 256 MiB)",
                        &CoreOptions::max_request_bytes, 1, UINT64_MAX),
      Integer<unsigned>("io-threads", "threads serving connections", &CoreOptions::io_threads, 1,
                        256),
      Integer<unsigned>("worker-threads",
                        "threads running registrations and inference (default: "
                        "cores)",
                        &CoreOptions::worker_threads, 1, 1024),
      Text("memory-budget", "memory for loaded models: 75% (of RAM), 8GiB, bytes, or none",
           &CoreOptions::memory_budget),
      Integer<unsigned>("max-loaded-models", "most models loaded at once (0: no limit)",
                        &CoreOptions::max_loaded_models, 0, 1'000'000),
      ModelDefault<int64_t>("keep-alive-s",
                            "seconds an idle model stays loaded (-1 pinned, 0 unload after use)",
                            &ModelSettings::keep_alive_s, -1, INT64_MAX / 1'000'000),
      ModelDefault<int>("instances", "executions of one model at once", &ModelSettings::instances,
                        1, 256),
      ModelDefault<int>("max-queue", "requests waiting per model before 503",
                        &ModelSettings::max_queue, 0, 1'000'000),
      ModelDefault<int>("max-batch-size", "dynamic batching: most rows per execution (0: off)",
                        &ModelSettings::max_batch_size, 0, 1'000'000),
      ModelDefault<int64_t>("max-queue-delay-us", "how long a partial batch may wait",
                            &ModelSettings::max_queue_delay_us, 0, 60'000'000),
      ModelDefault<int64_t>("timeout-ms", "a request queued longer fails (0: no limit)",
                            &ModelSettings::timeout_ms, 0, INT64_MAX / 1'000'000),
      {"log-level", "trace, debug, info, warn, error or off", false,
       [](const std::string& text, CoreOptions* options) {
         const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
         if (std::find(levels.begin(), levels.end(), text) == levels.end()) {
           return InvalidArgument(
               fmt::format("expected one of {}, got '{}'", fmt::join(levels, ", "), text));
         }
         options->log_level = text;
         return Status::Ok();
       }},
  };
}

// The config file as key -> text; errors name the file and key.
// Fills the "models" and "plugins" mappings of `options`.
StatusOr<std::map<std::string, std::string>> ReadConfig(const std::string& path,
                                                        const std::vector<OptionSpec>& specs,
                                                        CoreOptions* options) {
  std::map<std::string, std::string> values;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (root.IsNull()) return values;
    if (!root.IsMap())
      return InvalidArgument(fmt::format("config {}: expected a mapping of options", path));
    for (const auto& item : root) {
      const std::string key = item.first.as<std::string>();
      if (key == "models" || key == "plugins") {
        const bool models = key == "models";
        if (!item.second.IsMap()) {
          return InvalidArgument(fmt::format("config {}: '{}' must map {} ids to their {}", path,
                                             key, models ? "model" : "plugin",
                                             models ? "settings" : "configuration"));
        }
        for (const auto& entry : item.second) {
          const std::string id = entry.first.as<std::string>();
          if (!entry.second.IsMap()) {
            return InvalidArgument(fmt::format("config {}: {}.{} must be a mapping", path, key, id));
          }
          (models ? options->model_settings : options->plugin_configs)[id] =
              YamlToJson(entry.second);
        }
        continue;
      }
      const bool known = std::any_of(specs.begin(), specs.end(), [&](const OptionSpec& spec) {
        return ConfigKey(spec.name) == key;
      });
      if (!known) {
        std::vector<std::string> keys;
        for (const auto& spec : specs) keys.push_back(ConfigKey(spec.name));
        return InvalidArgument(fmt::format("config {}: unknown option '{}'; known: {}", path, key,
                                           fmt::join(keys, ", ")));
      }
      if (!item.second.IsScalar()) {
        return InvalidArgument(fmt::format("config {}: '{}' must be a single value", path, key));
      }
      values[key] = item.second.as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(fmt::format("config {}: {}", path, e.what()));
  }
  return values;
}

std::string ExpandHome(const std::string& path, const char* home) {
  if (home != nullptr && (path == "~" || path.starts_with("~/"))) return home + path.substr(1);
  return path;
}

}  // namespace

StatusOr<OptionsOutcome> ParseOptions(int argc, const char* const* argv,
                                      const std::function<const char*(const char*)>& environment) {
  const std::vector<OptionSpec> specs = Specs();
  CLI::App app("MLOS Core: serves registered models over HTTP.", "mlos-core");
  std::map<std::string, std::string> flag_text;
  std::map<std::string, CLI::Option*> flags;
  for (const auto& spec : specs) {
    flags[spec.name] = spec.is_switch
                           ? app.add_flag("--" + spec.name, spec.help)
                           : app.add_option("--" + spec.name, flag_text[spec.name], spec.help);
  }
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file of options (keys as http_port)");
  OptionsOutcome outcome;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    outcome.exit_code = app.exit(e);
    return outcome;
  }

  const char* home_variable = environment("HOME");
  if (config_path.empty() && environment("MLOS_CONFIG") != nullptr) {
    config_path = environment("MLOS_CONFIG");
  }
  std::map<std::string, std::string> config;
  if (!config_path.empty()) {
    config_path = ExpandHome(config_path, home_variable);
    ASSIGN_OR_RETURN(config, ReadConfig(config_path, specs, &outcome.options));
  }

  CoreOptions& options = outcome.options;
  options.config = config_path;
  for (const auto& spec : specs) {
    std::string text;
    std::string source;
    const std::string variable = EnvironmentName(spec.name);
    if (flags[spec.name]->count() > 0) {
      text = spec.is_switch ? "true" : flag_text[spec.name];
      source = "--" + spec.name;
    } else if (const char* value = environment(variable.c_str()); value != nullptr) {
      text = value;
      source = "environment variable " + variable;
    } else if (const auto found = config.find(ConfigKey(spec.name)); found != config.end()) {
      text = found->second;
      source = fmt::format("config {} key {}", config_path, found->first);
    } else {
      continue;
    }
    Status status = spec.assign(text, &options);
    if (!status.ok()) return status.WithContext(source);
  }

  if (options.home.empty()) {
    options.home = home_variable != nullptr ? std::string(home_variable) + "/.mlos" : ".mlos";
  }
  options.home = ExpandHome(options.home, home_variable);
  options.plugin_dir = options.plugin_dir.empty() ? options.home + "/plugins"
                                                  : ExpandHome(options.plugin_dir, home_variable);
  options.models_dir = options.models_dir.empty() ? options.home + "/models"
                                                  : ExpandHome(options.models_dir, home_variable);
  {
    auto budget = ParseMemoryBudget(options.memory_budget);
    if (!budget.ok()) return budget.status().WithContext("memory-budget");
    options.memory_budget_bytes = *budget;
  }
  for (const auto& [id, settings] : options.model_settings) {
    RETURN_IF_ERROR(
        ParseModelSettings(settings, options.model_defaults, fmt::format("config models.{}", id))
            .status());
  }
  if (options.worker_threads == 0) {
    options.worker_threads = std::max(2u, std::thread::hardware_concurrency());
  }
  return outcome;
}

}  // namespace mlos::core
