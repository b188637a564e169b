// RAII C++ wrappers for the SMI C handles (include/mlos/smi.h). Header-only; no dependency on
// the rest of MLOS.
//
// smi::Error       a zero-initialised `smi_error` slot with a string accessor.
// smi::Plugin      owns one `smi_plugin*`; plugin_destroy runs in the destructor.
// smi::Model       owns one `smi_model*`; model_unload runs in the destructor.
//
// Both handle types are move-only. Ownership follows smi.h: a handle is the host's from the
// successful create/load call until its wrapper is destroyed. A Model does not keep its Plugin
// alive: the caller must destroy every Model of a plugin before the Plugin (smi.h requires
// plugin_destroy to come after the last model_unload). Thread-safety is that of the underlying
// plugin (see the threading paragraph of smi.h): const member functions may be called
// concurrently where the ABI allows it; construction, move and destruction may not race.
#ifndef MLOS_SMI_CPP_H_
#define MLOS_SMI_CPP_H_

#include <cstdint>
#include <string_view>
#include <utility>

#include "mlos/smi.h"

namespace mlos::smi {

// An error slot that starts as "OK, no message".
struct Error : smi_error {
  Error() : smi_error{SMI_OK, {0}} {}
  // The plugin's message, or "" if it wrote none. Always NUL-terminated within capacity.
  std::string_view text() const {
    size_t length = 0;
    while (length < SMI_ERROR_MESSAGE_CAPACITY && message[length] != '\0') ++length;
    return {message, length};
  }
};

class Model {
 public:
  Model() = default;
  // Takes ownership of `handle`, which `api->model_load` returned.
  Model(const smi_plugin_api* api, smi_model* handle) : api_(api), handle_(handle) {}
  Model(Model&& other) noexcept { *this = std::move(other); }
  Model& operator=(Model&& other) noexcept {
    if (this != &other) {
      reset();
      api_ = std::exchange(other.api_, nullptr);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model() { reset(); }

  explicit operator bool() const { return handle_ != nullptr; }
  smi_model* get() const { return handle_; }
  const smi_plugin_api* api() const { return api_; }

  // Unloads the model now (no-op if empty).
  void reset() {
    if (handle_ != nullptr) api_->model_unload(handle_);
    handle_ = nullptr;
  }

  // REQUIRES: *this is non-empty (for all three calls).
  smi_status Signature(smi_signature* out, smi_error* error) const {
    return api_->model_signature(handle_, out, error);
  }
  smi_status Execute(const smi_request* requests, uint32_t request_count, smi_error* errors) const {
    return api_->model_execute(handle_, requests, request_count, errors);
  }
  // 0 when the plugin does not report memory (the entry is optional).
  uint64_t MemoryBytes() const {
    return api_->model_memory_bytes != nullptr ? api_->model_memory_bytes(handle_) : 0;
  }

 private:
  const smi_plugin_api* api_ = nullptr;
  smi_model* handle_ = nullptr;
};

class Plugin {
 public:
  Plugin() = default;
  Plugin(Plugin&& other) noexcept { *this = std::move(other); }
  Plugin& operator=(Plugin&& other) noexcept {
    if (this != &other) {
      reset();
      api_ = std::exchange(other.api_, nullptr);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
  ~Plugin() { reset(); }

  // Calls api->plugin_create. On SMI_OK, *out owns the new instance; otherwise *out is left
  // empty and `error` (may be NULL) says why.
  static smi_status Create(const smi_plugin_api* api, const char* config_json, Plugin* out,
                           smi_error* error) {
    smi_plugin* handle = nullptr;
    const smi_status status = api->plugin_create(config_json, &handle, error);
    if (status == SMI_OK) {
      out->reset();
      out->api_ = api;
      out->handle_ = handle;
    }
    return status;
  }

  explicit operator bool() const { return handle_ != nullptr; }
  smi_plugin* get() const { return handle_; }
  const smi_plugin_api* api() const { return api_; }

  // Destroys the instance now. REQUIRES: every Model loaded through it is already destroyed.
  void reset() {
    if (handle_ != nullptr) api_->plugin_destroy(handle_);
    handle_ = nullptr;
  }

  // Loads a model. On SMI_OK, *out owns it; otherwise *out is unchanged and `error` says why.
  // REQUIRES: *this is non-empty.
  smi_status LoadModel(const char* path, const char* config_json, Model* out,
                       smi_error* error) const {
    smi_model* handle = nullptr;
    const smi_status status = api_->model_load(handle_, path, config_json, &handle, error);
    if (status == SMI_OK) *out = Model(api_, handle);
    return status;
  }

 private:
  const smi_plugin_api* api_ = nullptr;
  smi_plugin* handle_ = nullptr;
};

}  // namespace mlos::smi

#endif  // MLOS_SMI_CPP_H_
