// Model loading: from an .onnx file to a validated ModelProto with inline weights.
//
// LoadModelProto() parses the file (protobuf limits it to 2 GiB; larger models keep their weights
// in external data files, and load whatever their total size), reads every EXTERNAL tensor into
// raw_data, checks that every tensor's data matches its dims and data_type (CheckTensorProto),
// runs the ONNX checker and ONNX shape inference (results land in graph.value_info).
//
// The file is untrusted. External data `location`s are relative to the model's directory and may
// not leave it (absolute paths, '..' and symbolic links that resolve outside are refused); the data
// file must be a regular file, and `offset`/`length` must be decimal byte counts that stay inside
// it and match the tensor's declared dims and data_type. All tensors together may not read more
// bytes than their distinct data files hold, and no tensor is allocated before its data is checked,
// so memory stays proportional to the bytes on disk. Subgraphs nest at most 100 levels (protobuf's
// recursion limit).
//
// Every error names the model file, and where it applies the tensor and the data file. A missing
// model file is NotFound; a tensor of a type the engine lacks (complex) is Unimplemented;
// everything else wrong with the model is InvalidArgument.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "common/status.h"

namespace mlos::engine {

StatusOr<onnx::ModelProto> LoadModelProto(const std::string& path);

}  // namespace mlos::engine
