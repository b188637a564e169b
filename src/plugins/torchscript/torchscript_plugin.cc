// The SMI function table of the torchscript plugin (libmlos_plugin_torchscript.so) and its one
// conversion layer between SMI and C++: every entry point runs its body through TorchGuarded(),
// which turns LibTorch's c10::Error into its message without the C++ backtrace, then Guarded()
// (plugins/smi_guard.h) catches anything else thrown and turns the resulting Status into an
// smi_status plus a message in the caller's smi_error. The module exports only smi_plugin_init.
#include <c10/util/Exception.h>

#include <memory>
#include <vector>

#include "mlos/smi.h"
#include "plugins/smi_guard.h"
#include "plugins/torchscript/model_file.h"
#include "plugins/torchscript/plugin_config.h"
#include "plugins/torchscript/torch_threads.h"
#include "plugins/torchscript/torchscript_model.h"

#ifndef MLOS_TORCHSCRIPT_PLUGIN_VERSION
#error "MLOS_TORCHSCRIPT_PLUGIN_VERSION must be defined by the build"
#endif

struct smi_plugin {
  mlos::plugins::torchscript::PluginOptions options;
};

struct smi_model {
  std::unique_ptr<mlos::plugins::torchscript::TorchScriptModel> model;
  // SMI descriptions of the signature; names and shapes point into model->signature().
  std::vector<smi_io_desc> inputs;
  std::vector<smi_io_desc> outputs;
};

namespace mlos::plugins::torchscript {
namespace {

// Guarded, with LibTorch's errors reported by their message alone (what() holds a backtrace).
template <typename Body>
smi_status TorchGuarded(smi_error* error, Body&& body) noexcept {
  return Guarded(error, [&]() -> Status {
    try {
      return body();
    } catch (const c10::Error& e) {
      return Internal(e.what_without_backtrace());
    }
  });
}

std::vector<smi_io_desc> Describe(const std::vector<TensorSpec>& specs) {
  std::vector<smi_io_desc> descs;
  for (const TensorSpec& spec : specs) {
    descs.push_back({spec.name.c_str(), static_cast<smi_dtype>(spec.dtype),
                     spec.rank_known ? static_cast<int32_t>(spec.shape.size()) : -1,
                     spec.rank_known ? spec.shape.data() : nullptr});
  }
  return descs;
}

smi_status PluginCreate(const char* config_json, smi_plugin** out, smi_error* error) {
  return TorchGuarded(error, [&]() -> Status {
    RETURN_IF_ERROR(RequireArgument(out, "plugin_create: out"));
    ASSIGN_OR_RETURN(PluginOptions options,
                     ParsePluginOptions(config_json != nullptr ? config_json : "{}"));
    RETURN_IF_ERROR(ConfigureTorchThreads(options.threads));
    *out = new smi_plugin{options};
    return Status::Ok();
  });
}

void PluginDestroy(smi_plugin* plugin) { delete plugin; }

smi_status ModelLoad(smi_plugin* plugin, const char* path, const char* config_json, smi_model** out,
                     smi_error* error) {
  return TorchGuarded(error, [&]() -> Status {
    RETURN_IF_ERROR(RequireArgument(plugin, "model_load: plugin"));
    RETURN_IF_ERROR(RequireArgument(path, "model_load: path"));
    RETURN_IF_ERROR(RequireArgument(out, "model_load: out"));
    ASSIGN_OR_RETURN(ModelOptions options,
                     ParseModelOptions(config_json != nullptr ? config_json : "{}"));
    ASSIGN_OR_RETURN(std::string file, ResolveTorchScriptFile(path));
    auto model = std::make_unique<smi_model>();
    ASSIGN_OR_RETURN(model->model, TorchScriptModel::Load(file, options));
    model->inputs = Describe(model->model->signature().inputs);
    model->outputs = Describe(model->model->signature().outputs);
    *out = model.release();
    return Status::Ok();
  });
}

void ModelUnload(smi_model* model) { delete model; }

smi_status ModelSignature(smi_model* model, smi_signature* out, smi_error* error) {
  return TorchGuarded(error, [&]() -> Status {
    RETURN_IF_ERROR(RequireArgument(model, "model_signature: model"));
    RETURN_IF_ERROR(RequireArgument(out, "model_signature: out"));
    *out = {static_cast<uint32_t>(model->inputs.size()), model->inputs.data(),
            static_cast<uint32_t>(model->outputs.size()), model->outputs.data()};
    return Status::Ok();
  });
}

smi_status ModelExecute(smi_model* model, const smi_request* requests, uint32_t request_count,
                        smi_error* errors) {
  if (model == nullptr || (requests == nullptr && request_count > 0)) {
    for (uint32_t i = 0; errors != nullptr && i < request_count; ++i) {
      Report(SMI_ERR_INVALID_ARGUMENT, "model_execute: model or requests is NULL", &errors[i]);
    }
    return SMI_ERR_INVALID_ARGUMENT;
  }
  smi_status first_failure = SMI_OK;
  for (uint32_t i = 0; i < request_count; ++i) {
    smi_error* slot = errors != nullptr ? &errors[i] : nullptr;
    const smi_status code =
        TorchGuarded(slot, [&] { return model->model->Execute(requests[i]); });
    if (first_failure == SMI_OK) first_failure = code;
  }
  return first_failure;
}

uint64_t ModelMemoryBytes(smi_model* model) {
  return model != nullptr ? model->model->memory_bytes() : 0;
}

constexpr const char* kExecutionFormats[] = {"torchscript", nullptr};

constexpr smi_plugin_api kApi = {
    SMI_VERSION_MAJOR, SMI_VERSION_MINOR,      sizeof(smi_plugin_api),
    "torchscript",     "LibTorch TorchScript", MLOS_TORCHSCRIPT_PLUGIN_VERSION,
    kExecutionFormats, &PluginCreate,          &PluginDestroy,
    &ModelLoad,        &ModelUnload,           &ModelSignature,
    &ModelExecute,     &ModelMemoryBytes,
};

}  // namespace
}  // namespace mlos::plugins::torchscript

extern "C" __attribute__((visibility("default"))) const smi_plugin_api* smi_plugin_init(
    uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;  // every 1.x host can use a 1.0 table
  return host_abi_major == SMI_VERSION_MAJOR ? &mlos::plugins::torchscript::kApi : nullptr;
}
