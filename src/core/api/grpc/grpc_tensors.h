// KServe v2 gRPC tensors: decoding a ModelInferRequest into the input tensors a model declares,
// and encoding a model's outputs into a ModelInferResponse (docs/kserve.md, "gRPC").
//
// Inputs come either all as typed `contents` (the InferTensorContents field of the input's
// datatype; FP16 and BF16 have none) or all as `raw_input_contents`, one entry per input in
// request order, in the SMI layout (core/api/tensor_bytes.h). Each input is checked against the
// model's signature: known name, given once, same datatype, shape within the declared one, element
// count equal to what its data holds, integers within their type. Outputs go back as
// `raw_output_contents` unless the request parameter "binary_data_output" is false; then each
// output's typed `contents` (refused up front when a wanted output is FP16 or BF16).
//
// Every request error is InvalidArgument (Unimplemented for the shared memory and classification
// extensions) and names the tensor, what the model expects and what came. Pure functions,
// thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "core/api/inference_request.h"
#include "core/api/inference_response.h"
#include "core/model_signature.h"
#include "grpc_predict_v2.pb.h"

namespace mlos::core {

struct GrpcInferRequest {
  std::vector<NamedTensor> inputs;        // one per declared input, in declared order
  std::vector<std::string> output_names;  // outputs asked for, in request order; empty: all
  bool raw_outputs = true;                // raw_output_contents, else typed contents
};

StatusOr<GrpcInferRequest> DecodeGrpcInferRequest(const inference::ModelInferRequest& request,
                                                  const ModelSignature& signature);

// Appends `outputs` to `response`: name, datatype and shape, and the data as raw bytes or typed
// contents. Fails (Internal) only on malformed BYTES data from the plugin.
Status EncodeGrpcInferOutputs(const std::vector<OutputTensor>& outputs, bool raw_outputs,
                              inference::ModelInferResponse* response);

}  // namespace mlos::core
