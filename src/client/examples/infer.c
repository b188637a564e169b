/* Runs one inference through libmlos-client and prints the outputs, one value per line.
 *
 *   mlos-client-example (--http URL | --ipc SOCKET [--shm]) MODEL INPUT DIMS
 *
 * INPUT is the model's FP32 input, DIMS its shape ("1,16"); element i holds i / 100. With --shm
 * the input goes through a shared-memory region and the outputs come back in the same region.
 * Prints "output NAME DTYPE d1,d2,..." then the values (FP32, FP64, INT32 and INT64 outputs).
 * The exit status is 0 on success, 1 with the client's message on failure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlos/client.h"
#include "mlos/smi.h"

static int fail(mlos_client* client, const char* what) {
  fprintf(stderr, "mlos-client-example: %s: %s\n", what, mlos_client_error(client));
  mlos_client_close(client);
  return 1;
}

static void print_values(const mlos_output* output) {
  uint64_t count = 1;
  for (int32_t d = 0; d < output->rank; ++d) count *= (uint64_t)output->shape[d];
  for (uint64_t i = 0; i < count; ++i) {
    switch (output->dtype) {
      case SMI_DTYPE_FLOAT32:
        printf("%.9g\n", (double)((const float*)output->data)[i]);
        break;
      case SMI_DTYPE_FLOAT64:
        printf("%.17g\n", ((const double*)output->data)[i]);
        break;
      case SMI_DTYPE_INT32:
        printf("%" PRId32 "\n", ((const int32_t*)output->data)[i]);
        break;
      case SMI_DTYPE_INT64:
        printf("%" PRId64 "\n", ((const int64_t*)output->data)[i]);
        break;
      default:
        printf("(%" PRIu64 " bytes)\n", output->byte_size);
        return;
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 6 || (strcmp(argv[1], "--http") != 0 && strcmp(argv[1], "--ipc") != 0)) {
    fprintf(stderr, "usage: %s (--http URL | --ipc SOCKET [--shm]) MODEL INPUT DIMS\n", argv[0]);
    return 2;
  }
  const int ipc = strcmp(argv[1], "--ipc") == 0;
  const int shm = ipc && strcmp(argv[3], "--shm") == 0;
  const char* model = argv[3 + shm];
  const char* input_name = argv[4 + shm];
  if (argc < 6 + shm) return 2;

  int64_t shape[16];
  int32_t rank = 0;
  uint64_t count = 1;
  for (char* dims = argv[5 + shm]; *dims != '\0' && rank < 16; ++rank) {
    char* end = NULL;
    shape[rank] = strtoll(dims, &end, 10);
    count *= (uint64_t)shape[rank];
    dims = *end == ',' ? end + 1 : end;
  }

  char* error = NULL;
  mlos_client* client =
      ipc ? mlos_client_open_ipc(argv[2], &error) : mlos_client_open_http(argv[2], &error);
  if (client == NULL) {
    fprintf(stderr, "mlos-client-example: %s\n", error);
    mlos_free(error);
    return 1;
  }

  const uint64_t bytes = count * sizeof(float);
  mlos_region* region = NULL;
  float* values = NULL;
  if (shm) {
    /* Input at the start, outputs after it (64-byte aligned), 1 MiB of room for them. */
    region = mlos_region_create(client, bytes + 64 + (1u << 20));
    if (region == NULL) return fail(client, "creating the region");
    values = (float*)mlos_region_data(region);
  } else {
    values = (float*)malloc(bytes > 0 ? bytes : 1);
  }
  for (uint64_t i = 0; i < count; ++i) values[i] = (float)i / 100.0f;

  mlos_tensor input = {
      input_name, SMI_DTYPE_FLOAT32, rank, shape, shm ? NULL : values, bytes, region, 0};
  mlos_infer_options options = {NULL, 0, NULL, 0, 0};
  if (shm) {
    options.output_region = region;
    options.output_offset = (bytes + 63) / 64 * 64;
    options.output_capacity = mlos_region_size(region) - options.output_offset;
  }
  mlos_result* result = NULL;
  if (mlos_infer(client, model, &input, 1, &options, &result) != MLOS_CLIENT_OK)
    return fail(client, "inference");

  for (size_t i = 0; i < mlos_result_output_count(result); ++i) {
    mlos_output output;
    mlos_result_output(result, i, &output);
    if ((uintptr_t)output.data % 8 != 0) { /* client.h promises arrays readable in place */
      fprintf(stderr, "mlos-client-example: output %s is not 8-byte aligned\n", output.name);
      return 1;
    }
    printf("output %s %d ", output.name, output.dtype);
    for (int32_t d = 0; d < output.rank; ++d) printf(d ? ",%" PRId64 : "%" PRId64, output.shape[d]);
    printf("\n");
    print_values(&output);
  }
  mlos_result_free(result);
  if (!shm) free(values);
  mlos_region_destroy(region);
  mlos_client_close(client);
  return 0;
}
