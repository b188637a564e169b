// mlos-core: wires options, plugins, the registry, the model manager and the HTTP front end
// together, serves until SIGTERM or SIGINT, then drains and exits 0. A second signal during the
// drain ends the process at once.
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/api/grpc/grpc_server.h"
#include "core/api/http/http_server.h"
#include "core/api/http/http_counters.h"
#include "core/api/http/mlos_api.h"
#include "core/api/http/prefix_router.h"
#include "core/api/ipc/ipc_api.h"
#include "core/api/ipc/ipc_server.h"
#include "core/api/kserve/kserve_api.h"
#include "core/model_manager.h"
#include "core/options.h"
#include "core/plugin_host.h"
#include "core/registry_store.h"
#include "plugins/onnx/onnx_plugin.h"

namespace mlos::core {
namespace {

sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

// Logs go to stderr; stdout carries only the "listening" line scripts wait for.
void ConfigureLogging(const std::string& level) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("mlos-core"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l mlos-core: %v");
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

// The plugins built and installed with mlos-core: <folder of the binary>/../lib/plugins (the
// build tree and an installed tree alike).
std::string BundledPluginDir() {
  std::error_code error;
  const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  return (binary.parent_path().parent_path() / "lib" / "plugins").string();
}

// The built-in onnx plugin first, then the bundled plugins, then the user's --plugin-dir; the
// first plugin to take an id keeps it.
void AddPlugins(const CoreOptions& options, PluginHost* plugins) {
  if (Status status = plugins->Add(mlos_onnx_plugin_init, "built-in"); !status.ok()) {
    spdlog::error("built-in onnx plugin refused: {}", status.message());
  }
  if (const std::string bundled = BundledPluginDir(); !bundled.empty()) {
    plugins->LoadDirectory(bundled);
  }
  plugins->LoadDirectory(options.plugin_dir);
  spdlog::info("plugins: {}", plugins->Summary());
}

int Run(const CoreOptions& options) {
  ConfigureLogging(options.log_level);
  // Block the stop signals in every thread; this one waits for them with sigwait.
  const sigset_t stop_signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (!options.config.empty()) spdlog::info("config file {}", options.config);

  PluginHost plugins(options.plugin_configs);
  AddPlugins(options, &plugins);
  const std::string registry_path = (std::filesystem::path(options.home) / "registry.db").string();
  auto store = RegistryStore::Open(registry_path);
  if (!store.ok()) {
    spdlog::critical("{}", store.status().message());
    return 1;
  }
  ManagerOptions manager_options;
  manager_options.models_directory = options.models_dir;
  manager_options.memory_budget_bytes = options.memory_budget_bytes;
  manager_options.max_loaded_models = options.max_loaded_models;
  manager_options.defaults = options.model_defaults;
  manager_options.model_settings = options.model_settings;
  ModelManager models(plugins, **store, std::move(manager_options));
  if (Status status = models.Restore(); !status.ok()) {
    spdlog::critical("{}", status.message());
    return 1;
  }

  HttpCounters http_counters;
  // The front ends this server runs (a front end that fails to start ends the process below).
  std::vector<std::string> apis;
  if (!options.no_http) apis.insert(apis.end(), {"mlos-http", "kserve-http"});
  if (!options.no_grpc) apis.push_back("grpc");
  if (!options.no_ipc) apis.push_back("ipc");
  ServerStatus server_status{std::move(apis), &http_counters};
  const MlosApi mlos_api(models, plugins, server_status);
  const KServeApi kserve_api(models, "mlos-core", MLOS_VERSION);
  // KServe v2 / Open Inference Protocol under /v2, the MLOS API everywhere else.
  const PrefixRouter api({{"/v2", &kserve_api}}, mlos_api);
  HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.http_port;
  http_options.io_threads = options.io_threads;
  http_options.worker_threads = options.worker_threads;
  http_options.max_body_bytes = options.max_request_bytes;
  http_options.counters = &http_counters;
  HttpServer server(http_options, api);
  // KServe v2 over gRPC: the same models, on --grpc-port.
  GrpcServerOptions grpc_options;
  grpc_options.host = options.host;
  grpc_options.port = options.grpc_port;
  grpc_options.max_message_bytes = options.max_request_bytes;
  grpc_options.server_version = MLOS_VERSION;
  GrpcServer grpc_server(models, grpc_options);
  if (!options.no_grpc) {
    if (Status status = grpc_server.Start(); !status.ok()) {
      spdlog::critical("{}", status.message());
      return 1;
    }
    spdlog::info("gRPC (KServe v2) on {}", grpc_server.address());
  }
  // Local IPC (docs/ipc.md): the same models, over a Unix socket.
  const ipc::IpcApi ipc_api(models, mlos_api, kserve_api, MLOS_VERSION);
  ipc::IpcServerOptions ipc_options;
  ipc_options.socket_path = options.socket;
  ipc_options.max_body_bytes = options.max_request_bytes;
  ipc::IpcServer ipc_server(ipc_options, ipc_api);
  if (!options.no_ipc) {
    if (Status status = ipc_server.Start(); !status.ok()) {
      spdlog::critical("{}", status.message());
      return 1;
    }
    spdlog::info("local IPC on {}", options.socket);
  }
  if (options.no_http) {
    spdlog::warn("HTTP is disabled (--no-http)");
  } else {
    if (Status status = server.Start(); !status.ok()) {
      spdlog::critical("{}", status.message());
      return 1;
    }
    const bool ipv6 = options.host.find(':') != std::string::npos;
    std::printf("mlos-core listening on http://%s%s%s:%u\n", ipv6 ? "[" : "", options.host.c_str(),
                ipv6 ? "]" : "", server.port());
    std::fflush(stdout);
    spdlog::info("home {}, {} worker threads, {} I/O threads, memory budget {}, max {} models",
                 options.home, options.worker_threads, options.io_threads,
                 options.memory_budget_bytes
                     ? fmt::format("{} MiB", options.memory_budget_bytes >> 20)
                     : std::string("none"),
                 options.max_loaded_models ? std::to_string(options.max_loaded_models) : "any");
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("{} received: draining requests in flight, then stopping",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);  // a second signal ends us at once
  ipc_server.Stop();
  server.Stop();
  grpc_server.Stop();
  ipc_server.Wait();
  server.Wait();
  models.Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace mlos::core

int main(int argc, char** argv) {
  auto outcome = mlos::core::ParseOptions(argc, argv, std::getenv);
  if (!outcome.ok()) {
    std::fprintf(stderr, "mlos-core: %s\n", outcome.status().message().c_str());
    return 2;
  }
  if (outcome->exit_code) return *outcome->exit_code;
  return mlos::core::Run(outcome->options);
}
