/*
 * libmlos-client: calling mlos-core from C.
 *
 * One API over two transports:
 *   - HTTP: mlos_client_open_http("http://127.0.0.1:8080") speaks KServe v2 REST with Triton's
 *     binary tensor extension (docs/kserve.md), so tensors travel as raw bytes, not JSON;
 *   - IPC: mlos_client_open_ipc("/tmp/mlos.sock") speaks the local protocol (docs/ipc.md), with
 *     zero-copy shared memory: an mlos_region is a sealable memfd mapped by both this process
 *     and the server (which seals it against shrinking); inputs placed in it are read by the
 *     server in place, and outputs can be written straight into it
 *     (mlos_infer_options.output_region).
 *
 * Tensors are row-major, little-endian, in the SMI layout (include/mlos/smi.h): dtype codes are
 * SMI_DTYPE_*; a STRING tensor holds, per element, a uint32 length then the bytes.
 *
 * Errors: every function returning int returns 0 on success or a non-zero MLOS_CLIENT_* code;
 * mlos_client_error() then gives the message (the server's, naming what was wrong, or the
 * transport's). Codes MLOS_IPC_INVALID_ARGUMENT .. MLOS_IPC_TOO_LARGE (include/mlos/ipc.h) are
 * the server's verdicts over either transport (HTTP statuses are mapped onto them);
 * MLOS_CLIENT_TRANSPORT means the connection failed (the client must then be closed).
 *
 * Ownership: strings and results returned to the caller are freed with mlos_free /
 * mlos_result_free. Input tensors are only read during the call.
 *
 * Threads: a client is one connection and must not be used from two threads at once; open one
 * client per thread (they are cheap). Regions belong to the client that created them.
 */
#ifndef MLOS_CLIENT_H_
#define MLOS_CLIENT_H_

#include <stddef.h>
#include <stdint.h>

#include "mlos/ipc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MLOS_CLIENT_OK 0
#define MLOS_CLIENT_TRANSPORT 100 /* could not connect, or the connection broke */
#define MLOS_CLIENT_PROTOCOL 101  /* the server answered something this client cannot read */
#define MLOS_CLIENT_USAGE 102     /* a bad argument to this library (null, wrong transport) */

typedef struct mlos_client mlos_client;
typedef struct mlos_region mlos_region;
typedef struct mlos_result mlos_result;

/* Opening never fails silently: on failure NULL is returned and, if `error` is not NULL, *error
 * receives a message to free with mlos_free. */
mlos_client* mlos_client_open_http(const char* url, char** error);
mlos_client* mlos_client_open_ipc(const char* socket_path, char** error);
void mlos_client_close(mlos_client* client); /* destroys its regions too; NULL is fine */

/* The message of the last failed call on this client ("" after a success). */
const char* mlos_client_error(const mlos_client* client);

void mlos_free(void* pointer);

/* Server liveness and readiness. */
int mlos_health(mlos_client* client, int* live, int* ready);

/* JSON documents, as docs/http_api.md and docs/kserve.md describe them; free *json with
 * mlos_free. `model` is an MLOS model id ("namespace/name@version"; "name" means name@latest). */
int mlos_list_models(mlos_client* client, char** json);
int mlos_model_metadata(mlos_client* client, const char* model, char** json);
/* `registration_json` is the body of POST /models/register; *json receives the reply. */
int mlos_register_model(mlos_client* client, const char* registration_json, char** json);
int mlos_load_model(mlos_client* client, const char* model);
int mlos_unload_model(mlos_client* client, const char* model);

/* A tensor going in. Either `data` (copied into the request) or, over IPC, `region` +
 * `region_offset` (read in place by the server: no copy at all). */
typedef struct mlos_tensor {
  const char* name;
  int32_t dtype;        /* SMI_DTYPE_* */
  int32_t rank;         /* at most 16 */
  const int64_t* shape; /* rank dimensions */
  const void* data;     /* byte_size bytes, or NULL when in a region */
  uint64_t byte_size;
  mlos_region* region; /* NULL: inline */
  uint64_t region_offset;
} mlos_tensor;

typedef struct mlos_infer_options {
  const char* const* outputs; /* names of the outputs wanted, in this order; NULL: all */
  size_t output_count;
  /* IPC only: outputs are written into [output_offset, output_offset + output_capacity) of this
   * region, each at a 64-byte aligned offset; the result then points into the region. */
  mlos_region* output_region;
  uint64_t output_offset;
  uint64_t output_capacity;
} mlos_infer_options;

/* Runs one inference; *result receives the outputs (free with mlos_result_free). `options` may
 * be NULL. */
int mlos_infer(mlos_client* client, const char* model, const mlos_tensor* inputs,
               size_t input_count, const mlos_infer_options* options, mlos_result** result);

/* The outputs of a result, in order. `data` is aligned to 8 bytes, so it may be read as an array
 * of its element type. Pointers stay valid until mlos_result_free (and, for outputs in a region,
 * while the region exists and is not reused). */
size_t mlos_result_output_count(const mlos_result* result);
typedef struct mlos_output {
  const char* name;
  int32_t dtype;
  int32_t rank;
  const int64_t* shape;
  const void* data;
  uint64_t byte_size;
} mlos_output;
int mlos_result_output(const mlos_result* result, size_t index, mlos_output* output);
int64_t mlos_result_queue_us(const mlos_result* result);   /* -1 when unknown (HTTP) */
int64_t mlos_result_compute_us(const mlos_result* result); /* -1 when unknown (HTTP) */
void mlos_result_free(mlos_result* result);

/* Shared memory (IPC clients only): creates `size` bytes shared with the server. NULL on failure
 * (mlos_client_error says why). */
mlos_region* mlos_region_create(mlos_client* client, uint64_t size);
void* mlos_region_data(mlos_region* region);
uint64_t mlos_region_size(const mlos_region* region);
/* Unregisters and unmaps; the client must not be in a call that uses it. NULL is fine. */
void mlos_region_destroy(mlos_region* region);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MLOS_CLIENT_H_ */
