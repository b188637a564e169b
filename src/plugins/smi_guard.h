// The error side of an SMI entry point written in C++, shared by the C++ plugins: a Status
// becomes an smi_status code plus its message in the caller's smi_error, and nothing thrown ever
// crosses the C ABI (smi.h). Header-only; every function is noexcept and thread-safe.
//
//   smi_status ModelLoad(..., smi_error* error) {
//     return Guarded(error, [&]() -> Status { RETURN_IF_ERROR(RequireArgument(path, "path")); ... });
//   }
#pragma once

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "common/status.h"
#include "mlos/smi.h"

namespace mlos::plugins {

inline smi_status SmiCode(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kOk:
      return SMI_OK;
    case StatusCode::kInvalidArgument:
      return SMI_ERR_INVALID_ARGUMENT;
    case StatusCode::kOutOfMemory:
      return SMI_ERR_OUT_OF_MEMORY;
    case StatusCode::kNotFound:
      return SMI_ERR_NOT_FOUND;
    case StatusCode::kUnimplemented:
      return SMI_ERR_UNSUPPORTED;
    default:
      return SMI_ERR_RUNTIME;
  }
}

// Writes `code` and `message` (truncated to fit, always NUL-terminated) into `error` if given.
inline smi_status Report(smi_status code, const char* message, size_t length,
                         smi_error* error) noexcept {
  if (error != nullptr) {
    error->code = code;
    const size_t copied = std::min(length, sizeof(error->message) - 1);
    std::memcpy(error->message, message, copied);
    error->message[copied] = '\0';
  }
  return code;
}

inline smi_status Report(smi_status code, const char* message, smi_error* error) noexcept {
  return Report(code, message, std::strlen(message), error);
}

inline smi_status Report(const Status& status, smi_error* error) noexcept {
  return Report(SmiCode(status.code()), status.message().data(), status.message().size(), error);
}

// Runs `body` (returning Status) and reports its outcome; nothing thrown gets past this. A plugin
// whose framework has exceptions with better messages than what() catches them inside `body`.
template <typename Body>
smi_status Guarded(smi_error* error, Body&& body) noexcept {
  try {
    return Report(body(), error);
  } catch (const std::bad_alloc&) {
    return Report(SMI_ERR_OUT_OF_MEMORY, "out of memory", error);
  } catch (const std::exception& e) {
    return Report(SMI_ERR_RUNTIME, e.what(), error);
  } catch (...) {
    return Report(SMI_ERR_RUNTIME, "unknown exception", error);
  }
}

// InvalidArgument "<what> is NULL" for a NULL pointer the ABI says must be given.
inline Status RequireArgument(const void* pointer, const char* what) {
  return pointer != nullptr ? Status::Ok() : InvalidArgument(std::string(what) + " is NULL");
}

}  // namespace mlos::plugins
