// Conversion of ONNX TensorProto messages (initializers, Constant values, .pb test data) into
// engine Tensors.
//
// Every DataType of common/dtype.h is accepted, from `raw_data` (little-endian) or from the typed
// repeated field ONNX stores it in (float16/bfloat16 as 16-bit patterns inside int32_data; bool and
// small integers widened into int32_data; uint32/uint64 in uint64_data; strings in string_data).
// The data must be inline: tensors with EXTERNAL data are resolved by the model loader first.
// Errors are InvalidArgument and name the tensor.
#pragma once

#include <onnx/onnx_pb.h>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto);

}  // namespace mlos::engine
