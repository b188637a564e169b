#include "axon/manifest_builder.h"

#include <string_view>

namespace mlos::axon {
namespace {

StatusOr<std::vector<ManifestTensor>> ToManifestTensors(
    const std::vector<engine::TensorInfo>& infos, std::string_view kind,
    const std::string& model_path) {
  std::vector<ManifestTensor> tensors;
  for (const engine::TensorInfo& info : infos) {
    if (info.dtype == DataType::kInvalid) {
      return InvalidArgument(model_path + ": " + std::string(kind) + " '" + info.name +
                             "' has an element type MLOS does not support");
    }
    tensors.push_back({info.name, info.dtype, info.shape});
  }
  return tensors;
}

std::string Describe(const engine::ModelSignature& signature) {
  std::string description = "ONNX model, opset " + std::to_string(signature.opset);
  std::string_view producer = signature.producer;
  while (!producer.empty() && producer.back() == ' ') producer.remove_suffix(1);
  if (!producer.empty()) description += ", produced by " + std::string(producer);
  return description;
}

}  // namespace

uint64_t EstimateMemoryBytes(const std::vector<ManifestFile>& files,
                             const std::string& model_path) {
  uint64_t bytes = 0;
  for (const ManifestFile& file : files) {
    const std::string_view path = file.path;
    if (path.starts_with(model_path) || path.ends_with(".onnx_data")) bytes += file.size;
  }
  return bytes;
}

StatusOr<Manifest> BuildOnnxManifest(const OnnxPackage& package) {
  Manifest m;
  m.name = package.ref.name;
  m.namespace_ = package.ref.namespace_;
  m.version = package.ref.version;
  m.description = Describe(package.signature);
  m.source = package.source;
  m.created = package.created;
  m.framework = "onnx";
  m.format_type = "onnx";
  m.execution_format = "onnx";
  m.files = package.files;
  m.execution_files = {{package.model_path, "single"}};
  ASSIGN_OR_RETURN(m.inputs,
                   ToManifestTensors(package.signature.inputs, "input", package.model_path));
  ASSIGN_OR_RETURN(m.outputs,
                   ToManifestTensors(package.signature.outputs, "output", package.model_path));
  for (const ManifestFile& file : m.files) m.disk_bytes += file.size;
  m.memory_bytes = EstimateMemoryBytes(m.files, package.model_path);
  return m;
}

}  // namespace mlos::axon
