// KServe v2 / Open Inference Protocol tensors over REST: decoding an infer request into the
// input tensors a model declares, and encoding its outputs as the reply (docs/kserve.md).
//
// Requests are JSON ({"id", "parameters", "inputs": [{"name", "shape", "datatype", "data"}],
// "outputs": [{"name", "parameters": {"binary_data"}}]}) or use Triton's binary tensor data
// extension: with the Inference-Header-Content-Length header the body is N bytes of JSON followed
// by the raw tensors of the inputs that carry "parameters": {"binary_data_size"}, in the order
// the request lists them (little-endian, row-major; BOOL one byte; BYTES a 4-byte little-endian
// length then the bytes, per element, which is also the SMI STRING layout). JSON "data" is flat
// or nested; numbers are converted to the declared datatype (number_conversion.h), BYTES are
// strings.
//
// Replies are JSON ({"model_name", "model_version", "id", "outputs": [{"name", "datatype",
// "shape", "data"}]}); an output asked for as binary ("binary_data" on the output, or the request
// parameter "binary_data_output") has "parameters": {"binary_data_size"} instead of "data", and
// its bytes follow the JSON in output order.
//
// Every request error is InvalidArgument and names the tensor, what the model expects and what
// came. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "core/api/inference_request.h"
#include "core/api/inference_response.h"
#include "core/model_signature.h"

namespace mlos::core {

inline constexpr std::string_view kInferenceHeaderLengthHeader = "Inference-Header-Content-Length";

struct KServeInferRequest {
  std::string id;                         // "id", echoed in the reply; empty when absent
  std::vector<NamedTensor> inputs;        // one per declared input, in declared order
  std::vector<std::string> output_names;  // outputs asked for, in request order; empty: all
  std::vector<bool> binary_outputs;       // per output_names entry: reply with raw bytes
  bool binary_data_output = false;        // the request parameter: the default for every output

  // Whether output `name` goes back as binary data.
  bool BinaryOutput(std::string_view name) const;
};

// The length of the JSON header from the Inference-Header-Content-Length value: nullopt when
// `header` is empty (the whole body is JSON). InvalidArgument when it is not a decimal number
// within the body's size.
StatusOr<std::optional<size_t>> ParseInferenceHeaderLength(std::string_view header,
                                                           size_t body_size);

// Decodes `body` (the first `json_length` bytes JSON and the rest binary tensors; all JSON when
// nullopt) against the model's signature.
StatusOr<KServeInferRequest> DecodeKServeInferRequest(std::string_view body,
                                                      std::optional<size_t> json_length,
                                                      const ModelSignature& signature);

struct KServeInferReply {
  std::string model_name;
  std::string model_version;
  std::string id;  // omitted when empty
  std::vector<OutputTensor> outputs;
};

struct EncodedKServeReply {
  std::string body;
  // Set when binary data follows the JSON: the Inference-Header-Content-Length of the reply.
  std::optional<size_t> json_length;
};

// Encodes `reply`, each output as binary or JSON as `request` asks. Fails only on malformed
// BYTES data from the plugin.
StatusOr<EncodedKServeReply> EncodeKServeInferReply(const KServeInferReply& reply,
                                                    const KServeInferRequest& request);

}  // namespace mlos::core
