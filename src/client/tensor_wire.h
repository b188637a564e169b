// The wire forms of tensors libmlos-client sends and receives: SMI dtype codes and their KServe
// datatype names, element sizes, and the byte size a dtype and shape need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlos::client {

// "FP32" for SMI_DTYPE_FLOAT32 ...; nullopt for an unknown code.
std::optional<std::string_view> KServeName(int32_t dtype);
std::optional<int32_t> DtypeFromKServeName(std::string_view name);
// Bytes per element; 0 for STRING (variable) and unknown codes.
uint64_t ElementSize(int32_t dtype);
// The elements `shape` holds; nullopt on a negative dimension or overflow.
std::optional<uint64_t> ElementCount(const std::vector<int64_t>& shape);

// An output as a client hands it to the caller: the bytes live in the result (or a region).
struct WireOutput {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  uint64_t byte_size = 0;
};

}  // namespace mlos::client
