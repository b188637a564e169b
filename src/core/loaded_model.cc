#include "core/loaded_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>

namespace mlos::core {
namespace {

// Collects the outputs a plugin allocates during one model_execute, refusing (NULL buffer, and
// the first problem remembered) any allocation that does not describe a dense tensor the model
// declares and the request wants.
struct OutputCollector {
  const ModelSignature* signature = nullptr;
  const std::vector<std::string>* wanted = nullptr;  // empty: every declared output
  std::vector<OutputTensor> outputs;
  std::string failure;        // the first malformed allocation, if any
  std::string out_of_memory;  // the first allocation that found no memory, if any

  // Bytes of a dense tensor of `dims` and `dtype`; UINT64_MAX when that does not fit in 63 bits.
  static uint64_t DenseBytes(const Shape& dims, DataType dtype) {
    int64_t bytes = static_cast<int64_t>(ElementSize(dtype));
    for (int64_t dim : dims) {
      if (__builtin_mul_overflow(bytes, dim, &bytes)) return UINT64_MAX;
    }
    return static_cast<uint64_t>(bytes);
  }

  static void* Allocate(void* context, const char* name, smi_dtype code, int32_t rank,
                        const int64_t* shape, uint64_t byte_size) {
    auto* self = static_cast<OutputCollector*>(context);
    const std::string output_name = name != nullptr ? name : "";
    const auto dtype = DataTypeFromCode(code);
    Shape dims;
    if (rank > 0 && shape != nullptr) dims.assign(shape, shape + rank);
    const bool shape_ok = rank >= 0 && (rank == 0 || shape != nullptr) &&
                          std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; });
    const bool size_ok = dtype && shape_ok &&
                         (*dtype == DataType::kString || DenseBytes(dims, *dtype) == byte_size);
    std::string problem;
    if (!size_ok) {
      problem = fmt::format("dtype code {}, rank {}, {} bytes do not describe a dense tensor", code,
                            rank, byte_size);
    } else {
      problem = self->Unexpected(output_name, *dtype, dims);
    }
    if (!problem.empty()) {
      if (self->failure.empty()) self->failure = fmt::format("output '{}': {}", output_name, problem);
      return nullptr;
    }
    // A C caller is on the stack: nothing may be thrown through it.
    try {
      OutputTensor output{output_name, *dtype, dims,
                          Tensor(DataType::kUInt8, {static_cast<int64_t>(byte_size)})};
      self->outputs.push_back(std::move(output));
    } catch (const std::exception&) {
      if (self->out_of_memory.empty()) {
        self->out_of_memory = fmt::format("output '{}': cannot allocate {} bytes", output_name,
                                          byte_size);
      }
      return nullptr;
    }
    // An empty output still needs a non-NULL buffer (NULL means out of memory).
    alignas(64) static std::byte empty_buffer[64];
    void* buffer = self->outputs.back().bytes.raw_data();
    return buffer != nullptr ? buffer : empty_buffer;
  }

  // What is wrong with an output of this name, dtype and shape; "" when nothing.
  std::string Unexpected(const std::string& name, DataType dtype, const Shape& dims) const {
    const TensorSpec* spec = FindTensorSpec(signature->outputs, name);
    if (spec == nullptr) {
      return fmt::format("the model declares no such output (it has {})",
                         DescribeTensorSpecs(signature->outputs));
    }
    if (!wanted->empty() && std::find(wanted->begin(), wanted->end(), name) == wanted->end()) {
      return "not requested";
    }
    if (std::any_of(outputs.begin(), outputs.end(),
                    [&](const OutputTensor& output) { return output.name == name; })) {
      return "allocated twice";
    }
    const TensorSpec actual{name, dtype, dims};
    const bool dtype_ok = spec->dtype == DataType::kInvalid || spec->dtype == dtype;
    bool shape_ok = !spec->shape || spec->shape->size() == dims.size();
    for (size_t axis = 0; spec->shape && shape_ok && axis < dims.size(); ++axis) {
      shape_ok = (*spec->shape)[axis] < 0 || (*spec->shape)[axis] == dims[axis];
    }
    if (dtype_ok && shape_ok) return "";
    return fmt::format("{} does not match the declared {}", TensorSpecType(actual),
                       TensorSpecType(*spec));
  }

  // After a successful execution: every wanted output came, and string outputs are well formed.
  std::string Incomplete() const {
    std::vector<std::string> expected = *wanted;
    if (expected.empty()) {
      for (const TensorSpec& spec : signature->outputs) expected.push_back(spec.name);
    }
    for (const std::string& name : expected) {
      if (std::none_of(outputs.begin(), outputs.end(),
                       [&](const OutputTensor& output) { return output.name == name; })) {
        return fmt::format("output '{}' was never produced", name);
      }
    }
    for (const OutputTensor& output : outputs) {
      if (output.dtype == DataType::kString && !WellFormedStrings(output)) {
        return fmt::format("output '{}': its bytes are not {} length-prefixed strings", output.name,
                           ElementCount(output.shape));
      }
    }
    return "";
  }

  // SMI STRING layout: per element a 4-byte little-endian length, then that many bytes; nothing
  // after the last element.
  static bool WellFormedStrings(const OutputTensor& output) {
    const auto* bytes = static_cast<const unsigned char*>(output.bytes.raw_data());
    const uint64_t size = output.bytes.byte_size();
    uint64_t offset = 0;
    for (int64_t element = 0; element < ElementCount(output.shape); ++element) {
      if (size - offset < 4) return false;
      uint64_t length = 0;
      for (int i = 0; i < 4; ++i) length |= uint64_t{bytes[offset + i]} << (8 * i);
      offset += 4;
      if (size - offset < length) return false;
      offset += length;
    }
    return offset == size;
  }
};

size_t DeclaredIndex(const ModelSignature& signature, const std::string& name) {
  const auto& outputs = signature.outputs;
  return std::find_if(outputs.begin(), outputs.end(),
                      [&](const TensorSpec& spec) { return spec.name == name; }) -
         outputs.begin();
}

}  // namespace

Status StatusFromSmi(smi_status code, std::string_view message) {
  std::string text(message.empty() ? "no message from the plugin" : message);
  switch (code) {
    case SMI_OK:
      return Status::Ok();
    case SMI_ERR_INVALID_ARGUMENT:
      return InvalidArgument(std::move(text));
    case SMI_ERR_OUT_OF_MEMORY:
      return OutOfMemory(std::move(text));
    case SMI_ERR_NOT_FOUND:
      return NotFound(std::move(text));
    case SMI_ERR_UNSUPPORTED:
      return Unimplemented(std::move(text));
    default:
      return Internal(std::move(text));
  }
}

StatusOr<std::shared_ptr<LoadedModel>> LoadModel(std::shared_ptr<const Plugin> plugin,
                                                 const std::string& path,
                                                 const std::string& settings_json) {
  auto loaded = std::make_shared<LoadedModel>();
  smi::Error error;
  smi_status code =
      plugin->instance.LoadModel(path.c_str(), settings_json.c_str(), &loaded->model, &error);
  if (code != SMI_OK) return StatusFromSmi(code, error.text());
  smi_signature signature{};
  code = loaded->model.Signature(&signature, &error);
  if (code != SMI_OK) return StatusFromSmi(code, error.text()).WithContext("reading the signature");
  ASSIGN_OR_RETURN(loaded->signature, SignatureFromSmi(signature));
  loaded->plugin = std::move(plugin);
  return loaded;
}

namespace {

// The SMI STRING layout of a string tensor: per element a 4-byte little-endian length, then bytes.
std::string StringTensorBytes(const Tensor& tensor) {
  std::string bytes;
  for (const std::string& element : tensor.strings()) {
    const auto length = static_cast<uint32_t>(element.size());
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<char>(length >> shift));
    bytes += element;
  }
  return bytes;
}

}  // namespace

StatusOr<std::vector<OutputTensor>> Execute(const LoadedModel& model,
                                            const std::vector<NamedTensor>& inputs,
                                            const std::vector<std::string>& output_names) {
  std::vector<smi_tensor_view> views;
  std::vector<std::string> string_bytes;  // SMI layout of string inputs, alive for the call
  views.reserve(inputs.size());
  string_bytes.reserve(inputs.size());
  for (const auto& input : inputs) {
    const Tensor& tensor = input.tensor;
    const void* data = tensor.raw_data();
    uint64_t byte_size = tensor.byte_size();
    if (tensor.dtype() == DataType::kString) {
      string_bytes.push_back(StringTensorBytes(tensor));
      data = string_bytes.back().data();
      byte_size = string_bytes.back().size();
    }
    views.push_back({input.name.c_str(), static_cast<smi_dtype>(tensor.dtype()),
                     static_cast<int32_t>(tensor.shape().size()), tensor.shape().data(), data,
                     byte_size});
  }
  std::vector<const char*> wanted;
  wanted.reserve(output_names.size());
  for (const auto& name : output_names) wanted.push_back(name.c_str());
  OutputCollector collector{&model.signature, &output_names, {}, {}, {}};
  const smi_request request{static_cast<uint32_t>(views.size()),
                            views.data(),
                            static_cast<uint32_t>(wanted.size()),
                            wanted.empty() ? nullptr : wanted.data(),
                            {&collector, &OutputCollector::Allocate}};
  smi::Error error;
  const smi_status code = model.model.Execute(&request, 1, &error);
  if (!collector.failure.empty()) {
    return Internal(
        fmt::format("plugin '{}' broke its contract: {}", model.plugin->id, collector.failure));
  }
  if (!collector.out_of_memory.empty()) {
    return OutOfMemory(fmt::format("plugin '{}': {}", model.plugin->id, collector.out_of_memory));
  }
  if (code != SMI_OK) return StatusFromSmi(code, error.text());
  if (std::string missing = collector.Incomplete(); !missing.empty()) {
    return Internal(fmt::format("plugin '{}' broke its contract: {}", model.plugin->id, missing));
  }
  auto order = [&](const std::string& name) {
    if (output_names.empty()) return DeclaredIndex(model.signature, name);
    return static_cast<size_t>(std::find(output_names.begin(), output_names.end(), name) -
                               output_names.begin());
  };
  std::stable_sort(collector.outputs.begin(), collector.outputs.end(),
                   [&](const OutputTensor& a, const OutputTensor& b) {
                     return order(a.name) < order(b.name);
                   });
  return std::move(collector.outputs);
}

}  // namespace mlos::core
