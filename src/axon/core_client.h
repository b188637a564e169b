// Core client: the calls Axon makes to a running MLOS Core over its HTTP API (SPEC §3.1).
//
// Uses libcurl; every call is synchronous and independent (no shared handle), so calls may run
// from several threads. Bodies are built and read with nlohmann::json, so any string (paths with
// quotes, backslashes, non-ASCII characters) travels escaped correctly.
#pragma once

#include <string>
#include <vector>

#include "axon/store.h"
#include "common/status.h"

namespace mlos::axon {

// The Core endpoint to use when none is given: $MLOS_CORE_ENDPOINT, else `configured` (axon's
// core.url).
std::string DefaultCoreUrl(const std::string& configured = "http://127.0.0.1:8080");

// The roles `axon register` registers as separate Core models: when at least two of the
// manifest's execution files have a role other than "single" (an encoder-decoder pair, CLIP's
// text and vision towers), those roles in manifest order, each once; otherwise none (the model
// is registered whole).
std::vector<std::string> RegistrationRoles(const Manifest& manifest);

// The Core model id of one role: "<namespace>/<name>/<role>@<version>"; the manifest's own id
// when `role` is empty.
std::string RoleModelId(const Manifest& manifest, const std::string& role);

// The body of POST /models/register for an installed model: model_id (RoleModelId), path (the
// version directory), manifest_path, framework, execution_format, name, description, and "role"
// when `role` is not empty.
std::string RegisterRequestBody(const InstalledModel& model, const std::string& role = "");

struct CoreReply {
  long http_status = 0;
  std::string body;     // the reply as sent (normally a JSON object)
  std::string message;  // its "message" field, or the body when it has none
};

// POSTs RegisterRequestBody(model, role) to `core_url` + "/models/register".
// Unavailable (naming the URL and curl's error) when Core cannot be reached; when Core answers
// with an HTTP error, a status mapped from it (400 InvalidArgument, 404 NotFound, 409
// AlreadyExists, 429/503 ResourceExhausted/Unavailable, other Internal) carrying Core's message.
StatusOr<CoreReply> RegisterWithCore(const std::string& core_url, const InstalledModel& model,
                                     const std::string& role = "");

}  // namespace mlos::axon
