#include "tools/mlos-run/tensor_files.h"

#include <cctype>
#include <fstream>
#include <set>

#include "common/npy.h"
#include "engine/tensor_proto.h"

namespace mlos::run {
namespace {

StatusOr<engine::NamedTensor> ReadTensorProtoFile(const std::string& path,
                                                  const std::string& name) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("input file '" + path + "' cannot be opened");
  onnx::TensorProto proto;
  if (!proto.ParseFromIstream(&file)) {
    return InvalidArgument("input file '" + path + "' is not an ONNX TensorProto");
  }
  StatusOr<Tensor> tensor = engine::TensorFromProto(proto);
  if (!tensor.ok()) return tensor.status().WithContext("input file '" + path + "'");
  const std::string input_name = name.empty() ? proto.name() : name;
  if (input_name.empty()) {
    return InvalidArgument("input file '" + path + "' names no input; use --input NAME=" + path);
  }
  return engine::NamedTensor{input_name, std::move(tensor).value()};
}

}  // namespace

StatusOr<engine::NamedTensor> ReadInput(const std::string& argument,
                                        std::span<const engine::TensorInfo> model_inputs) {
  const size_t equals = argument.find('=');
  const std::string name = equals == std::string::npos ? "" : argument.substr(0, equals);
  const std::string path = equals == std::string::npos ? argument : argument.substr(equals + 1);
  if (path.ends_with(".pb")) return ReadTensorProtoFile(path, name);
  if (!path.ends_with(".npy")) {
    return InvalidArgument("input file '" + path + "' must end in .npy or .pb");
  }
  std::string input_name = name;
  if (input_name.empty()) {
    if (model_inputs.size() != 1) {
      return InvalidArgument("input file '" + path + "': the model has " +
                             std::to_string(model_inputs.size()) +
                             " inputs; say which one with --input NAME=" + path);
    }
    input_name = model_inputs[0].name;
  }
  ASSIGN_OR_RETURN(Tensor tensor, ReadNpyFile(path));
  return engine::NamedTensor{input_name, std::move(tensor)};
}

std::vector<std::string> OutputFileNames(std::span<const std::string> output_names) {
  std::vector<std::string> files;
  std::set<std::string> taken;
  for (const std::string& name : output_names) {
    std::string safe;
    for (char c : name) {
      const bool keep =
          std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
      safe += keep ? c : '_';
    }
    if (safe.empty() || safe[0] == '.') safe = '_' + safe;
    std::string unique = safe;
    for (int suffix = 2; taken.contains(unique); ++suffix)
      unique = safe + "_" + std::to_string(suffix);
    taken.insert(unique);
    files.push_back(unique + ".npy");
  }
  return files;
}

}  // namespace mlos::run
