#include "engine/model_loader.h"

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <unistd.h>

#include <climits>
#include <exception>
#include <filesystem>
#include <fstream>
#include <new>
#include <optional>

#include "common/tensor.h"

namespace mlos::engine {
namespace {

namespace fs = std::filesystem;

StatusOr<onnx::ModelProto> ParseModelFile(const std::string& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return NotFound("model file '" + path + "' does not exist or is not a regular file");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open model file '" + path + "'");
  onnx::ModelProto model;
  bool parsed = false;
  {
    google::protobuf::io::FileInputStream file(fd);
    file.SetCloseOnDelete(true);
    google::protobuf::io::CodedInputStream input(&file);
    input.SetTotalBytesLimit(INT_MAX);  // models are far larger than protobuf's 64 MiB default
    parsed = model.ParseFromCodedStream(&input) && input.ConsumedEntireMessage();
  }
  if (!parsed)
    return InvalidArgument("'" + path + "' is not a valid ONNX model (protobuf parse failed)");
  return model;
}

struct ExternalLocation {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
};

StatusOr<ExternalLocation> ReadExternalLocation(const onnx::TensorProto& tensor,
                                                const std::string& where) {
  ExternalLocation result;
  for (const onnx::StringStringEntryProto& entry : tensor.external_data()) {
    try {
      if (entry.key() == "location") result.location = entry.value();
      if (entry.key() == "offset") result.offset = std::stoull(entry.value());
      if (entry.key() == "length") result.length = std::stoull(entry.value());
    } catch (const std::exception&) {
      return InvalidArgument(where + ": external_data '" + entry.key() + "' is not a number: '" +
                             entry.value() + "'");
    }
  }
  if (result.location.empty()) return InvalidArgument(where + ": external_data has no location");
  return result;
}

// Reads the external bytes of `tensor` into its raw_data. `model_dir` is canonical.
Status ResolveExternalTensor(onnx::TensorProto& tensor, const fs::path& model_dir,
                             const std::string& model_path) {
  const std::string where = "model '" + model_path + "', tensor '" + tensor.name() + "'";
  ASSIGN_OR_RETURN(ExternalLocation external, ReadExternalLocation(tensor, where));
  const std::string data_where = where + ", data file '" + external.location + "'";
  const fs::path relative(external.location);
  std::error_code error;
  const fs::path file = fs::weakly_canonical(model_dir / relative, error);
  const fs::path inside = file.lexically_relative(model_dir);
  if (relative.is_absolute() || error || inside.empty() || *inside.begin() == "..") {
    return InvalidArgument(data_where + ": the location leaves the model's directory");
  }
  const uintmax_t file_size = fs::file_size(file, error);
  if (error)
    return InvalidArgument(data_where + ": cannot read the file (" + error.message() + ")");
  if (external.offset > file_size) {
    return InvalidArgument(data_where + ": offset " + std::to_string(external.offset) +
                           " is past the end of the file (" + std::to_string(file_size) +
                           " bytes)");
  }
  const uint64_t length = external.length.value_or(file_size - external.offset);
  if (length > file_size - external.offset) {
    return InvalidArgument(data_where + ": needs bytes [" + std::to_string(external.offset) + ", " +
                           std::to_string(external.offset + length) + ") but the file has " +
                           std::to_string(file_size));
  }
  std::ifstream stream(file, std::ios::binary);
  std::string* bytes = tensor.mutable_raw_data();
  bytes->resize(length);
  stream.seekg(static_cast<std::streamoff>(external.offset));
  stream.read(bytes->data(), static_cast<std::streamsize>(length));
  if (!stream || static_cast<uint64_t>(stream.gcount()) != length) {
    return InvalidArgument(data_where + ": short read");
  }
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return Status::Ok();
}

Status ResolveExternalData(onnx::GraphProto& graph, const fs::path& model_dir,
                           const std::string& model_path);

Status ResolveAttributeData(onnx::AttributeProto& attribute, const fs::path& model_dir,
                            const std::string& model_path) {
  auto resolve = [&](onnx::TensorProto& tensor) {
    return tensor.data_location() == onnx::TensorProto::EXTERNAL
               ? ResolveExternalTensor(tensor, model_dir, model_path)
               : Status::Ok();
  };
  if (attribute.has_t()) RETURN_IF_ERROR(resolve(*attribute.mutable_t()));
  for (onnx::TensorProto& tensor : *attribute.mutable_tensors()) RETURN_IF_ERROR(resolve(tensor));
  if (attribute.has_g())
    RETURN_IF_ERROR(ResolveExternalData(*attribute.mutable_g(), model_dir, model_path));
  for (onnx::GraphProto& graph : *attribute.mutable_graphs()) {
    RETURN_IF_ERROR(ResolveExternalData(graph, model_dir, model_path));
  }
  return Status::Ok();
}

// Resolves the initializers and the tensor attributes of `graph` and of its subgraphs.
Status ResolveExternalData(onnx::GraphProto& graph, const fs::path& model_dir,
                           const std::string& model_path) {
  for (onnx::TensorProto& tensor : *graph.mutable_initializer()) {
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
      RETURN_IF_ERROR(ResolveExternalTensor(tensor, model_dir, model_path));
    }
  }
  for (onnx::NodeProto& node : *graph.mutable_node()) {
    for (onnx::AttributeProto& attribute : *node.mutable_attribute()) {
      RETURN_IF_ERROR(ResolveAttributeData(attribute, model_dir, model_path));
    }
  }
  return Status::Ok();
}

// libonnx reports problems by throwing; they become InvalidArgument here.
Status CheckAndInferShapes(onnx::ModelProto& model, const std::string& path) {
  const char* stage = "fails the ONNX checker";
  try {
    onnx::checker::check_model(model);
    stage = "fails ONNX shape inference";
    onnx::shape_inference::InferShapes(model);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return InvalidArgument("model '" + path + "' " + stage + ": " + e.what());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<onnx::ModelProto> LoadModelProto(const std::string& path) {
  try {
    ASSIGN_OR_RETURN(onnx::ModelProto model, ParseModelFile(path));
    std::error_code error;
    const fs::path model_dir = fs::weakly_canonical(fs::absolute(path, error).parent_path(), error);
    RETURN_IF_ERROR(ResolveExternalData(*model.mutable_graph(), model_dir, path));
    RETURN_IF_ERROR(CheckAndInferShapes(model, path));
    return model;
  } catch (const std::bad_alloc&) {
    return OutOfMemory("out of memory while loading model '" + path + "'");
  }
}

}  // namespace mlos::engine
