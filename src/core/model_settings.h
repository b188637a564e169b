// ModelSettings: how Core runs one model — its lifecycle, concurrency, queue and batching — plus
// the settings it passes on to the model's plugin.
//
// JSON form (register body "settings", config file "model_defaults" / "models.<id>", the
// registry's settings_json), every key optional:
//   {"keep_alive_s": 300,        // idle seconds before unload; -1 pinned, 0 unload after use
//    "instances": 1,             // executions of this model at once
//    "max_queue": 128,           // requests waiting beyond the running ones; more get 503
//    "max_batch_size": 0,        // dynamic batching: requests stacked into one execution (0, 1: off)
//    "max_queue_delay_us": 0,    // how long a partial batch may wait for more requests
//    "timeout_ms": 0,            // a request still queued after this long fails (0: no limit)
//    "load": false,              // load at start-up (config) or at registration
//    "threads": 2, ...}          // any other key is the plugin's (e.g. the onnx plugin's threads)
// Parsing checks types and ranges and names the key and `what` ("model 'ns/m@v' settings") in
// errors. Settings given for a model are laid over the defaults key by key. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace mlos::core {

struct ModelSettings {
  int64_t keep_alive_s = 300;
  int instances = 1;
  int max_queue = 128;
  int max_batch_size = 0;
  int64_t max_queue_delay_us = 0;
  int64_t timeout_ms = 0;
  bool load = false;
  nlohmann::json plugin = nlohmann::json::object();  // the keys Core does not know

  bool batching() const { return max_batch_size > 1; }
};

// `json` must be an object; its keys override `defaults`.
StatusOr<ModelSettings> ParseModelSettings(const nlohmann::json& json,
                                           const ModelSettings& defaults, const std::string& what);

// The JSON form of every setting (Core's and the plugin's keys together).
nlohmann::json ModelSettingsToJson(const ModelSettings& settings);

}  // namespace mlos::core
