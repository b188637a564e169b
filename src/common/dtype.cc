#include "common/dtype.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace mlos {
namespace {

struct DataTypeInfo {
  DataType type;
  size_t size;
  const char* name;
  const char* kserve_name;
};

constexpr std::array<DataTypeInfo, 14> kTypes = {{
    {DataType::kFloat32, 4, "float32", "FP32"},
    {DataType::kUInt8, 1, "uint8", "UINT8"},
    {DataType::kInt8, 1, "int8", "INT8"},
    {DataType::kUInt16, 2, "uint16", "UINT16"},
    {DataType::kInt16, 2, "int16", "INT16"},
    {DataType::kInt32, 4, "int32", "INT32"},
    {DataType::kInt64, 8, "int64", "INT64"},
    {DataType::kString, 0, "string", "BYTES"},
    {DataType::kBool, 1, "bool", "BOOL"},
    {DataType::kFloat16, 2, "float16", "FP16"},
    {DataType::kFloat64, 8, "float64", "FP64"},
    {DataType::kUInt32, 4, "uint32", "UINT32"},
    {DataType::kUInt64, 8, "uint64", "UINT64"},
    {DataType::kBFloat16, 2, "bfloat16", "BF16"},
}};

const DataTypeInfo* Find(DataType type) {
  for (const auto& info : kTypes) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

size_t ElementSize(DataType type) {
  const DataTypeInfo* info = Find(type);
  return info ? info->size : 0;
}

const char* Name(DataType type) {
  const DataTypeInfo* info = Find(type);
  return info ? info->name : "invalid";
}

const char* KServeName(DataType type) {
  const DataTypeInfo* info = Find(type);
  return info ? info->kserve_name : "INVALID";
}

std::optional<DataType> ParseDataType(std::string_view text) {
  const std::string lower = Lower(text);
  for (const auto& info : kTypes) {
    if (lower == info.name || lower == Lower(info.kserve_name)) return info.type;
  }
  // Common aliases.
  if (lower == "float" || lower == "tensor(float)") return DataType::kFloat32;
  if (lower == "double") return DataType::kFloat64;
  if (lower == "long") return DataType::kInt64;
  if (lower == "int") return DataType::kInt32;
  return std::nullopt;
}

std::optional<DataType> DataTypeFromCode(int32_t code) {
  const DataTypeInfo* info = Find(static_cast<DataType>(code));
  if (info == nullptr) return std::nullopt;
  return info->type;
}

}  // namespace mlos
