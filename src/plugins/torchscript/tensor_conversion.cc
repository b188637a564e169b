#include "plugins/torchscript/tensor_conversion.h"

#include <ATen/Functions.h>

#include <cstring>
#include <limits>
#include <vector>

#include "common/dtype.h"

namespace mlos::plugins::torchscript {
namespace {

struct TypePair {
  smi_dtype smi = SMI_DTYPE_INVALID;
  at::ScalarType torch = at::ScalarType::Undefined;
};

constexpr TypePair kTypes[] = {
    {SMI_DTYPE_FLOAT32, at::kFloat}, {SMI_DTYPE_FLOAT64, at::kDouble},
    {SMI_DTYPE_FLOAT16, at::kHalf},  {SMI_DTYPE_BFLOAT16, at::kBFloat16},
    {SMI_DTYPE_INT8, at::kChar},     {SMI_DTYPE_INT16, at::kShort},
    {SMI_DTYPE_INT32, at::kInt},     {SMI_DTYPE_INT64, at::kLong},
    {SMI_DTYPE_UINT8, at::kByte},    {SMI_DTYPE_BOOL, at::kBool},
};

std::string DtypeName(smi_dtype dtype) { return Name(static_cast<DataType>(dtype)); }

}  // namespace

std::optional<at::ScalarType> TorchScalarType(smi_dtype dtype) {
  for (const TypePair& pair : kTypes) {
    if (pair.smi == dtype) return pair.torch;
  }
  return std::nullopt;
}

std::optional<smi_dtype> SmiDtype(at::ScalarType type) {
  for (const TypePair& pair : kTypes) {
    if (pair.torch == type) return pair.smi;
  }
  return std::nullopt;
}

StatusOr<at::Tensor> TensorFromView(const smi_tensor_view& view) {
  const std::string name = view.name != nullptr ? view.name : "";
  const std::optional<at::ScalarType> type = TorchScalarType(view.dtype);
  if (!type) {
    return Unimplemented("input '" + name + "': dtype " + DtypeName(view.dtype) +
                         " is not supported by the torchscript plugin");
  }
  if (view.rank < 0 || (view.rank > 0 && view.shape == nullptr)) {
    return InvalidArgument("input '" + name + "': rank " + std::to_string(view.rank) +
                           " without a shape");
  }
  std::vector<int64_t> shape(view.shape, view.shape + view.rank);
  uint64_t elements = 1;
  for (const int64_t dimension : shape) {
    if (dimension < 0) return InvalidArgument("input '" + name + "': negative dimension");
    if (dimension > 0 && elements > std::numeric_limits<uint64_t>::max() / dimension) {
      return InvalidArgument("input '" + name + "': shape too large");
    }
    elements *= static_cast<uint64_t>(dimension);
  }
  const uint64_t element_size = at::elementSize(*type);
  if (elements > std::numeric_limits<uint64_t>::max() / element_size ||
      elements * element_size != view.byte_size) {
    return InvalidArgument("input '" + name + "': byte_size " + std::to_string(view.byte_size) +
                           " does not match " + std::to_string(elements) + " elements of " +
                           DtypeName(view.dtype));
  }
  const auto options = at::TensorOptions().dtype(*type).device(at::kCPU);
  if (elements == 0) return at::empty(shape, options);
  if (view.data == nullptr) return InvalidArgument("input '" + name + "': data is NULL");
  // LibTorch has no read-only tensors; the model is checked not to write its inputs.
  return at::from_blob(const_cast<void*>(view.data), shape, options);
}

Status CopyTensorToHost(const std::string& name, const at::Tensor& tensor,
                        const smi_allocator& allocator) {
  if (allocator.allocate == nullptr) return InvalidArgument("the request has no output allocator");
  const std::optional<smi_dtype> dtype = SmiDtype(tensor.scalar_type());
  if (!dtype) {
    return Unimplemented("output '" + name + "': LibTorch type " +
                         std::string(c10::toString(tensor.scalar_type())) + " has no SMI datatype");
  }
  const at::Tensor dense = tensor.to(at::kCPU).contiguous();
  const std::vector<int64_t> shape(dense.sizes().begin(), dense.sizes().end());
  const uint64_t bytes = dense.nbytes();
  void* buffer = allocator.allocate(allocator.context, name.c_str(), *dtype,
                                    static_cast<int32_t>(shape.size()), shape.data(), bytes);
  if (buffer == nullptr) {
    return OutOfMemory("the host could not allocate " + std::to_string(bytes) +
                       " bytes for output '" + name + "'");
  }
  if (bytes > 0) std::memcpy(buffer, dense.data_ptr(), bytes);
  return Status::Ok();
}

}  // namespace mlos::plugins::torchscript
