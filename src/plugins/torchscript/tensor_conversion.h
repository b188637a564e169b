// Conversion between SMI tensor views and LibTorch tensors, for the torchscript plugin.
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>
#include <string>

#include "common/status.h"
#include "mlos/smi.h"

namespace mlos::plugins::torchscript {

// The LibTorch type of an SMI dtype: float32/64/16, bfloat16, int8/16/32/64, uint8 and bool;
// nullopt for the rest (uint16/32/64 and strings, which LibTorch 1.13 does not have).
std::optional<at::ScalarType> TorchScalarType(smi_dtype dtype);
// The SMI dtype of a LibTorch type; nullopt for types SMI lacks (complex, quantized, ...).
std::optional<smi_dtype> SmiDtype(at::ScalarType type);

// Wraps a request input as a CPU tensor over the view's own memory (zero-copy: the view's data
// must outlive the tensor, and the model must not write into it; see ModelWritesInputs).
// InvalidArgument, naming the input, when the view is inconsistent (NULL data, negative rank or
// dimension, byte_size that does not match dtype and shape); Unimplemented for a dtype LibTorch
// lacks.
StatusOr<at::Tensor> TensorFromView(const smi_tensor_view& view);

// Asks `allocator` for a buffer of the output's dtype, shape and byte size (those of `tensor`,
// made contiguous on the CPU) and copies the tensor into it. OutOfMemory when the allocator
// returns NULL; Unimplemented for a tensor type SMI lacks.
Status CopyTensorToHost(const std::string& name, const at::Tensor& tensor,
                        const smi_allocator& allocator);

}  // namespace mlos::plugins::torchscript
