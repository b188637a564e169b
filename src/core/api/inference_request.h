// Decoding of an MLOS API inference request body (docs/http_api.md, "Inference") into input
// tensors of the types and shapes a model declares.
//
// The body maps input names to values, either at the top level or under "inputs"; a legacy body
// {"input": value} means the model's first input. A value is a flat array (shape resolved against
// the declared shape), a nested array (shape from the nesting), a scalar, or
// {"shape": [...], "datatype": "...", "data": flat or nested}. Numbers are converted to the
// declared dtype (see number_conversion.h). Missing attention_mask, token_type_ids and
// position_ids are generated from input_ids. Every error is InvalidArgument and names the input,
// what the model expects and what came. The body is read with json_tensor_reader.h: parse it with
// JsonDocument::Parse(body, "request body"), then decode its root. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "core/api/json_tensor_reader.h"
#include "core/model_signature.h"

namespace mlos::core {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// Returns one tensor per declared input, in the model's declared order. `body` is the parsed body.
StatusOr<std::vector<NamedTensor>> DecodeInferenceInputs(JsonValue body,
                                                         const std::vector<TensorSpec>& inputs);

// Resolves the shape of `count` flat values against a declared shape: fixed dimensions are
// taken as declared, the last dynamic dimension absorbs the remaining length and any other
// dynamic dimension (typically the batch) is 1. Unknown rank gives [count].
StatusOr<Shape> ResolveFlatShape(int64_t count, const std::optional<Shape>& declared);

}  // namespace mlos::core
