// KServe v2 REST inference with Triton's binary tensor extension (docs/kserve.md), client side:
// the request (a JSON header naming each input's datatype, shape and binary_data_size, then the
// raw bytes) and its reply (JSON header, then the outputs' raw bytes, asked for as binary).
// Functions return false with *error naming the tensor or field at fault.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "client/http_connection.h"
#include "client/tensor_wire.h"
#include "mlos/client.h"

namespace mlos::client {

// The JSON header; the body is the header followed by every input's bytes, in order.
bool EncodeKServeInferHeader(const mlos_tensor* inputs, size_t input_count,
                             const std::vector<std::string>& outputs, std::string* header,
                             std::string* error);

// Outputs point into `body` (the reply's), which must outlive them.
bool DecodeKServeInferReply(const std::map<std::string, std::string>& headers,
                            std::string_view body, std::vector<WireOutput>* outputs,
                            std::string* error);

// "local/mlp@1" -> "local%2Fmlp%401": a model id as one path segment.
std::string PathSegment(std::string_view model);

}  // namespace mlos::client
