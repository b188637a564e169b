// MlosApi: the MLOS HTTP API (docs/http_api.md) on top of the model manager.
//
// Routes: GET /health, POST /models/register, GET /models, GET /models/{id},
// POST /models/{id}/inference. Model ids in paths are percent-encoded (local%2Fmlp%40latest)
// or plain (local/mlp@latest). Unknown paths are 404, known paths with another method 405 with
// an Allow header. Registration and inference are blocking routes (they load and run models);
// the others answer inline. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/api/http/http_types.h"
#include "core/model_manager.h"
#include "core/plugin_host.h"

namespace mlos::core {

class MlosApi : public HttpHandler {
 public:
  // `apis` lists the front ends that are up, for /health (e.g. {"mlos-http"}).
  MlosApi(ModelManager& models, const PluginHost& plugins, std::vector<std::string> apis);

  RouteAction Route(const HttpRequest& request) const override;

 private:
  HttpResponse Health() const;
  HttpResponse Register(const HttpRequest& request) const;
  HttpResponse ListModels() const;
  HttpResponse DescribeModel(const std::string& id) const;
  HttpResponse Infer(const std::string& id, const HttpRequest& request) const;

  ModelManager& models_;
  const PluginHost& plugins_;
  const std::vector<std::string> apis_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace mlos::core
