// CoreOptions: mlos-core's settings, from the command line, MLOS_* environment variables, a YAML
// config file and defaults, in that order of precedence (a flag beats the environment, which
// beats the config file, which beats the default).
//
// Every option has the three spellings of one name: flag --http-port, environment variable
// MLOS_HTTP_PORT, config key http_port. The config file is --config / MLOS_CONFIG; it must be a
// YAML mapping of known keys, plus "models": a mapping of model id to its settings
// (keep_alive_s, instances, ... and plugin keys such as threads), and "plugins": a mapping of
// plugin id to the configuration its plugin_create receives (e.g. torchscript: {threads: 2}).
// Path options expand a leading "~/". Errors name the option and where its bad value came from.
// Pure apart from reading the config file; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "core/model_settings.h"

namespace mlos::core {

struct CoreOptions {
  std::string host = "0.0.0.0";
  uint16_t http_port = 8080;
  uint16_t grpc_port = 8081;
  std::string socket = "/tmp/mlos.sock";
  bool no_http = false;
  bool no_grpc = false;
  bool no_ipc = false;
  std::string config;      // the config file read, if any
  std::string home;        // default ~/.mlos
  std::string plugin_dir;  // default <home>/plugins
  std::string models_dir;  // default <home>/models
  uint64_t max_request_bytes = 256ull << 20;
  unsigned io_threads = 2;
  unsigned worker_threads = 0;  // default: the number of cores (at least 2)
  std::string log_level = "info";
  // Resources: the memory budget for loaded models ("75%" of physical memory, "8GiB", bytes),
  // resolved into memory_budget_bytes (0: no limit); max_loaded_models 0 is no limit.
  std::string memory_budget = "75%";
  uint64_t memory_budget_bytes = 0;
  unsigned max_loaded_models = 0;
  // Every model's settings unless its own say otherwise (flags --keep-alive-s, --instances,
  // --max-queue, --max-batch-size, --max-queue-delay-us, --timeout-ms).
  ModelSettings model_defaults;
  // The config file's "models" mapping: model id -> settings (model_settings.h keys).
  std::map<std::string, nlohmann::json> model_settings;
  // The config file's "plugins" mapping: plugin id -> its plugin_create configuration (an object).
  std::map<std::string, nlohmann::json> plugin_configs;
};

// What the command line asks for: run with `options`, or exit now with `exit_code` (after
// --help or a usage error, which CLI11 has already printed).
struct OptionsOutcome {
  std::optional<int> exit_code;
  CoreOptions options;
};

// `environment` looks a variable up (nullptr when unset); production passes std::getenv.
StatusOr<OptionsOutcome> ParseOptions(int argc, const char* const* argv,
                                      const std::function<const char*(const char*)>& environment);

}  // namespace mlos::core
