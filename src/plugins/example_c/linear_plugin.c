/* The example SMI plugin, in plain C11: serves "mlos-linear" models, y = activation(W·x + b).
 *
 * This file is meant to be copied. It is a complete plugin that includes nothing but the SMI
 * header and the C standard library, and it is written as a tutorial: every SMI entry point says
 * what the ABI (include/mlos/smi.h) requires of it. docs/writing_a_plugin.md walks through it.
 *
 * The file has two parts:
 *   1. The model format: reading a ".linear" file into a `linear_model` and running it. This is
 *      the part you replace with your framework (open its model file, run its graph).
 *   2. The SMI plugin: the function table Core calls. This is the part you keep and adapt.
 *
 * The format (docs/writing_a_plugin.md has an example). A text file of whitespace-separated
 * tokens; `#` starts a comment that runs to the end of the line. In this order:
 *
 *   mlos-linear 1            magic word and format version (only 1 exists)
 *   input <name> <in>        the input tensor: FP32 [batch, in]
 *   output <name> <out>      the output tensor: FP32 [batch, out]
 *   activation <none|relu>   optional; none by default
 *   weights <out*in numbers> W, row-major: row o holds the `in` weights of output o
 *   bias <out numbers>       b
 *
 * Names are 1 to 63 characters of [A-Za-z0-9_.-]; `in` and `out` are 1 to 65536 and W holds at
 * most 2^24 numbers (64 MiB). Numbers are decimal (or hexadecimal) floats that must be finite
 * in FP32: NaN, infinities and values beyond FP32's range are refused, since a weight like that
 * is a broken model, not a model. Anything after the bias values is an error. Every malformed
 * file is SMI_ERR_INVALID_ARGUMENT with a message "<path>:<line>: <what is wrong>".
 *
 * Threading. A loaded model is never written after model_load returns, and execution keeps its
 * state on the stack, so model_execute is re-entrant: Core may run it concurrently on one model
 * (several instances) without any lock. The plugin object holds nothing at all.
 *
 * Byte order. SMI tensors are little-endian; this plugin reads and writes floats in the host's
 * order, so it assumes a little-endian host (x86-64, AArch64), as Core does.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlos/smi.h"

#define LINEAR_FORMAT_NAME "mlos-linear"
#define LINEAR_FORMAT_VERSION 1
#define LINEAR_NAME_CAPACITY 64       /* names: at most 63 characters */
#define LINEAR_MAX_WIDTH 65536        /* most inputs or outputs */
#define LINEAR_MAX_WEIGHTS (1L << 24) /* most numbers in W (64 MiB of FP32) */
#define LINEAR_TOKEN_CAPACITY 128     /* longest token, NUL included */

/* Writes `code` and a formatted message into `error` (which may be NULL, see smi.h) and returns
 * `code`, so that a failure reads `return set_error(error, SMI_ERR_..., "...", ...);`. */
static smi_status set_error(smi_error* error, smi_status code, const char* format, ...) {
  if (error != NULL) {
    va_list arguments;
    va_start(arguments, format);
    error->code = code;
    vsnprintf(error->message, sizeof error->message, format, arguments); /* truncates to fit */
    va_end(arguments);
  }
  return code;
}

/* Returns from the calling function with the status of `call` unless it is SMI_OK. */
#define RETURN_IF_FAILED(call)             \
  do {                                     \
    const smi_status status_ = (call);     \
    if (status_ != SMI_OK) return status_; \
  } while (0)

static void set_ok(smi_error* error) {
  if (error != NULL) {
    error->code = SMI_OK;
    error->message[0] = '\0';
  }
}

/* ============================================================================================
 * Part 1. The model format: replace this part with your framework.
 * ========================================================================================== */

typedef struct linear_model {
  char input_name[LINEAR_NAME_CAPACITY];
  char output_name[LINEAR_NAME_CAPACITY];
  int64_t input_width;  /* in */
  int64_t output_width; /* out */
  int relu;             /* 1: y = max(0, W·x + b) */
  float* weights;       /* out x in, row-major; owned */
  float* bias;          /* out; owned */
} linear_model;

static void linear_model_free(linear_model* model) {
  free(model->weights);
  free(model->bias);
  model->weights = NULL;
  model->bias = NULL;
}

/* Reads a file token by token and knows the line it is on, for error messages. */
typedef struct token_reader {
  FILE* file;
  const char* path;
  long line;                         /* line of the last token read (1 before any) */
  long stream_line;                  /* line the file position is on */
  char token[LINEAR_TOKEN_CAPACITY]; /* the last token; non-printable bytes become '?' */
} token_reader;

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* A parse failure at the reader's line: SMI_ERR_INVALID_ARGUMENT, "<path>:<line>: <what>". */
static smi_status parse_error(const token_reader* reader, smi_error* error, const char* format,
                              ...) {
  char what[SMI_ERROR_MESSAGE_CAPACITY];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(what, sizeof what, format, arguments);
  va_end(arguments);
  return set_error(error, SMI_ERR_INVALID_ARGUMENT, "%s:%ld: %s", reader->path, reader->line, what);
}

/* Reads the next token into reader->token. Returns 1 when it read one, 0 at the end of the file
 * (reader->line then stays on the last token's line, where an error about the end belongs), or
 * a negative SMI status (error written) when the file cannot be read or the token is too long. */
static int next_token(token_reader* reader, smi_error* error) {
  int c;
  for (;;) { /* skip blanks, newlines and comments */
    c = getc(reader->file);
    if (c == '#') {
      while (c != EOF && c != '\n') c = getc(reader->file);
    }
    if (c == '\n') {
      ++reader->stream_line;
    } else if (c == EOF || !is_blank(c)) {
      break;
    }
  }
  if (c == EOF) {
    if (ferror(reader->file)) {
      return set_error(error, SMI_ERR_INVALID_ARGUMENT, "%s: cannot read the model file",
                       reader->path);
    }
    return 0;
  }
  reader->line = reader->stream_line;
  size_t length = 0;
  while (c != EOF && c != '\n' && c != '#' && !is_blank(c)) {
    if (length + 1 == sizeof reader->token) {
      reader->token[length] = '\0';
      return parse_error(reader, error, "token '%.20s...' is longer than %d characters",
                         reader->token, LINEAR_TOKEN_CAPACITY - 1);
    }
    reader->token[length++] = (c >= 0x21 && c <= 0x7e) ? (char)c : '?';
    c = getc(reader->file);
  }
  reader->token[length] = '\0';
  if (c != EOF) ungetc(c, reader->file); /* a newline or '#' is the next call's business */
  return 1;
}

/* Requires the token next_token just read (`found` is what it returned) to be `keyword`;
 * `usage` describes the line expected there. */
static smi_status check_keyword(const token_reader* reader, int found, const char* keyword,
                                const char* usage, smi_error* error) {
  if (found < 0) return found;
  if (found == 0) return parse_error(reader, error, "unexpected end of file: expected '%s'", usage);
  if (strcmp(reader->token, keyword) != 0) {
    return parse_error(reader, error, "expected '%s', found '%s'", usage, reader->token);
  }
  return SMI_OK;
}

static smi_status expect_keyword(token_reader* reader, const char* keyword, const char* usage,
                                 smi_error* error) {
  return check_keyword(reader, next_token(reader, error), keyword, usage, error);
}

/* Reads a tensor name into `name` (LINEAR_NAME_CAPACITY bytes). */
static smi_status read_name(token_reader* reader, const char* what, char* name, smi_error* error) {
  const int found = next_token(reader, error);
  if (found < 0) return found;
  if (found == 0)
    return parse_error(reader, error, "unexpected end of file: expected the %s", what);
  const size_t length = strlen(reader->token);
  if (length >= LINEAR_NAME_CAPACITY) {
    return parse_error(reader, error, "the %s '%s' is longer than %d characters", what,
                       reader->token, LINEAR_NAME_CAPACITY - 1);
  }
  for (size_t i = 0; i < length; ++i) {
    const char c = reader->token[i];
    const int allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!allowed) {
      return parse_error(reader, error, "the %s '%s' has a character other than [A-Za-z0-9_.-]",
                         what, reader->token);
    }
  }
  memcpy(name, reader->token, length + 1);
  return SMI_OK;
}

/* Reads a whole number in [1, max] (decimal digits only). */
static smi_status read_count(token_reader* reader, const char* what, long max, int64_t* out,
                             smi_error* error) {
  const int found = next_token(reader, error);
  if (found < 0) return found;
  if (found == 0)
    return parse_error(reader, error, "unexpected end of file: expected the %s", what);
  long value = 0;
  for (const char* c = reader->token; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') {
      return parse_error(reader, error, "the %s must be a whole number, found '%s'", what,
                         reader->token);
    }
    value = value * 10 + (*c - '0');
    if (value > max) break; /* stops before the value can overflow */
  }
  if (value < 1 || value > max) {
    return parse_error(reader, error, "the %s must be between 1 and %ld, found '%s'", what, max,
                       reader->token);
  }
  *out = value;
  return SMI_OK;
}

/* Reads `count` finite FP32 numbers into `values`; `what` names them ("weights", "bias"). */
static smi_status read_numbers(token_reader* reader, const char* what, int64_t count, float* values,
                               smi_error* error) {
  for (int64_t i = 0; i < count; ++i) {
    const int found = next_token(reader, error);
    if (found < 0) return found;
    if (found == 0) {
      return parse_error(reader, error,
                         "unexpected end of file: expected %lld %s values, found %lld",
                         (long long)count, what, (long long)i);
    }
    char* end = NULL;
    const float value = strtof(reader->token, &end);
    if (end == reader->token || *end != '\0') {
      return parse_error(reader, error, "%s value %lld of %lld is not a number: '%s'", what,
                         (long long)i + 1, (long long)count, reader->token);
    }
    if (!isfinite(value)) { /* nan, inf, and 1e39 (beyond FP32) */
      return parse_error(reader, error, "%s value %lld of %lld is not finite in FP32: '%s'", what,
                         (long long)i + 1, (long long)count, reader->token);
    }
    values[i] = value;
  }
  return SMI_OK;
}

/* Parses the open file into *model (zeroed by the caller). On failure, whatever was allocated
 * is left in *model for the caller to free. */
static smi_status parse_linear(token_reader* reader, linear_model* model, smi_error* error) {
  int64_t version = 0;
  RETURN_IF_FAILED(expect_keyword(reader, LINEAR_FORMAT_NAME, LINEAR_FORMAT_NAME " 1", error));
  RETURN_IF_FAILED(read_count(reader, "format version", 1000000, &version, error));
  if (version != LINEAR_FORMAT_VERSION) {
    return parse_error(reader, error, "format version %lld is not supported (this plugin reads %d)",
                       (long long)version, LINEAR_FORMAT_VERSION);
  }
  RETURN_IF_FAILED(expect_keyword(reader, "input", "input <name> <size>", error));
  RETURN_IF_FAILED(read_name(reader, "input name", model->input_name, error));
  RETURN_IF_FAILED(read_count(reader, "input size", LINEAR_MAX_WIDTH, &model->input_width, error));
  RETURN_IF_FAILED(expect_keyword(reader, "output", "output <name> <size>", error));
  RETURN_IF_FAILED(read_name(reader, "output name", model->output_name, error));
  RETURN_IF_FAILED(
      read_count(reader, "output size", LINEAR_MAX_WIDTH, &model->output_width, error));
  if (strcmp(model->input_name, model->output_name) == 0) {
    return parse_error(reader, error, "the input and the output are both named '%s'",
                       model->input_name);
  }
  const int64_t weight_count = model->input_width * model->output_width;
  if (weight_count > LINEAR_MAX_WEIGHTS) {
    return parse_error(reader, error, "%lld x %lld weights are more than this plugin takes (%ld)",
                       (long long)model->output_width, (long long)model->input_width,
                       LINEAR_MAX_WEIGHTS);
  }

  /* "activation" is optional: the next token is either it or "weights". */
  int found = next_token(reader, error);
  if (found == 1 && strcmp(reader->token, "activation") == 0) {
    found = next_token(reader, error);
    if (found < 0) return found;
    if (found == 0 || (strcmp(reader->token, "relu") != 0 && strcmp(reader->token, "none") != 0)) {
      return parse_error(reader, error, "the activation must be 'none' or 'relu', found '%s'",
                         found == 0 ? "the end of the file" : reader->token);
    }
    model->relu = strcmp(reader->token, "relu") == 0;
    found = next_token(reader, error);
  }
  RETURN_IF_FAILED(check_keyword(reader, found, "weights", "weights <numbers>", error));

  model->weights = malloc((size_t)weight_count * sizeof(float));
  model->bias = malloc((size_t)model->output_width * sizeof(float));
  if (model->weights == NULL || model->bias == NULL) {
    return set_error(error, SMI_ERR_OUT_OF_MEMORY, "%s: cannot allocate %lld weights", reader->path,
                     (long long)weight_count);
  }
  RETURN_IF_FAILED(read_numbers(reader, "weights", weight_count, model->weights, error));
  RETURN_IF_FAILED(expect_keyword(reader, "bias", "bias <numbers>", error));
  RETURN_IF_FAILED(read_numbers(reader, "bias", model->output_width, model->bias, error));
  const int trailing = next_token(reader, error);
  if (trailing < 0) return trailing;
  if (trailing == 1) {
    return parse_error(reader, error, "unexpected '%s' after the last bias value", reader->token);
  }
  return SMI_OK;
}

/* Reads the model file at `path`. On failure *model holds nothing and `error` says why:
 * SMI_ERR_NOT_FOUND when the file cannot be opened, SMI_ERR_INVALID_ARGUMENT when it is not a
 * valid mlos-linear file, SMI_ERR_OUT_OF_MEMORY when its weights do not fit. */
static smi_status linear_model_read(const char* path, linear_model* model, smi_error* error) {
  memset(model, 0, sizeof *model);
  token_reader reader = {0};
  reader.file = fopen(path, "rb");
  reader.path = path;
  reader.line = 1;
  reader.stream_line = 1;
  if (reader.file == NULL) {
    return set_error(error, SMI_ERR_NOT_FOUND, "%s: cannot open the model file", path);
  }
  const smi_status status = parse_linear(&reader, model, error);
  fclose(reader.file);
  if (status != SMI_OK) linear_model_free(model);
  return status;
}

/* y[rows x out] = activation(x[rows x in] · Wᵀ + b). `x` may be unaligned (SMI does not promise
 * aligned inputs), so it is read with memcpy; `y` is the host's 64-byte aligned buffer. */
static void linear_model_run(const linear_model* model, const unsigned char* x, uint64_t rows,
                             float* y) {
  const int64_t in = model->input_width, out = model->output_width;
  for (uint64_t row = 0; row < rows; ++row) {
    const unsigned char* x_row = x + row * (uint64_t)in * sizeof(float);
    for (int64_t o = 0; o < out; ++o) {
      const float* w_row = model->weights + o * in;
      float sum = model->bias[o];
      for (int64_t i = 0; i < in; ++i) {
        float value;
        memcpy(&value, x_row + (size_t)i * sizeof(float), sizeof value);
        sum += w_row[i] * value;
      }
      y[row * (uint64_t)out + (uint64_t)o] = (model->relu && sum < 0.0f) ? 0.0f : sum;
    }
  }
}

/* ============================================================================================
 * Part 2. The SMI plugin: the table Core calls.
 * ========================================================================================== */

/* The opaque handles of smi.h are ours to define. This plugin needs no plugin-wide state (no
 * thread pool, no device), but the ABI still wants a handle; C forbids empty structs. */
struct smi_plugin {
  int unused;
};

/* A loaded model, plus the signature that describes it. The descriptors point into this same
 * struct, so they stay valid exactly until model_unload frees it, as smi.h requires. */
struct smi_model {
  linear_model linear;
  int64_t input_shape[2];  /* {-1, in}: the batch is dynamic */
  int64_t output_shape[2]; /* {-1, out} */
  smi_io_desc input;
  smi_io_desc output;
};

/* plugin_create. Called once, on one thread, right after smi_plugin_init. `config_json` is the
 * plugin's configuration (never NULL, "{}" when empty); this plugin takes none. On SMI_OK, *out
 * belongs to the host until it passes it back to plugin_destroy. */
static smi_status linear_plugin_create(const char* config_json, smi_plugin** out,
                                       smi_error* error) {
  (void)config_json;
  smi_plugin* plugin = calloc(1, sizeof *plugin);
  if (plugin == NULL) return set_error(error, SMI_ERR_OUT_OF_MEMORY, "linear: out of memory");
  *out = plugin;
  return SMI_OK;
}

/* plugin_destroy. Called once, after every model of this plugin was unloaded. */
static void linear_plugin_destroy(smi_plugin* plugin) { free(plugin); }

/* model_load. May run on any thread, concurrently with other loads and executions, so it touches
 * nothing shared. `path` is the model file Core resolved (for a package, its execution file).
 * `config_json` (never NULL) holds the model's settings that Core does not know itself, and, when
 * the manifest declares them, "inputs" and "outputs" ([{"name","datatype","shape"}, ...]). This
 * plugin's model file says everything, so it ignores the config; a plugin must ignore keys it
 * does not know rather than fail. On failure nothing is allocated and *out is left alone. */
static smi_status linear_model_load(smi_plugin* plugin, const char* path, const char* config_json,
                                    smi_model** out, smi_error* error) {
  (void)plugin;
  (void)config_json;
  smi_model* model = calloc(1, sizeof *model);
  if (model == NULL) return set_error(error, SMI_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  const smi_status status = linear_model_read(path, &model->linear, error);
  if (status != SMI_OK) {
    free(model);
    return status;
  }
  model->input_shape[0] = -1;
  model->input_shape[1] = model->linear.input_width;
  model->output_shape[0] = -1;
  model->output_shape[1] = model->linear.output_width;
  model->input = (smi_io_desc){model->linear.input_name, SMI_DTYPE_FLOAT32, 2, model->input_shape};
  model->output =
      (smi_io_desc){model->linear.output_name, SMI_DTYPE_FLOAT32, 2, model->output_shape};
  *out = model;
  return SMI_OK;
}

/* model_unload. Core calls it once no execution runs on the model, and never uses it again. */
static void linear_model_unload(smi_model* model) {
  linear_model_free(&model->linear);
  free(model);
}

/* model_signature. Fills *out with pointers the model owns (valid until model_unload); Core
 * copies what it keeps. */
static smi_status linear_model_signature(smi_model* model, smi_signature* out, smi_error* error) {
  (void)error;
  out->input_count = 1;
  out->inputs = &model->input;
  out->output_count = 1;
  out->outputs = &model->output;
  return SMI_OK;
}

/* Runs one request; the status and message go to `error` (may be NULL). */
static smi_status execute_request(const smi_model* model, const smi_request* request,
                                  smi_error* error) {
  const linear_model* linear = &model->linear;

  /* The outputs wanted: none listed means all of them; this model has exactly one. */
  for (uint32_t i = 0; i < request->output_count; ++i) {
    const char* wanted = request->output_names[i];
    if (wanted == NULL || strcmp(wanted, linear->output_name) != 0) {
      return set_error(error, SMI_ERR_NOT_FOUND, "unknown output '%s' (the model's output is '%s')",
                       wanted == NULL ? "(null)" : wanted, linear->output_name);
    }
  }

  /* The input: borrowed for this call only. Check everything before reading a byte of it. */
  const smi_tensor_view* x = NULL;
  for (uint32_t i = 0; i < request->input_count; ++i) {
    const smi_tensor_view* view = &request->inputs[i];
    if (view->name != NULL && strcmp(view->name, linear->input_name) == 0) {
      x = view;
    } else {
      return set_error(error, SMI_ERR_INVALID_ARGUMENT,
                       "unknown input '%s' (the model's only input is '%s')",
                       view->name == NULL ? "(null)" : view->name, linear->input_name);
    }
  }
  if (x == NULL) {
    return set_error(error, SMI_ERR_INVALID_ARGUMENT, "missing input '%s'", linear->input_name);
  }
  if (x->dtype != SMI_DTYPE_FLOAT32) {
    return set_error(error, SMI_ERR_INVALID_ARGUMENT,
                     "input '%s': expected FP32 (SMI dtype %d), got SMI dtype %d",
                     linear->input_name, SMI_DTYPE_FLOAT32, (int)x->dtype);
  }
  if (x->rank != 2 || x->shape == NULL) {
    return set_error(error, SMI_ERR_INVALID_ARGUMENT,
                     "input '%s': expected rank 2 [batch, %lld], got rank %d", linear->input_name,
                     (long long)linear->input_width, (int)x->rank);
  }
  if (x->shape[0] < 0 || x->shape[1] != linear->input_width) {
    return set_error(error, SMI_ERR_INVALID_ARGUMENT,
                     "input '%s': expected shape [batch, %lld], got [%lld, %lld]",
                     linear->input_name, (long long)linear->input_width, (long long)x->shape[0],
                     (long long)x->shape[1]);
  }
  const uint64_t rows = (uint64_t)x->shape[0];
  const uint64_t in = (uint64_t)linear->input_width, out = (uint64_t)linear->output_width;
  if (rows > UINT64_MAX / sizeof(float) / (in > out ? in : out)) {
    return set_error(error, SMI_ERR_INVALID_ARGUMENT, "input '%s': batch %llu is too large",
                     linear->input_name, (unsigned long long)rows);
  }
  if (x->byte_size != rows * in * sizeof(float) || (x->data == NULL && x->byte_size != 0)) {
    return set_error(error, SMI_ERR_INVALID_ARGUMENT,
                     "input '%s': shape [%llu, %llu] needs %llu bytes, the view has %llu%s",
                     linear->input_name, (unsigned long long)rows, (unsigned long long)in,
                     (unsigned long long)(rows * in * sizeof(float)),
                     (unsigned long long)x->byte_size, x->data == NULL ? " and no data" : "");
  }

  /* The output: one buffer from the host's allocator, with its final dtype, shape and size. The
   * host owns it; NULL means the host could not allocate it. */
  const int64_t y_shape[2] = {(int64_t)rows, (int64_t)out};
  const uint64_t y_bytes = rows * out * sizeof(float);
  if (request->allocator.allocate == NULL) {
    return set_error(error, SMI_ERR_INVALID_ARGUMENT, "the request has no output allocator");
  }
  float* y = request->allocator.allocate(request->allocator.context, linear->output_name,
                                         SMI_DTYPE_FLOAT32, 2, y_shape, y_bytes);
  if (y == NULL) {
    return set_error(error, SMI_ERR_OUT_OF_MEMORY,
                     "output '%s': the host could not allocate %llu bytes", linear->output_name,
                     (unsigned long long)y_bytes);
  }
  linear_model_run(linear, x->data, rows, y);
  set_ok(error);
  return SMI_OK;
}

/* model_execute. Runs each request on its own: a bad request fails in its own slot of `errors`
 * (which may be NULL) and the others still run. Returns SMI_OK only when every request
 * succeeded, else the status of the first failure. May run concurrently on the same model: it
 * only reads the model, and each request's output goes to that request's own buffer. */
static smi_status linear_model_execute(smi_model* model, const smi_request* requests,
                                       uint32_t request_count, smi_error* errors) {
  smi_status result = SMI_OK;
  for (uint32_t i = 0; i < request_count; ++i) {
    smi_error* error = errors != NULL ? &errors[i] : NULL;
    const smi_status status = execute_request(model, &requests[i], error);
    if (status != SMI_OK && result == SMI_OK) result = status;
  }
  return result;
}

/* model_memory_bytes (optional in the table). What the loaded model holds: its weights and bias.
 * Core uses it for its memory budget. */
static uint64_t linear_model_memory_bytes(smi_model* model) {
  const uint64_t out = (uint64_t)model->linear.output_width;
  return (out * (uint64_t)model->linear.input_width + out) * sizeof(float);
}

static const char* const linear_execution_formats[] = {LINEAR_FORMAT_NAME, NULL};

/* The table. Static storage: it outlives every call, as smi_plugin_init's contract requires. */
static const smi_plugin_api linear_plugin_api = {
    .abi_major = SMI_VERSION_MAJOR,
    .abi_minor = SMI_VERSION_MINOR,
    .struct_size = sizeof(smi_plugin_api),
    .id = "linear",
    .name = "MLOS example plugin (C): mlos-linear models",
    .version = "1.0.0",
    .execution_formats = linear_execution_formats,
    .plugin_create = linear_plugin_create,
    .plugin_destroy = linear_plugin_destroy,
    .model_load = linear_model_load,
    .model_unload = linear_model_unload,
    .model_signature = linear_model_signature,
    .model_execute = linear_model_execute,
    .model_memory_bytes = linear_model_memory_bytes,
};

/* The one exported symbol. Everything else in this file is `static`, the module is built with
 * -fvisibility=hidden and a version script (cmake/smi_plugin.map), so this is all the host can
 * see. The host passes its ABI version: a different major version means a different ABI, so
 * decline with NULL. A newer host minor is fine (minor versions only append), and the host itself
 * refuses a plugin whose minor version is newer than its own. */
__attribute__((visibility("default"))) const smi_plugin_api* smi_plugin_init(
    uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == SMI_VERSION_MAJOR ? &linear_plugin_api : NULL;
}
