// Conversion between SMI tensor views and engine tensors, for the ONNX plugin.
#pragma once

#include "common/status.h"
#include "engine/session.h"
#include "mlos/smi.h"

namespace mlos::plugins::onnx {

// Wraps a request input. Dense data is borrowed (zero-copy: `view` must outlive the tensor);
// SMI_DTYPE_STRING data (4-byte little-endian length + bytes per element) is decoded into a
// string tensor. InvalidArgument, naming the input, when the view is inconsistent (unknown dtype,
// negative rank or dimension, byte_size that does not fit dtype and shape, NULL data).
StatusOr<engine::NamedTensor> TensorFromView(const smi_tensor_view& view);

// Asks `allocator` for a buffer of the output's final dtype, shape and byte size and copies the
// output into it (strings in the SMI encoding). OutOfMemory when the allocator returns NULL.
Status CopyToHost(const engine::NamedTensor& output, const smi_allocator& allocator);

}  // namespace mlos::plugins::onnx
