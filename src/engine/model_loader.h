// Model loading: from an .onnx file to a validated ModelProto with inline weights.
//
// LoadModelProto() parses the file (any size protobuf allows, i.e. up to 2 GiB of graph; larger
// models keep their weights in external data files), reads every EXTERNAL tensor into raw_data
// (locations are relative to the model's directory and may not leave it), runs the ONNX checker
// and ONNX shape inference (results land in graph.value_info). Every error names the model file,
// and for external data also the tensor and the data file. A missing model file is NotFound;
// everything else wrong with the model is InvalidArgument.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "common/status.h"

namespace mlos::engine {

StatusOr<onnx::ModelProto> LoadModelProto(const std::string& path);

}  // namespace mlos::engine
