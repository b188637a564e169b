// The "misbehaving" test plugin: breaks the SMI contract on purpose, so tests can prove that Core
// contains a bad plugin — the request it spoils fails alone and the server keeps serving.
//
// Execution format "misbehaving". A model file holds one word, the behaviour of the model. Every
// model declares input "x" FP32 [-1, 4] and outputs "y" FP32 [-1, 4] and "s" BYTES of unknown
// rank; a correct execution copies x to y and writes one string per row to s ([rows]).
// Behaviours:
//   good               the correct execution (the control)
//   error              fails with SMI_ERR_RUNTIME and a message
//   wrong_size         allocates y with 4 bytes more than its shape holds
//   wrong_shape        allocates y as [batch, 5]
//   wrong_dtype        allocates y as INT32
//   undeclared_output  also allocates an output "z" the model does not declare
//   missing_output     returns SMI_OK without producing y
//   twice              allocates y twice
//   bad_strings        writes s with a length prefix longer than the bytes that follow
//   huge_output        asks the host for a 2^60-byte output (the host must refuse, not die)
//   load_fails         model_load fails with SMI_ERR_INVALID_ARGUMENT
// Anything else fails to load, naming the word.
//
// Built several times with one of these defined, to make libraries that fail to become plugins:
//   MISBEHAVE_WRONG_ABI       the descriptor claims SMI 2.0
//   MISBEHAVE_NO_DESCRIPTOR   smi_plugin_init returns NULL
//   MISBEHAVE_CREATE_FAILS    plugin_create fails, quoting the configuration it was given
//   MISBEHAVE_NO_INIT         the library does not export smi_plugin_init at all
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "mlos/smi.h"

struct smi_plugin {};

struct smi_model {
  std::string behaviour;
};

namespace {

smi_status Fail(smi_error* error, smi_status code, const std::string& message) {
  if (error != nullptr) {
    error->code = code;
    std::snprintf(error->message, sizeof(error->message), "%s", message.c_str());
  }
  return code;
}

const int64_t kInputShape[] = {-1, 4};
const smi_io_desc kInputs[] = {{"x", SMI_DTYPE_FLOAT32, 2, kInputShape}};
const smi_io_desc kOutputs[] = {{"y", SMI_DTYPE_FLOAT32, 2, kInputShape},
                                {"s", SMI_DTYPE_STRING, -1, nullptr}};

smi_status PluginCreate(const char* config_json, smi_plugin** out, smi_error* error) {
#ifdef MISBEHAVE_CREATE_FAILS
  (void)out;
  return Fail(error, SMI_ERR_RUNTIME,
              std::string("the misbehaving plugin refuses to start with config ") + config_json);
#else
  *out = new smi_plugin();
  return SMI_OK;
#endif
}

void PluginDestroy(smi_plugin* plugin) { delete plugin; }

bool Known(const std::string& behaviour) {
  for (const char* known : {"good", "error", "wrong_size", "wrong_shape", "wrong_dtype",
                            "undeclared_output", "missing_output", "twice", "bad_strings",
                            "huge_output"}) {
    if (behaviour == known) return true;
  }
  return false;
}

smi_status ModelLoad(smi_plugin*, const char* path, const char*, smi_model** out,
                     smi_error* error) {
  std::ifstream file(path);
  std::string behaviour;
  if (!(file >> behaviour)) return Fail(error, SMI_ERR_NOT_FOUND, std::string("cannot read ") + path);
  if (behaviour == "load_fails") {
    return Fail(error, SMI_ERR_INVALID_ARGUMENT, std::string(path) + ": told to fail loading");
  }
  if (!Known(behaviour)) {
    return Fail(error, SMI_ERR_INVALID_ARGUMENT,
                std::string(path) + ": unknown behaviour '" + behaviour + "'");
  }
  *out = new smi_model{behaviour};
  return SMI_OK;
}

void ModelUnload(smi_model* model) { delete model; }

smi_status ModelSignature(smi_model*, smi_signature* out, smi_error*) {
  *out = {1, kInputs, 2, kOutputs};
  return SMI_OK;
}

void* Allocate(const smi_request& request, const char* name, smi_dtype dtype, int32_t rank,
               const int64_t* shape, uint64_t bytes) {
  return request.allocator.allocate(request.allocator.context, name, dtype, rank, shape, bytes);
}

// Writes "row<i>" for each of `rows` rows in the SMI STRING layout; `lie` overstates the first
// length.
smi_status WriteStrings(const smi_request& request, int64_t rows, bool lie, smi_error* error) {
  std::string bytes;
  for (int64_t row = 0; row < rows; ++row) {
    const std::string text = "row" + std::to_string(row);
    uint32_t length = static_cast<uint32_t>(text.size()) + (lie && row == 0 ? 100 : 0);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(length >> (8 * i)));
    bytes += text;
  }
  const int64_t shape[] = {rows};
  void* buffer = Allocate(request, "s", SMI_DTYPE_STRING, 1, shape, bytes.size());
  if (buffer == nullptr) return Fail(error, SMI_ERR_OUT_OF_MEMORY, "output 's' not allocated");
  std::memcpy(buffer, bytes.data(), bytes.size());
  return SMI_OK;
}

smi_status ExecuteOne(const std::string& behaviour, const smi_request& request,
                      smi_error* error) {
  if (behaviour == "error") return Fail(error, SMI_ERR_RUNTIME, "deliberate failure");
  if (request.input_count != 1 || request.inputs[0].rank != 2 ||
      request.inputs[0].dtype != SMI_DTYPE_FLOAT32) {
    return Fail(error, SMI_ERR_INVALID_ARGUMENT, "expected one FP32 input x of shape [n, 4]");
  }
  const smi_tensor_view& x = request.inputs[0];
  const int64_t rows = x.shape[0];
  int64_t shape[] = {rows, 4};
  smi_dtype dtype = SMI_DTYPE_FLOAT32;
  uint64_t bytes = x.byte_size;
  if (behaviour == "wrong_size") bytes += 4;
  if (behaviour == "wrong_shape") shape[1] = 5, bytes = static_cast<uint64_t>(rows) * 5 * 4;
  if (behaviour == "wrong_dtype") dtype = SMI_DTYPE_INT32;
  if (behaviour == "huge_output") bytes = uint64_t{1} << 60, shape[0] = int64_t{1} << 56;
  if (behaviour != "missing_output") {
    const int copies = behaviour == "twice" ? 2 : 1;
    for (int copy = 0; copy < copies; ++copy) {
      void* y = Allocate(request, "y", dtype, 2, shape, bytes);
      if (y == nullptr) return Fail(error, SMI_ERR_OUT_OF_MEMORY, "output 'y' not allocated");
      std::memcpy(y, x.data, std::min<uint64_t>(bytes, x.byte_size));
    }
  }
  if (behaviour == "undeclared_output") {
    if (Allocate(request, "z", SMI_DTYPE_FLOAT32, 2, x.shape, x.byte_size) == nullptr) {
      return Fail(error, SMI_ERR_OUT_OF_MEMORY, "output 'z' not allocated");
    }
  }
  return WriteStrings(request, rows, behaviour == "bad_strings", error);
}

smi_status ModelExecute(smi_model* model, const smi_request* requests, uint32_t count,
                        smi_error* errors) {
  smi_status result = SMI_OK;
  for (uint32_t i = 0; i < count; ++i) {
    const smi_status status =
        ExecuteOne(model->behaviour, requests[i], errors != nullptr ? &errors[i] : nullptr);
    if (status != SMI_OK) result = status;
  }
  return result;
}

const char* const kFormats[] = {"misbehaving", nullptr};

#ifdef MISBEHAVE_WRONG_ABI
constexpr uint32_t kAbiMajor = SMI_VERSION_MAJOR + 1;
#else
constexpr uint32_t kAbiMajor = SMI_VERSION_MAJOR;
#endif

#ifdef MISBEHAVE_CREATE_FAILS
constexpr char kId[] = "refuses-to-start";  // its own id: the refusal is plugin_create's
#else
constexpr char kId[] = "misbehaving";
#endif

const smi_plugin_api kApi = {
    kAbiMajor,     SMI_VERSION_MINOR, sizeof(smi_plugin_api), kId,
    "Misbehaving test plugin", "1.0.0", kFormats, PluginCreate, PluginDestroy, ModelLoad,
    ModelUnload,   ModelSignature,    ModelExecute,           nullptr,
};

}  // namespace

#ifdef MISBEHAVE_NO_INIT
#define MISBEHAVE_INIT_NAME smi_plugin_init_misspelt
#else
#define MISBEHAVE_INIT_NAME smi_plugin_init
#endif

extern "C" __attribute__((visibility("default"))) const smi_plugin_api* MISBEHAVE_INIT_NAME(
    uint32_t, uint32_t) {
#ifdef MISBEHAVE_NO_DESCRIPTOR
  return nullptr;
#else
  return &kApi;
#endif
}
