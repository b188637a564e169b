// Conversion of ONNX TensorProto messages (initializers, Constant values, .pb test data) into
// engine Tensors.
//
// Every DataType of common/dtype.h is accepted, from `raw_data` (little-endian) or from the typed
// repeated field ONNX stores it in (float16/bfloat16 as 16-bit patterns inside int32_data; bool and
// small integers widened into int32_data; uint32/uint64 in uint64_data; strings in string_data).
// The data must be inline: tensors with EXTERNAL data are resolved by the model loader first.
//
// The proto is untrusted (it comes from a model file): dims and data_type are checked and the data
// must hold exactly what they declare before anything is allocated, so a tensor claiming dims
// [1e12] with no data fails without allocating. Errors name the tensor and are InvalidArgument,
// except a known ONNX type the engine lacks (complex, segmented tensors), which is Unimplemented.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto);

// The checks TensorFromProto makes, without converting: OK iff TensorFromProto(proto) would
// succeed (barring out of memory). The model loader runs it on every tensor of a model before the
// ONNX checker and shape inference read them.
Status CheckTensorProto(const onnx::TensorProto& proto);

// The number of bytes `proto`'s raw_data (or external data) must hold for its dims and data_type.
// Fails for a negative dimension, a shape whose non-zero dimensions multiply past int64, an unknown
// data_type, and string tensors (they cannot be stored raw).
StatusOr<uint64_t> RawByteSize(const onnx::TensorProto& proto);

}  // namespace mlos::engine
