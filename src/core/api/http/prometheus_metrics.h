// The Prometheus text exposition (format 0.0.4) of /metrics.
//
// Per model (labels model="namespace/name", version="v"), with Triton's family names where they
// apply: nv_inference_request_success / _failure, nv_inference_count, nv_inference_exec_count
// (count / exec_count is the mean batch size), nv_inference_request_duration_us,
// nv_inference_queue_duration_us, nv_inference_compute_infer_duration_us (cumulative
// microseconds), nv_inference_pending_request_count; and MLOS's own: mlos_model_loaded,
// mlos_model_memory_bytes, mlos_model_loads_total, mlos_model_load_failures_total,
// mlos_model_unloads_total. Server-wide: mlos_memory_budget_bytes, mlos_memory_used_bytes,
// mlos_loaded_models, mlos_http_requests_total{class="2xx"|"4xx"|"5xx"},
// mlos_http_request_duration_us_total, process_resident_memory_bytes. Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/api/http/http_counters.h"
#include "core/model_manager.h"

namespace mlos::core {

std::string RenderPrometheusMetrics(const std::vector<ModelInfo>& models,
                                    const ResourceUsage& usage, const HttpTotals& http,
                                    uint64_t resident_bytes);

}  // namespace mlos::core
