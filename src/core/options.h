// CoreOptions: mlos-core's settings, from the command line, MLOS_* environment variables, a YAML
// config file and defaults, in that order of precedence (a flag beats the environment, which
// beats the config file, which beats the default).
//
// Every option has the three spellings of one name: flag --http-port, environment variable
// MLOS_HTTP_PORT, config key http_port. The config file is --config / MLOS_CONFIG; it must be a
// YAML mapping of known keys. Path options expand a leading "~/". Errors name the option and
// where its bad value came from. Pure apart from reading the config file; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"

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
