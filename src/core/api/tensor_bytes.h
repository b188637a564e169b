// Validation and decoding of tensors that arrive as raw bytes in the SMI layout (row-major,
// little-endian; BOOL one byte 0 or 1; BYTES per element a 4-byte little-endian length then the
// bytes), shared by the front ends that carry binary tensors: KServe's binary tensor extension
// (kserve_tensors.h) and local IPC (ipc/ipc_api.h).
//
// Every error is InvalidArgument and says what is wrong; the caller adds which tensor. Functions
// that take `length_name` use it for the request field that gave the byte count
// ("binary_data_size", "length"). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "common/tensor.h"
#include "core/model_signature.h"

namespace mlos::core {

// OK when `shape` fits the declared one: same rank, fixed dimensions equal (an unknown declared
// rank accepts any shape).
Status CheckShapeAgainstDeclared(const TensorSpec& spec, const Shape& shape);

// The element count of `shape` (non-negative dimensions), refused when it exceeds `limit` (what
// the request can hold), so a hostile shape never overflows or allocates what the request does
// not carry.
StatusOr<int64_t> BoundedElementCount(const Shape& shape, uint64_t limit);

// OK when `bytes` is exactly what `count` elements of the fixed-size `dtype` need, and BOOL bytes
// are 0 or 1. REQUIRES: dtype is not kString.
Status CheckFixedSizeBytes(DataType dtype, const Shape& shape, int64_t count,
                           std::string_view bytes, std::string_view length_name);

// A new tensor holding a copy of `bytes` (BYTES decoded into strings), after the checks above.
StatusOr<Tensor> TensorFromSmiBytes(DataType dtype, const Shape& shape, int64_t count,
                                    std::string_view bytes, std::string_view length_name);

}  // namespace mlos::core
