// The SMI function table of the ONNX plugin and its one conversion layer between SMI and C++:
// every entry point runs its body through Guarded(), which catches anything thrown and turns the
// resulting Status into an smi_status plus a message in the caller's smi_error.
#include "plugins/onnx/onnx_plugin.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "engine/thread_pool.h"

#include "plugins/onnx/model_location.h"
#include "plugins/smi_guard.h"
#include "plugins/onnx/smi_tensors.h"

#ifndef MLOS_ONNX_PLUGIN_VERSION
#error "MLOS_ONNX_PLUGIN_VERSION must be defined by the build"
#endif

struct smi_plugin {
  mlos::engine::SessionOptions defaults;
};

struct smi_model {
  std::unique_ptr<mlos::engine::Session> session;
  // SMI descriptions of the signature; names and shapes point into session->signature().
  std::vector<smi_io_desc> inputs;
  std::vector<smi_io_desc> outputs;
};

namespace mlos::plugins::onnx {
namespace {

std::vector<smi_io_desc> Describe(const std::vector<engine::TensorInfo>& infos) {
  std::vector<smi_io_desc> descs;
  for (const engine::TensorInfo& info : infos) {
    descs.push_back({info.name.c_str(), static_cast<smi_dtype>(info.dtype),
                     info.rank_known ? static_cast<int32_t>(info.shape.size()) : -1,
                     info.rank_known ? info.shape.data() : nullptr});
  }
  return descs;
}

smi_status PluginCreate(const char* config_json, smi_plugin** out, smi_error* error) {
  return Guarded(error, [&]() -> Status {
    RETURN_IF_ERROR(RequireArgument(out, "plugin_create: out"));
    ASSIGN_OR_RETURN(
        engine::SessionOptions defaults,
        ParseSessionOptions(config_json ? config_json : "{}", engine::SessionOptions{}));
    // One intra-op pool for every model of the plugin: models running at once share the cores.
    const int threads = defaults.threads > 0
                            ? defaults.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    defaults.thread_pool = std::make_shared<engine::ThreadPool>(threads);
    *out = new smi_plugin{defaults};
    return Status::Ok();
  });
}

void PluginDestroy(smi_plugin* plugin) { delete plugin; }

smi_status ModelLoad(smi_plugin* plugin, const char* path, const char* config_json, smi_model** out,
                     smi_error* error) {
  return Guarded(error, [&]() -> Status {
    RETURN_IF_ERROR(RequireArgument(plugin, "model_load: plugin"));
    RETURN_IF_ERROR(RequireArgument(path, "model_load: path"));
    RETURN_IF_ERROR(RequireArgument(out, "model_load: out"));
    ASSIGN_OR_RETURN(engine::SessionOptions options,
                     ParseSessionOptions(config_json ? config_json : "{}", plugin->defaults));
    ASSIGN_OR_RETURN(std::string file, ResolveModelFile(path));
    ASSIGN_OR_RETURN(std::unique_ptr<engine::Session> session,
                     engine::Session::Load(file, options));
    auto model = std::make_unique<smi_model>();
    model->inputs = Describe(session->signature().inputs);
    model->outputs = Describe(session->signature().outputs);
    model->session = std::move(session);
    *out = model.release();
    return Status::Ok();
  });
}

void ModelUnload(smi_model* model) { delete model; }

smi_status ModelSignature(smi_model* model, smi_signature* out, smi_error* error) {
  return Guarded(error, [&]() -> Status {
    RETURN_IF_ERROR(RequireArgument(model, "model_signature: model"));
    RETURN_IF_ERROR(RequireArgument(out, "model_signature: out"));
    *out = {static_cast<uint32_t>(model->inputs.size()), model->inputs.data(),
            static_cast<uint32_t>(model->outputs.size()), model->outputs.data()};
    return Status::Ok();
  });
}

Status ExecuteOne(const engine::Session& session, const smi_request& request) {
  if (request.input_count > 0) RETURN_IF_ERROR(RequireArgument(request.inputs, "request inputs"));
  if (request.output_count > 0) {
    RETURN_IF_ERROR(RequireArgument(request.output_names, "request output_names"));
  }
  std::vector<engine::NamedTensor> inputs;
  for (uint32_t i = 0; i < request.input_count; ++i) {
    ASSIGN_OR_RETURN(engine::NamedTensor input, TensorFromView(request.inputs[i]));
    inputs.push_back(std::move(input));
  }
  std::vector<std::string> output_names;
  for (uint32_t i = 0; i < request.output_count; ++i) {
    RETURN_IF_ERROR(RequireArgument(request.output_names[i], "an output name"));
    output_names.emplace_back(request.output_names[i]);
  }
  ASSIGN_OR_RETURN(std::vector<engine::NamedTensor> outputs, session.Run(inputs, output_names));
  for (const engine::NamedTensor& output : outputs)
    RETURN_IF_ERROR(CopyToHost(output, request.allocator));
  return Status::Ok();
}

smi_status ModelExecute(smi_model* model, const smi_request* requests, uint32_t request_count,
                        smi_error* errors) {
  if (model == nullptr || (requests == nullptr && request_count > 0)) {
    for (uint32_t i = 0; errors != nullptr && i < request_count; ++i) {
      Guarded(&errors[i],
              [] { return InvalidArgument("model_execute: model or requests is NULL"); });
    }
    return SMI_ERR_INVALID_ARGUMENT;
  }
  smi_status first_failure = SMI_OK;
  for (uint32_t i = 0; i < request_count; ++i) {
    smi_error* slot = errors != nullptr ? &errors[i] : nullptr;
    const smi_status code = Guarded(slot, [&] { return ExecuteOne(*model->session, requests[i]); });
    if (first_failure == SMI_OK) first_failure = code;
  }
  return first_failure;
}

uint64_t ModelMemoryBytes(smi_model* model) {
  return model != nullptr ? model->session->memory_bytes() : 0;
}

constexpr const char* kExecutionFormats[] = {"onnx", nullptr};

constexpr smi_plugin_api kApi = {
    SMI_VERSION_MAJOR,      SMI_VERSION_MINOR,
    sizeof(smi_plugin_api), "onnx",
    "MLOS ONNX engine",     MLOS_ONNX_PLUGIN_VERSION,
    kExecutionFormats,      &PluginCreate,
    &PluginDestroy,         &ModelLoad,
    &ModelUnload,           &ModelSignature,
    &ModelExecute,          &ModelMemoryBytes,
};

}  // namespace
}  // namespace mlos::plugins::onnx

extern "C" const smi_plugin_api* mlos_onnx_plugin_init(uint32_t host_abi_major,
                                                       uint32_t host_abi_minor) {
  (void)host_abi_minor;  // every 1.x host can use a 1.0 table
  return host_abi_major == SMI_VERSION_MAJOR ? &mlos::plugins::onnx::kApi : nullptr;
}
