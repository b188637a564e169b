// NumPy .npy files: a small, strict reader and writer for dense tensors.
//
// Accepted: format versions 1.0 and 2.0, C order, little-endian (or byte-order-free one-byte)
// data of every DataType except kString. Element types map to numpy descriptors as
// float32 '<f4', float64 '<f8', float16 '<f2', int8 '|i1' ... uint64 '<u8', bool '|b1'; numpy has
// no bfloat16, which is written and read as the 2-byte void type '<V2' (what ml_dtypes arrays save
// as). The reader rejects Fortran order, big-endian data, unknown descriptors, malformed headers,
// bool bytes other than 0/1, and files whose data is shorter or longer than the header says.
// Errors are InvalidArgument (NotFound for a missing file) and name the file.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos {

// `source` names the bytes in error messages (usually the file name).
StatusOr<Tensor> ParseNpy(std::string_view bytes, const std::string& source);
// REQUIRES nothing; a string tensor is InvalidArgument.
StatusOr<std::string> SerializeNpy(const Tensor& tensor);

StatusOr<Tensor> ReadNpyFile(const std::string& path);
Status WriteNpyFile(const std::string& path, const Tensor& tensor);

}  // namespace mlos
