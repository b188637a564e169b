// DataType: the element types MLOS tensors carry, with their names in each protocol.
//
// Values equal ONNX TensorProto.DataType and the SMI_DTYPE_* codes, so conversion between the
// engine, the ABI and ONNX files is a cast. Names: Name() is the lowercase engine name
// ("float32"); KServeName() is the Open Inference Protocol name ("FP32").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mlos {

enum class DataType : int32_t {
  kInvalid = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
};

// Bytes per element; 0 for kString (variable length) and kInvalid.
size_t ElementSize(DataType type);
// "float32", "int64", ...; "invalid" for unknown values.
const char* Name(DataType type);
// "FP32", "INT64", "BYTES", ...; "INVALID" for unknown values.
const char* KServeName(DataType type);
// Accepts KServe names ("FP32") and engine names ("float32"), case-insensitively.
std::optional<DataType> ParseDataType(std::string_view text);
// Returns the DataType for an ONNX/SMI code, or nullopt if MLOS does not know it.
std::optional<DataType> DataTypeFromCode(int32_t code);

}  // namespace mlos
