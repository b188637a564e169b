// KServeApi: the KServe v2 / Open Inference Protocol REST routes (docs/kserve.md), every path
// under /v2, on top of the model manager.
//
// Routes: GET /v2 (server metadata), GET /v2/health/live|ready, GET /v2/models/{m}[/versions/{v}]
// (model metadata), GET .../ready, GET .../config (Triton's model configuration, as far as MLOS
// knows it), POST .../infer (with Triton's binary tensor data extension),
// the statistics extension (GET /v2/models/stats, GET .../stats) and the model repository
// extension (POST /v2/repository/index, POST /v2/repository/models/{m}/load|unload).
//
// Model names are MLOS model ids ("namespace/name@version"), percent-encoded or not in paths
// ('/' may stay plain, as tritonclient sends it); /versions/{v} after a name without '@' means
// name@v, and a name without '@' and no version means name@latest.
//
// Errors are {"error": "..."}: 400 bad request, 404 unknown model or path, 405 with Allow for
// another method, 503 with Retry-After when the model's queue is full, it is unavailable or out of
// memory. Metadata and health routes answer inline, load/unload/index are blocking, infer is
// asynchronous (decoded, then queued on the model; the reply goes out from ModelManager's
// callback). Thread-safe.
#pragma once

#include <string>

#include "core/api/http/http_types.h"
#include "core/model_manager.h"

namespace mlos::core {

class KServeApi : public HttpHandler {
 public:
  // `server_name` and `server_version` are what GET /v2 reports.
  KServeApi(ModelManager& models, std::string server_name, std::string server_version);

  RouteAction Route(const HttpRequest& request) const override;

 private:
  HttpResponse ServerMetadata() const;
  HttpResponse ModelMetadata(const std::string& id) const;
  HttpResponse ModelReady(const std::string& id) const;
  HttpResponse ModelConfig(const std::string& id) const;  // Triton's, for perf_analyzer & co.
  HttpResponse Statistics(const std::string& id) const;   // every model when `id` is empty
  HttpResponse RepositoryIndex(const HttpRequest& request) const;
  HttpResponse LoadOrUnload(const std::string& id, bool load, const HttpRequest& request) const;
  void Infer(const std::string& id, HttpRequest request, Responder respond) const;

  ModelManager& models_;
  const std::string server_name_;
  const std::string server_version_;
};

}  // namespace mlos::core
