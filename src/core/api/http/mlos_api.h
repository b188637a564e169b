// MlosApi: the MLOS HTTP API (docs/http_api.md) on top of the model manager.
//
// Routes: GET /health, GET /stats, GET /metrics (Prometheus text), POST /models/register,
// GET /models, GET|DELETE /models/{id}, POST /models/{id}/load, POST /models/{id}/unload,
// POST /models/{id}/inference, GET /plugins, POST /plugins/register. Model ids in paths are
// percent-encoded (local%2Fmlp%40latest) or plain (local/mlp@latest). Unknown paths are 404,
// known paths with another method 405 with an Allow header. Inference is asynchronous (decoded,
// then queued on the model; the reply goes out when it has run); registration, load, unload,
// delete and plugin registration are blocking; the rest answer inline. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/api/http/http_counters.h"
#include "core/api/http/http_types.h"
#include "core/model_manager.h"
#include "core/plugin_host.h"

namespace mlos::core {

// The front ends that are up and what the server has answered, for /health, /stats, /metrics.
struct ServerStatus {
  std::vector<std::string> apis;  // e.g. {"mlos-http", "kserve-http"}
  const HttpCounters* http = nullptr;
};

class MlosApi : public HttpHandler {
 public:
  MlosApi(ModelManager& models, PluginHost& plugins, ServerStatus status);

  RouteAction Route(const HttpRequest& request) const override;

 private:
  RouteAction ModelRoute(const HttpRequest& request) const;
  HttpResponse Health() const;
  HttpResponse Stats() const;
  HttpResponse Metrics() const;
  HttpResponse Register(const HttpRequest& request) const;
  HttpResponse ListModels() const;
  HttpResponse DescribeModel(const std::string& id) const;
  HttpResponse Lifecycle(const std::string& id, const std::string& action) const;
  HttpResponse ListPlugins() const;
  HttpResponse RegisterPlugin(const HttpRequest& request) const;
  void Infer(const std::string& id, const HttpRequest& request, const Responder& respond) const;

  ModelManager& models_;
  PluginHost& plugins_;
  const ServerStatus status_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace mlos::core
