/* SMI — the Standard Model Interface, version 1.0.
 *
 * The pure-C ABI between MLOS Core (the host) and an execution plugin. Every backend, the built-in
 * ONNX engine included, is reached only through this table. A plugin is a shared library that
 * exports one symbol, `smi_plugin_init`, returning a static descriptor (`smi_plugin_api`) whose
 * first fields are the ABI version it was built against. The host refuses a plugin whose major
 * version differs from its own, or whose minor version is newer than the host's.
 *
 * Handles. `smi_plugin` and `smi_model` are opaque; the plugin allocates them and frees them in
 * `plugin_destroy` / `model_unload`. The plugin learns nothing about Axon or packages: it receives
 * a path (a file or a directory) and a JSON configuration string.
 *
 * Errors. Every fallible call returns an `smi_status` code (SMI_OK = 0) and, on failure, writes a
 * NUL-terminated message saying what and where into the caller-owned `smi_error` it was given
 * (truncated to fit). The error argument may be NULL, in which case no message is written.
 *
 * Tensors. A tensor crosses the ABI as a view: pointer, datatype, rank, shape, byte size. Inputs
 * are borrowed for the duration of the call (zero-copy in) and carry no alignment promise (a
 * KServe binary tensor may start at any byte): read them with memcpy or check the address. Outputs are written into buffers the
 * plugin obtains from the host's allocator callback, which the host owns. Tensor data is dense,
 * row-major and little-endian. SMI_DTYPE_STRING tensors hold, for each element in order, a
 * 4-byte little-endian length followed by that many bytes (the KServe v2 BYTES encoding).
 *
 * Threading. `smi_plugin_init` and `plugin_create` are called once, from one thread.
 * `model_load`, `model_unload` and `model_execute` may be called from any thread, concurrently
 * for different models. `model_execute` may also be called concurrently on the SAME model (the
 * host runs up to its configured number of instances at once); a plugin that cannot run one model
 * concurrently must serialize internally. The host never calls `model_unload` while a
 * `model_execute` on that model is running, and never uses a model after unloading it.
 * `plugin_destroy` is called after every model of the plugin has been unloaded.
 *
 * A plugin must never abort the process or let a C++ exception cross this boundary: a bad model
 * or a bad request is an error status, and the host keeps serving.
 */
#ifndef MLOS_SMI_H_
#define MLOS_SMI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMI_VERSION_MAJOR 1
#define SMI_VERSION_MINOR 0

/* Status codes (compatible with the original release). */
typedef int32_t smi_status;
#define SMI_OK 0
#define SMI_ERR_INVALID_ARGUMENT (-1)
#define SMI_ERR_OUT_OF_MEMORY (-2)
#define SMI_ERR_NOT_FOUND (-3)
#define SMI_ERR_UNSUPPORTED (-4)
#define SMI_ERR_RUNTIME (-5)

/* Datatypes. The values are those of ONNX TensorProto.DataType, so ONNX code can pass them as is. */
typedef int32_t smi_dtype;
#define SMI_DTYPE_INVALID 0
#define SMI_DTYPE_FLOAT32 1
#define SMI_DTYPE_UINT8 2
#define SMI_DTYPE_INT8 3
#define SMI_DTYPE_UINT16 4
#define SMI_DTYPE_INT16 5
#define SMI_DTYPE_INT32 6
#define SMI_DTYPE_INT64 7
#define SMI_DTYPE_STRING 8
#define SMI_DTYPE_BOOL 9
#define SMI_DTYPE_FLOAT16 10
#define SMI_DTYPE_FLOAT64 11
#define SMI_DTYPE_UINT32 12
#define SMI_DTYPE_UINT64 13
#define SMI_DTYPE_BFLOAT16 16

#define SMI_ERROR_MESSAGE_CAPACITY 1024

/* Caller-owned error slot. The plugin writes `code` and a NUL-terminated `message`. */
typedef struct smi_error {
  smi_status code;
  char message[SMI_ERROR_MESSAGE_CAPACITY];
} smi_error;

typedef struct smi_plugin smi_plugin; /* opaque, owned by the plugin */
typedef struct smi_model smi_model;   /* opaque, owned by the plugin */

/* One declared input or output of a model. `shape` has `rank` entries; -1 marks a dynamic
 * dimension; rank -1 means the rank itself is unknown (shape is then NULL). Strings and arrays are
 * owned by the model and stay valid until `model_unload`. */
typedef struct smi_io_desc {
  const char* name;
  smi_dtype dtype;
  int32_t rank;
  const int64_t* shape;
} smi_io_desc;

typedef struct smi_signature {
  uint32_t input_count;
  const smi_io_desc* inputs;
  uint32_t output_count;
  const smi_io_desc* outputs;
} smi_signature;

/* A borrowed tensor: everything it points to belongs to whoever made the view. */
typedef struct smi_tensor_view {
  const char* name;
  smi_dtype dtype;
  int32_t rank;
  const int64_t* shape;
  const void* data;
  uint64_t byte_size;
} smi_tensor_view;

/* Host-side output allocator. The plugin calls `allocate` once per output it produces, with the
 * output's final dtype, shape and byte size, and writes the output into the returned buffer
 * (aligned to at least 64 bytes). The host owns the buffer. NULL means the host could not
 * allocate: the plugin returns SMI_ERR_OUT_OF_MEMORY. */
typedef struct smi_allocator {
  void* context;
  void* (*allocate)(void* context, const char* output_name, smi_dtype dtype, int32_t rank,
                    const int64_t* shape, uint64_t byte_size);
} smi_allocator;

/* One inference request. Input names are distinct. `output_names` lists the outputs wanted,
 * each once (NULL with output_count 0 means every output of the model). */
typedef struct smi_request {
  uint32_t input_count;
  const smi_tensor_view* inputs;
  uint32_t output_count;
  const char* const* output_names;
  smi_allocator allocator;
} smi_request;

typedef struct smi_plugin_api {
  /* ABI identification: always the first fields, in this order. */
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t struct_size; /* sizeof(smi_plugin_api) as the plugin was compiled */

  const char* id;      /* short stable id, e.g. "onnx"; unique among the host's plugins */
  const char* name;    /* human-readable name (may be NULL) */
  const char* version; /* the plugin's own version (may be NULL) */
  /* NULL-terminated list of execution formats this plugin runs, e.g. {"onnx", NULL}. */
  const char* const* execution_formats;

  /* plugin_create — once per host, on one thread, before any other entry.
   * config_json: a JSON object, borrowed for the call (never NULL; "{}" when empty).
   * On SMI_OK, *out is the host's until it passes it to plugin_destroy. On failure *out is
   * untouched and the plugin is not used again. */
  smi_status (*plugin_create)(const char* config_json, smi_plugin** out, smi_error* error);

  /* plugin_destroy — once, after the last model_unload of this plugin; frees the instance. */
  void (*plugin_destroy)(smi_plugin* plugin);

  /* model_load — any thread; concurrent calls for different models are allowed.
   * path: a file or a directory (borrowed for the call). config_json: a JSON object (borrowed,
   * never NULL) of per-model settings: the model's settings Core does not use itself (e.g.
   * {"threads":2}) and, when the package's manifest declares them, "inputs" and "outputs" as
   * arrays of {"name", "datatype" (KServe v2 name, e.g. "FP32"), "shape" (-1 = dynamic)}.
   * On SMI_OK, *out is the host's until it passes it to model_unload. A bad or hostile model
   * file is an error status naming the file, never a crash. */
  smi_status (*model_load)(smi_plugin* plugin, const char* path, const char* config_json,
                           smi_model** out, smi_error* error);

  /* model_unload — any thread; never while a model_execute on the model runs; frees the model
   * and everything its signature pointed to. */
  void (*model_unload)(smi_model* model);

  /* model_signature — any thread. Fills *out (caller-owned) with the model's inputs and outputs;
   * the arrays and strings it points to belong to the model and stay valid until model_unload. */
  smi_status (*model_signature)(smi_model* model, smi_signature* out, smi_error* error);

  /* model_execute — any thread, concurrently on the same model (see Threading above).
   * Runs `request_count` requests. Each request's input views and output_names are borrowed for
   * the call; the plugin must not keep pointers to them after returning. The host initialises
   * every error slot to SMI_OK with an empty message; the plugin writes the failed ones. Each output is written
   * into a buffer obtained from that request's allocator, owned by the host; the allocation's
   * dtype, shape and byte size must describe the data written (the host checks them against the
   * signature and refuses a request whose outputs do not match). `errors` has one slot per
   * request (may be NULL). Returns SMI_OK only when every request succeeded; otherwise the
   * per-request slots say which failed and why, and the other requests' outputs stand.
   * Outputs of a failed request may be partially written; the host discards them. */
  smi_status (*model_execute)(smi_model* model, const smi_request* requests,
                              uint32_t request_count, smi_error* errors);

  /* OPTIONAL (may be NULL) — any thread: bytes the loaded model holds (weights, prepacked
   * buffers, arenas), for the host's memory budget. */
  uint64_t (*model_memory_bytes)(smi_model* model);
} smi_plugin_api;

/* The one exported symbol: called once, on one thread, with the host's ABI version. Returns a
 * descriptor with static storage duration, or NULL when the plugin cannot serve a host of that
 * version. A plugin library exports nothing else. */
typedef const smi_plugin_api* (*smi_plugin_init_fn)(uint32_t host_abi_major,
                                                    uint32_t host_abi_minor);
#define SMI_PLUGIN_INIT_SYMBOL "smi_plugin_init"

#ifdef __cplusplus
} /* extern "C" */
#define SMI_STATIC_ASSERT static_assert
#else
#define SMI_STATIC_ASSERT _Static_assert
#endif

/* Released layouts are frozen (LP64): these hold in C and C++ alike. A later minor version may
 * only append entries to smi_plugin_api (the host reads struct_size). */
SMI_STATIC_ASSERT(sizeof(smi_error) == 4 + SMI_ERROR_MESSAGE_CAPACITY, "smi_error is frozen");
SMI_STATIC_ASSERT(sizeof(smi_io_desc) == 24, "smi_io_desc is frozen");
SMI_STATIC_ASSERT(offsetof(smi_io_desc, shape) == 16, "smi_io_desc is frozen");
SMI_STATIC_ASSERT(sizeof(smi_signature) == 32, "smi_signature is frozen");
SMI_STATIC_ASSERT(offsetof(smi_signature, outputs) == 24, "smi_signature is frozen");
SMI_STATIC_ASSERT(sizeof(smi_tensor_view) == 40, "smi_tensor_view is frozen");
SMI_STATIC_ASSERT(offsetof(smi_tensor_view, data) == 24, "smi_tensor_view is frozen");
SMI_STATIC_ASSERT(offsetof(smi_tensor_view, byte_size) == 32, "smi_tensor_view is frozen");
SMI_STATIC_ASSERT(sizeof(smi_allocator) == 16, "smi_allocator is frozen");
SMI_STATIC_ASSERT(sizeof(smi_request) == 48, "smi_request is frozen");
SMI_STATIC_ASSERT(offsetof(smi_request, output_names) == 24, "smi_request is frozen");
SMI_STATIC_ASSERT(offsetof(smi_request, allocator) == 32, "smi_request is frozen");
SMI_STATIC_ASSERT(offsetof(smi_plugin_api, abi_major) == 0, "the ABI version comes first");
SMI_STATIC_ASSERT(offsetof(smi_plugin_api, abi_minor) == 4, "the ABI version comes first");
SMI_STATIC_ASSERT(offsetof(smi_plugin_api, struct_size) == 8, "smi_plugin_api is frozen");
SMI_STATIC_ASSERT(offsetof(smi_plugin_api, plugin_create) == 48, "smi_plugin_api is frozen");
SMI_STATIC_ASSERT(offsetof(smi_plugin_api, model_execute) == 88, "smi_plugin_api is frozen");
SMI_STATIC_ASSERT(offsetof(smi_plugin_api, model_memory_bytes) == 96, "smi_plugin_api is frozen");
SMI_STATIC_ASSERT(sizeof(smi_plugin_api) == 104, "smi_plugin_api is frozen");
#undef SMI_STATIC_ASSERT

#endif /* MLOS_SMI_H_ */
