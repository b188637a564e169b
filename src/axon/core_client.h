// Core client: the calls Axon makes to a running MLOS Core over its HTTP API (SPEC §3.1).
//
// Uses libcurl; every call is synchronous and independent (no shared handle), so calls may run
// from several threads. Bodies are built and read with nlohmann::json, so any string (paths with
// quotes, backslashes, non-ASCII characters) travels escaped correctly.
#pragma once

#include <string>

#include "axon/store.h"
#include "common/status.h"

namespace mlos::axon {

// The Core endpoint to use when none is given: $MLOS_CORE_ENDPOINT, else `configured` (axon's
// core.url).
std::string DefaultCoreUrl(const std::string& configured = "http://127.0.0.1:8080");

// The body of POST /models/register for an installed model: model_id, path (the version
// directory), manifest_path, framework, execution_format, name, description.
std::string RegisterRequestBody(const InstalledModel& model);

struct CoreReply {
  long http_status = 0;
  std::string body;     // the reply as sent (normally a JSON object)
  std::string message;  // its "message" field, or the body when it has none
};

// POSTs RegisterRequestBody(model) to `core_url` + "/models/register".
// Unavailable (naming the URL and curl's error) when Core cannot be reached; when Core answers
// with an HTTP error, a status mapped from it (400 InvalidArgument, 404 NotFound, 409
// AlreadyExists, 429/503 ResourceExhausted/Unavailable, other Internal) carrying Core's message.
StatusOr<CoreReply> RegisterWithCore(const std::string& core_url, const InstalledModel& model);

}  // namespace mlos::axon
