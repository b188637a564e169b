#include "client/tensor_wire.h"

#include <array>
#include <utility>

#include "mlos/smi.h"

namespace mlos::client {
namespace {

struct DtypeInfo {
  int32_t code;
  std::string_view name;
  uint64_t size;
};

constexpr std::array<DtypeInfo, 14> kDtypes = {{
    {SMI_DTYPE_FLOAT32, "FP32", 4},
    {SMI_DTYPE_UINT8, "UINT8", 1},
    {SMI_DTYPE_INT8, "INT8", 1},
    {SMI_DTYPE_UINT16, "UINT16", 2},
    {SMI_DTYPE_INT16, "INT16", 2},
    {SMI_DTYPE_INT32, "INT32", 4},
    {SMI_DTYPE_INT64, "INT64", 8},
    {SMI_DTYPE_STRING, "BYTES", 0},
    {SMI_DTYPE_BOOL, "BOOL", 1},
    {SMI_DTYPE_FLOAT16, "FP16", 2},
    {SMI_DTYPE_FLOAT64, "FP64", 8},
    {SMI_DTYPE_UINT32, "UINT32", 4},
    {SMI_DTYPE_UINT64, "UINT64", 8},
    {SMI_DTYPE_BFLOAT16, "BF16", 2},
}};

const DtypeInfo* Find(int32_t code) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string_view> KServeName(int32_t dtype) {
  const DtypeInfo* info = Find(dtype);
  if (info == nullptr) return std::nullopt;
  return info->name;
}

std::optional<int32_t> DtypeFromKServeName(std::string_view name) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

uint64_t ElementSize(int32_t dtype) {
  const DtypeInfo* info = Find(dtype);
  return info == nullptr ? 0 : info->size;
}

std::optional<uint64_t> ElementCount(const std::vector<int64_t>& shape) {
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return std::nullopt;
    if (dim != 0 && count > UINT64_MAX / static_cast<uint64_t>(dim)) return std::nullopt;
    count *= static_cast<uint64_t>(dim);
  }
  return count;
}

}  // namespace mlos::client
