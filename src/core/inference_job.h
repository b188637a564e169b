// InferenceJob: one inference request on its way through Core, from a front end (MLOS API,
// KServe v2 REST, later gRPC and IPC) to the model's scheduler and back.
//
// The front end decodes and validates the request against the model's registered signature
// (ModelManager::Describe), then hands the job to ModelManager::Infer. The outcome comes back
// through `done`, exactly once, on whichever thread finished it (a model's execution thread, or
// the caller's when the request fails before it is queued). `done` must be quick: encode the
// reply and hand it to the transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/api/inference_request.h"
#include "core/api/inference_response.h"

namespace mlos::core {

struct InferenceOutcome {
  Status status;                      // not OK: nothing below is set but the times
  std::vector<OutputTensor> outputs{};  // the wanted outputs, in the order the job named them
                                      // (all of them, in declared order, when it named none)
  int64_t queue_time_us = 0;          // received -> execution started
  int64_t compute_time_us = 0;        // the execution (of the whole batch)
  int batch_size = 1;                 // requests executed together with this one, itself included
};

using InferenceCallback = std::function<void(InferenceOutcome)>;

struct InferenceJob {
  std::vector<NamedTensor> inputs;        // one per declared input, in declared order
  std::vector<std::string> output_names;  // the outputs wanted, validated; empty: all
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
  InferenceCallback done;
};

}  // namespace mlos::core
