// Encoding of inference outputs as the MLOS API reply (docs/http_api.md, "Inference").
//
// Output data are flat JSON arrays in row-major order next to their shape. Floating-point values
// are written in their shortest form that parses back to the same value of the output's own
// type (an FP32 output prints 0.1, not 0.10000000149011612); NaN and infinities, which JSON
// cannot express, are written as null. BYTES outputs become JSON strings. Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::core {

// One output as the plugin produced it: dtype and shape, and its bytes in the SMI layout held in
// a UINT8 tensor (so BYTES outputs need no special storage).
struct OutputTensor {
  std::string name;
  DataType dtype = DataType::kInvalid;
  Shape shape;
  Tensor bytes;
};

struct InferenceReply {
  std::string model_id;
  std::string model_version;
  int64_t inference_time_us = 0;
  int64_t queue_time_us = 0;
  std::vector<OutputTensor> outputs;
};

// Appends the elements of `output` as a flat JSON array. Fails only on malformed BYTES data.
Status AppendJsonData(const OutputTensor& output, std::string* json);

// The whole reply body. "output_size" is the total byte size of the output data.
// With include_outputs false, each output keeps datatype and shape but has no "data".
StatusOr<std::string> EncodeInferenceReply(const InferenceReply& reply, bool include_outputs);

}  // namespace mlos::core
