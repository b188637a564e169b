#include "engine/model_loader.h"

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <new>
#include <optional>

#include "engine/shape_inference_guard.h"
#include "engine/tensor_proto.h"

namespace mlos::engine {
namespace {

namespace fs = std::filesystem;

// Closes a file descriptor on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

StatusOr<onnx::ModelProto> ParseModelFile(const std::string& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return NotFound("model file '" + path + "' does not exist or is not a regular file");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return NotFound("cannot open model file '" + path + "'");
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return NotFound("model file '" + path + "' is not a regular file");
  }
  if (info.st_size > INT_MAX) {
    ::close(fd);
    return InvalidArgument("model file '" + path + "' is " + std::to_string(info.st_size) +
                           " bytes; protobuf limits an .onnx file to 2 GiB, larger models keep "
                           "their weights in external data files");
  }
  onnx::ModelProto model;
  bool parsed = false;
  {
    google::protobuf::io::FileInputStream file(fd);
    file.SetCloseOnDelete(true);
    google::protobuf::io::CodedInputStream input(&file);
    input.SetTotalBytesLimit(INT_MAX);  // models are far larger than protobuf's 64 MiB default
    parsed = model.ParseFromCodedStream(&input) && input.ConsumedEntireMessage();
  }
  if (!parsed) {
    return InvalidArgument("'" + path +
                           "' is not a valid ONNX model (protobuf parse failed: corrupt, "
                           "truncated or nested more than 100 levels deep)");
  }
  return model;
}

// The external_data entries of a tensor. Without a length the data runs to the end of the file.
struct ExternalLocation {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
};

// A decimal byte count: digits only (no sign, space or suffix), at most 2^64 - 1.
std::optional<uint64_t> ParseByteCount(const std::string& text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text[0] == '-' || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

StatusOr<ExternalLocation> ReadExternalLocation(const onnx::TensorProto& tensor,
                                                const std::string& where) {
  ExternalLocation result;
  for (const onnx::StringStringEntryProto& entry : tensor.external_data()) {
    if (entry.key() == "location") {
      result.location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      const std::optional<uint64_t> value = ParseByteCount(entry.value());
      if (!value) {
        return InvalidArgument(where + ": external_data '" + entry.key() +
                               "' is not a byte count: '" + entry.value() + "'");
      }
      (entry.key() == "offset" ? result.offset : result.length.emplace()) = *value;
    }
  }
  if (result.location.empty()) return InvalidArgument(where + ": external_data has no location");
  if (result.location.find('\0') != std::string::npos) {
    return InvalidArgument(where + ": external_data location contains a NUL character");
  }
  return result;
}

// Visits every tensor of one model: reads external data into raw_data, then checks that the
// tensor's data matches its dims and data_type (CheckTensorProto), so that neither libonnx nor the
// engine reads a tensor that is not what it claims. Also rejects the node attributes libonnx's
// shape inference crashes on (CheckWindowAttributes). What it reads is bounded: all tensors
// together may not read more bytes than their distinct data files hold, so a small model cannot
// make the loader allocate many times the data on disk by pointing every tensor at the same large
// file.
class TensorResolver {
 public:
  TensorResolver(fs::path model_dir, std::string model_path)
      : model_dir_(std::move(model_dir)),
        model_path_(std::move(model_path)),
        where_("model '" + model_path_ + "'") {}

  // Resolves every tensor of `model`: initializers, node attributes, subgraphs, local functions
  // and training graphs. None may stay EXTERNAL: the ONNX checker would probe their locations
  // relative to the current directory.
  Status ResolveModel(onnx::ModelProto& model) {
    RETURN_IF_ERROR(ResolveGraph(*model.mutable_graph()));
    for (onnx::FunctionProto& function : *model.mutable_functions()) {
      RETURN_IF_ERROR(ResolveNodes(*function.mutable_node()));
    }
    for (onnx::TrainingInfoProto& training : *model.mutable_training_info()) {
      if (training.has_initialization()) {
        RETURN_IF_ERROR(ResolveGraph(*training.mutable_initialization()));
      }
      if (training.has_algorithm()) RETURN_IF_ERROR(ResolveGraph(*training.mutable_algorithm()));
    }
    return Status::Ok();
  }

 private:
  Status ResolveGraph(onnx::GraphProto& graph) {
    for (onnx::TensorProto& tensor : *graph.mutable_initializer()) RETURN_IF_ERROR(Resolve(tensor));
    for (onnx::SparseTensorProto& sparse : *graph.mutable_sparse_initializer()) {
      RETURN_IF_ERROR(ResolveSparse(sparse));
    }
    return ResolveNodes(*graph.mutable_node());
  }

  Status ResolveNodes(google::protobuf::RepeatedPtrField<onnx::NodeProto>& nodes) {
    for (onnx::NodeProto& node : nodes) {
      const std::string outer = where_;
      where_ = "model '" + model_path_ + "', node '" + node.name() + "' (" + node.op_type() + ")";
      RETURN_IF_ERROR(CheckWindowAttributes(node));
      RETURN_IF_ERROR(ResolveAttributes(node));
      where_ = outer;
    }
    return Status::Ok();
  }

  // libonnx 1.12's shape inference for Conv and the pooling ops divides by the strides without
  // checking them (SIGFPE on a zero stride), so the window attributes of every node are checked
  // first. ONNX requires them positive wherever they occur.
  Status CheckWindowAttributes(const onnx::NodeProto& node) const {
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      const std::string& name = attribute.name();
      if (name != "strides" && name != "dilations" && name != "kernel_shape") continue;
      for (int64_t value : attribute.ints()) {
        if (value <= 0) {
          return InvalidArgument(
              where_ + ": attribute '" + name + "' must be positive, got " +
              ShapeToString(Shape(attribute.ints().begin(), attribute.ints().end())));
        }
      }
    }
    return Status::Ok();
  }

  Status ResolveAttributes(onnx::NodeProto& node) {
    for (onnx::AttributeProto& attribute : *node.mutable_attribute()) {
      if (attribute.has_t()) RETURN_IF_ERROR(Resolve(*attribute.mutable_t()));
      for (onnx::TensorProto& tensor : *attribute.mutable_tensors())
        RETURN_IF_ERROR(Resolve(tensor));
      if (attribute.has_sparse_tensor()) {
        RETURN_IF_ERROR(ResolveSparse(*attribute.mutable_sparse_tensor()));
      }
      for (onnx::SparseTensorProto& sparse : *attribute.mutable_sparse_tensors()) {
        RETURN_IF_ERROR(ResolveSparse(sparse));
      }
      if (attribute.has_g()) RETURN_IF_ERROR(ResolveGraph(*attribute.mutable_g()));
      for (onnx::GraphProto& subgraph : *attribute.mutable_graphs()) {
        RETURN_IF_ERROR(ResolveGraph(subgraph));
      }
    }
    return Status::Ok();
  }

  Status ResolveSparse(onnx::SparseTensorProto& sparse) {
    if (sparse.has_values()) RETURN_IF_ERROR(Resolve(*sparse.mutable_values()));
    if (sparse.has_indices()) RETURN_IF_ERROR(Resolve(*sparse.mutable_indices()));
    return Status::Ok();
  }

  Status Resolve(onnx::TensorProto& tensor) {
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
      RETURN_IF_ERROR(ReadExternal(tensor));
    return CheckTensorProto(tensor).WithContext(where_);
  }

  // Reads the external bytes of `tensor` into its raw_data.
  Status ReadExternal(onnx::TensorProto& tensor) {
    const std::string where = where_ + ", tensor '" + tensor.name() + "'";
    ASSIGN_OR_RETURN(const ExternalLocation external, ReadExternalLocation(tensor, where));
    const std::string data_where = where + ", data file '" + external.location + "'";
    StatusOr<uint64_t> expected = RawByteSize(tensor);
    if (!expected.ok()) return expected.status().WithContext(where_);
    ASSIGN_OR_RETURN(const fs::path file, FileInsideModelDirectory(external.location, data_where));

    FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    struct stat info {};
    if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0) {
      return InvalidArgument(data_where + ": cannot read the file (" + std::strerror(errno) + ")");
    }
    if (!S_ISREG(info.st_mode)) return InvalidArgument(data_where + ": not a regular file");
    const auto file_size = static_cast<uint64_t>(info.st_size);
    if (external.offset > file_size) {
      return InvalidArgument(data_where + ": offset " + std::to_string(external.offset) +
                             " is past the end of the file (" + std::to_string(file_size) +
                             " bytes)");
    }
    const uint64_t length = external.length.value_or(file_size - external.offset);
    if (length > file_size - external.offset) {
      return InvalidArgument(data_where + ": needs " + std::to_string(length) +
                             " bytes from offset " + std::to_string(external.offset) +
                             " but the file has " + std::to_string(file_size));
    }
    if (length != *expected) {
      return InvalidArgument(data_where + ": holds " + std::to_string(length) + " bytes (" +
                             (external.length ? "length" : "offset to end of file") + ") but " +
                             DescribeDeclared(tensor) + " needs " + std::to_string(*expected));
    }
    file_bytes_.emplace(file, file_size);
    uint64_t budget = 0;
    for (const auto& [path, size] : file_bytes_) budget += size;
    if (length > budget - bytes_read_) {
      return InvalidArgument(data_where +
                             ": the model's tensors read more external bytes than its data files "
                             "hold (tensors overlap)");
    }
    std::string* bytes = tensor.mutable_raw_data();
    bytes->resize(length);
    for (uint64_t done = 0; done < length;) {
      const ssize_t got = ::pread(fd.get(), bytes->data() + done, length - done,
                                  static_cast<off_t>(external.offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        return InvalidArgument(data_where + ": read failed after " + std::to_string(done) +
                               " bytes (" + (got < 0 ? std::strerror(errno) : "end of file") + ")");
      }
      done += static_cast<uint64_t>(got);
    }
    bytes_read_ += length;
    tensor.clear_external_data();
    tensor.set_data_location(onnx::TensorProto::DEFAULT);
    return Status::Ok();
  }

  // The canonical path of `location`, which must be relative and stay inside the model's
  // directory after `..` and symbolic links are resolved.
  StatusOr<fs::path> FileInsideModelDirectory(const std::string& location,
                                              const std::string& data_where) const {
    const fs::path relative(location);
    if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory()) {
      return InvalidArgument(data_where +
                             ": the location is absolute; it must be relative to the model's "
                             "directory");
    }
    std::error_code error;
    const fs::path file = fs::weakly_canonical(model_dir_ / relative, error);
    if (error) {
      return InvalidArgument(data_where + ": cannot resolve the location (" + error.message() +
                             ")");
    }
    const fs::path inside = file.lexically_relative(model_dir_);
    if (inside.empty() || *inside.begin() == "..") {
      return InvalidArgument(data_where +
                             ": the location leaves the model's directory (it resolves to '" +
                             file.string() + "')");
    }
    return file;
  }

  static std::string DescribeDeclared(const onnx::TensorProto& tensor) {
    Shape dims(tensor.dims().begin(), tensor.dims().end());
    const std::optional<DataType> dtype = DataTypeFromCode(tensor.data_type());
    return std::string(Name(dtype.value_or(DataType::kInvalid))) + " " + ShapeToString(dims);
  }

  const fs::path model_dir_;  // canonical
  const std::string model_path_;
  std::string where_;  // "model 'path'", with the node whose attributes are being resolved
  std::map<fs::path, uint64_t> file_bytes_;  // size of each data file read so far
  uint64_t bytes_read_ = 0;
};

// libonnx's message, cut short: the checker quotes whole nodes, weights included.
std::string Shortened(std::string message) {
  constexpr size_t kMaxLength = 2000;
  if (message.size() > kMaxLength) message = message.substr(0, kMaxLength) + " [...]";
  return message;
}

// libonnx reports problems by throwing; they become InvalidArgument here.
Status CheckAndInferShapes(onnx::ModelProto& model, const std::string& path) {
  const char* stage = "fails the ONNX checker";
  try {
    onnx::checker::check_model(model);
    stage = "fails ONNX shape inference";
    onnx::shape_inference::InferShapes(model, GuardedSchemaRegistry());
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return InvalidArgument("model '" + path + "' " + stage + ": " + Shortened(e.what()));
  } catch (...) {
    return InvalidArgument("model '" + path + "' " + stage + " (unknown error)");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<onnx::ModelProto> LoadModelProto(const std::string& path) {
  try {
    ASSIGN_OR_RETURN(onnx::ModelProto model, ParseModelFile(path));
    std::error_code error;
    const fs::path model_dir = fs::weakly_canonical(fs::absolute(path, error).parent_path(), error);
    if (error) {
      return InvalidArgument("model '" + path + "': cannot resolve its directory (" +
                             error.message() + ")");
    }
    TensorResolver tensors(model_dir, path);
    RETURN_IF_ERROR(tensors.ResolveModel(model));
    RETURN_IF_ERROR(CheckAndInferShapes(model, path));
    return model;
  } catch (const std::bad_alloc&) {
    return OutOfMemory("out of memory while loading model '" + path + "'");
  }
}

}  // namespace mlos::engine
