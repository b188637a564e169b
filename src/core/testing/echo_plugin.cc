// The "echo" test plugin: an SMI plugin without a model, so the server, the plugin loader and
// the request path can be tested without the ONNX engine.
//
// Execution format "echo". A model is a JSON file describing its inputs:
//   {"inputs":[{"name":"x","datatype":"FP32","shape":[-1,3]}], "delay_ms": 0}
// Each input `x` has one output `x_echo` with the same dtype and declared shape; executing copies
// every input to its output byte for byte. `delay_ms` makes each execution sleep (a slow model).
// An input named "fail" makes execution fail with SMI_ERR_RUNTIME. A file that is not such JSON
// fails to load with SMI_ERR_INVALID_ARGUMENT and a message naming the file.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/dtype.h"
#include "mlos/smi.h"

struct smi_plugin {};

struct smi_model {
  struct Tensor {
    std::string name;
    smi_dtype dtype = SMI_DTYPE_INVALID;
    std::vector<int64_t> shape;
  };
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  std::vector<smi_io_desc> input_descs;
  std::vector<smi_io_desc> output_descs;
  int delay_ms = 0;
  uint64_t file_bytes = 0;
};

namespace {

smi_status Fail(smi_error* error, smi_status code, const std::string& message) {
  if (error != nullptr) {
    error->code = code;
    std::snprintf(error->message, sizeof(error->message), "%s", message.c_str());
  }
  return code;
}

void Describe(const std::vector<smi_model::Tensor>& tensors, std::vector<smi_io_desc>* descs) {
  for (const auto& tensor : tensors) {
    descs->push_back({tensor.name.c_str(), tensor.dtype, static_cast<int32_t>(tensor.shape.size()),
                      tensor.shape.data()});
  }
}

smi_status PluginCreate(const char*, smi_plugin** out, smi_error*) {
  *out = new smi_plugin();
  return SMI_OK;
}

void PluginDestroy(smi_plugin* plugin) { delete plugin; }

smi_status ModelLoad(smi_plugin*, const char* path, const char*, smi_model** out,
                     smi_error* error) {
  try {
    std::ifstream file(path, std::ios::binary);
    if (!file) return Fail(error, SMI_ERR_NOT_FOUND, std::string("cannot open ") + path);
    std::stringstream text;
    text << file.rdbuf();
    const nlohmann::json description = nlohmann::json::parse(text.str());
    auto model = std::make_unique<smi_model>();
    for (const auto& input : description.at("inputs")) {
      const auto dtype = mlos::ParseDataType(input.at("datatype").get<std::string>());
      if (!dtype)
        return Fail(error, SMI_ERR_INVALID_ARGUMENT, std::string(path) + ": bad datatype");
      smi_model::Tensor tensor{input.at("name").get<std::string>(), static_cast<smi_dtype>(*dtype),
                               input.at("shape").get<std::vector<int64_t>>()};
      model->inputs.push_back(tensor);
      tensor.name += "_echo";
      model->outputs.push_back(tensor);
    }
    model->delay_ms = description.value("delay_ms", 0);
    model->file_bytes = text.str().size();
    Describe(model->inputs, &model->input_descs);
    Describe(model->outputs, &model->output_descs);
    *out = model.release();
    return SMI_OK;
  } catch (const std::exception& e) {
    return Fail(error, SMI_ERR_INVALID_ARGUMENT,
                std::string(path) + ": not an echo model description: " + e.what());
  }
}

void ModelUnload(smi_model* model) { delete model; }

smi_status ModelSignature(smi_model* model, smi_signature* out, smi_error*) {
  *out = {static_cast<uint32_t>(model->input_descs.size()), model->input_descs.data(),
          static_cast<uint32_t>(model->output_descs.size()), model->output_descs.data()};
  return SMI_OK;
}

smi_status ExecuteOne(const smi_request& request, smi_error* error) {
  for (uint32_t i = 0; i < request.input_count; ++i) {
    const smi_tensor_view& input = request.inputs[i];
    if (std::strcmp(input.name, "fail") == 0) {
      return Fail(error, SMI_ERR_RUNTIME, "input 'fail': the echo plugin was asked to fail");
    }
    const std::string output_name = std::string(input.name) + "_echo";
    void* buffer =
        request.allocator.allocate(request.allocator.context, output_name.c_str(), input.dtype,
                                   input.rank, input.shape, input.byte_size);
    if (buffer == nullptr) return Fail(error, SMI_ERR_OUT_OF_MEMORY, "output allocation failed");
    if (input.byte_size > 0) std::memcpy(buffer, input.data, input.byte_size);
  }
  return SMI_OK;
}

smi_status ModelExecute(smi_model* model, const smi_request* requests, uint32_t count,
                        smi_error* errors) {
  if (model->delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(model->delay_ms));
  smi_status result = SMI_OK;
  for (uint32_t i = 0; i < count; ++i) {
    const smi_status status = ExecuteOne(requests[i], errors != nullptr ? &errors[i] : nullptr);
    if (status != SMI_OK) result = status;
  }
  return result;
}

uint64_t ModelMemoryBytes(smi_model* model) { return model->file_bytes; }

const char* const kFormats[] = {"echo", nullptr};

const smi_plugin_api kApi = {
    SMI_VERSION_MAJOR,
    SMI_VERSION_MINOR,
    sizeof(smi_plugin_api),
    "echo",
    "Echo test plugin",
    "1.0.0",
    kFormats,
    PluginCreate,
    PluginDestroy,
    ModelLoad,
    ModelUnload,
    ModelSignature,
    ModelExecute,
    ModelMemoryBytes,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const smi_plugin_api* smi_plugin_init(
    uint32_t host_abi_major, uint32_t) {
  return host_abi_major == SMI_VERSION_MAJOR ? &kApi : nullptr;
}
