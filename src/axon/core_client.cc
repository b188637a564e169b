#include "axon/core_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

namespace mlos::axon {
namespace {

// libcurl's process-wide set-up, done once before the first handle (it is not thread-safe).
void InitCurlOnce() {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialized;
}

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

Status StatusForHttp(long http_status, const std::string& message) {
  switch (http_status) {
    case 400:
      return InvalidArgument(message);
    case 404:
      return NotFound(message);
    case 409:
      return AlreadyExists(message);
    case 429:
      return ResourceExhausted(message);
    case 503:
      return Unavailable(message);
    default:
      return Internal(message);
  }
}

std::string MessageOf(const std::string& body) {
  const nlohmann::json reply = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_object() && reply.contains("message") && reply["message"].is_string()) {
    return reply["message"].get<std::string>();
  }
  return body;
}

// POSTs a JSON body; Unavailable when nothing answers.
StatusOr<CoreReply> PostJson(const std::string& url, const std::string& body) {
  InitCurlOnce();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Internal("cannot create a libcurl handle");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  // No "Expect: 100-continue" round trip before the body.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));
  char error_text[CURL_ERROR_SIZE] = {};
  CoreReply reply;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  // Registration reads and validates the model; large models take a while.
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 300L);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return Unavailable("cannot reach MLOS Core at " + url + ": " +
                       (error_text[0] != '\0' ? error_text : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.http_status);
  reply.message = MessageOf(reply.body);
  return reply;
}

}  // namespace

std::string DefaultCoreUrl(const std::string& configured) {
  const char* endpoint = std::getenv("MLOS_CORE_ENDPOINT");
  return endpoint != nullptr && endpoint[0] != '\0' ? endpoint : configured;
}

std::vector<std::string> RegistrationRoles(const Manifest& manifest) {
  std::vector<std::string> roles;
  size_t role_files = 0;
  for (const ManifestExecutionFile& file : manifest.execution_files) {
    if (file.role == "single") continue;
    ++role_files;
    if (std::find(roles.begin(), roles.end(), file.role) == roles.end()) roles.push_back(file.role);
  }
  if (role_files < 2) roles.clear();
  return roles;
}

std::string RoleModelId(const Manifest& manifest, const std::string& role) {
  if (role.empty()) return manifest.model_id();
  return manifest.namespace_ + "/" + manifest.name + "/" + role + "@" + manifest.version;
}

std::string RegisterRequestBody(const InstalledModel& model, const std::string& role) {
  const Manifest& m = model.manifest;
  nlohmann::json body = {
      {"model_id", RoleModelId(m, role)},
      {"path", model.dir},
      {"manifest_path", model.manifest_path},
      {"framework", m.framework},
      {"execution_format", m.execution_format},
      {"name", m.name},
      {"description", m.description},
  };
  if (!role.empty()) body["role"] = role;
  // Strings that are not valid UTF-8 (odd file names) are replaced, never a reason to throw.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StatusOr<CoreReply> RegisterWithCore(const std::string& core_url, const InstalledModel& model,
                                     const std::string& role) {
  std::string base = core_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string url = base + "/models/register";
  ASSIGN_OR_RETURN(CoreReply reply, PostJson(url, RegisterRequestBody(model, role)));
  if (reply.http_status < 200 || reply.http_status >= 300) {
    return StatusForHttp(reply.http_status, "MLOS Core at " + url + " refused to register " +
                                                RoleModelId(model.manifest, role) + " (HTTP " +
                                                std::to_string(reply.http_status) +
                                                "): " + reply.message);
  }
  return reply;
}

}  // namespace mlos::axon
