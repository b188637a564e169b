#include "core/api/http/prometheus_metrics.h"

#include <fmt/format.h>

#include <functional>

namespace mlos::core {
namespace {

// A label value with backslash, double quote and newline escaped.
std::string Escape(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      escaped += '\\';
      escaped += c;
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string ModelLabels(const std::string& id) {
  const size_t at = id.rfind('@');
  const std::string name = at == std::string::npos ? id : id.substr(0, at);
  const std::string version = at == std::string::npos ? "" : id.substr(at + 1);
  return fmt::format("model=\"{}\",version=\"{}\"", Escape(name), Escape(version));
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                   type);
  }
  void Sample(const char* name, const std::string& labels, double value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(text_), "{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(text_), "{}{{{}}} {}\n", name, labels, value);
    }
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

struct ModelFamily {
  const char* name;
  const char* type;
  const char* help;
  std::function<double(const ModelInfo&)> value;
};

}  // namespace

std::string RenderPrometheusMetrics(const std::vector<ModelInfo>& models,
                                    const ResourceUsage& usage, const HttpTotals& http,
                                    uint64_t resident_bytes) {
  const std::vector<ModelFamily> families = {
      {"nv_inference_request_success", "counter", "Inference requests answered with outputs",
       [](const ModelInfo& m) { return m.stats.success_count; }},
      {"nv_inference_request_failure", "counter", "Inference requests that failed",
       [](const ModelInfo& m) { return m.stats.failure_count; }},
      {"nv_inference_count", "counter", "Inferences performed (a batch of n counts n)",
       [](const ModelInfo& m) { return m.stats.inference_count; }},
      {"nv_inference_exec_count", "counter", "Model executions (batches)",
       [](const ModelInfo& m) { return m.stats.execution_count; }},
      {"nv_inference_request_duration_us", "counter",
       "Cumulative end-to-end duration of successful requests, in microseconds",
       [](const ModelInfo& m) { return m.stats.request_duration_us; }},
      {"nv_inference_queue_duration_us", "counter",
       "Cumulative time requests waited before execution, in microseconds",
       [](const ModelInfo& m) { return m.stats.queue_duration_us; }},
      {"nv_inference_compute_infer_duration_us", "counter",
       "Cumulative execution time of requests, in microseconds",
       [](const ModelInfo& m) { return m.stats.compute_duration_us; }},
      {"nv_inference_pending_request_count", "gauge", "Requests queued or executing now",
       [](const ModelInfo& m) { return m.stats.pending; }},
      {"mlos_model_loaded", "gauge", "1 while the model is loaded and ready",
       [](const ModelInfo& m) { return m.state == ModelState::kReady ? 1 : 0; }},
      {"mlos_model_memory_bytes", "gauge", "Memory held by the loaded model",
       [](const ModelInfo& m) { return m.memory_bytes; }},
      {"mlos_model_loads_total", "counter", "Successful loads of the model",
       [](const ModelInfo& m) { return m.stats.load_count; }},
      {"mlos_model_load_failures_total", "counter", "Failed loads of the model",
       [](const ModelInfo& m) { return m.stats.load_failure_count; }},
      {"mlos_model_unloads_total", "counter", "Unloads of the model",
       [](const ModelInfo& m) { return m.stats.unload_count; }},
  };
  Writer out;
  for (const auto& family : families) {
    out.Family(family.name, family.type, family.help);
    for (const auto& model : models) {
      out.Sample(family.name, ModelLabels(model.record.id), family.value(model));
    }
  }
  out.Family("mlos_memory_budget_bytes", "gauge", "Memory budget for loaded models (0: none)");
  out.Sample("mlos_memory_budget_bytes", "", usage.memory_budget_bytes);
  out.Family("mlos_memory_used_bytes", "gauge", "Memory held by loaded models and loads");
  out.Sample("mlos_memory_used_bytes", "", usage.memory_used_bytes);
  out.Family("mlos_loaded_models", "gauge", "Models loaded or loading");
  out.Sample("mlos_loaded_models", "", usage.loaded_models);
  out.Family("mlos_http_requests_total", "counter", "HTTP replies by status class");
  out.Sample("mlos_http_requests_total", "class=\"2xx\"", http.status_2xx);
  out.Sample("mlos_http_requests_total", "class=\"4xx\"", http.status_4xx);
  out.Sample("mlos_http_requests_total", "class=\"5xx\"", http.status_5xx);
  out.Family("mlos_http_request_duration_us_total", "counter",
             "Cumulative time from request read to reply, in microseconds");
  out.Sample("mlos_http_request_duration_us_total", "", http.latency_us);
  out.Family("process_resident_memory_bytes", "gauge", "Resident memory of mlos-core");
  out.Sample("process_resident_memory_bytes", "", resident_bytes);
  return out.Take();
}

}  // namespace mlos::core
