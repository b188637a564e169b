#include "core/api/kserve/kserve_tensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/api/json_tensor_reader.h"
#include "core/api/tensor_bytes.h"

namespace mlos::core {
namespace {

using Json = nlohmann::json;

std::string Quoted(std::string_view text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The "parameters" object of `object`; nullopt when absent (no parameters).
StatusOr<std::optional<JsonValue>> Parameters(JsonValue object, const std::string& what) {
  const auto parameters = JsonField(object, "parameters");
  if (parameters && !parameters->is_object()) {
    return InvalidArgument(fmt::format("{}: \"parameters\" must be an object, got {}", what,
                                       JsonTypeName(*parameters)));
  }
  return parameters;
}

std::optional<JsonValue> Parameter(const std::optional<JsonValue>& parameters,
                                   std::string_view key) {
  return parameters ? JsonField(*parameters, key) : std::nullopt;
}

StatusOr<std::string> RequiredString(JsonValue object, const char* key, const std::string& what) {
  const auto value = JsonField(object, key);
  if (!value) return InvalidArgument(fmt::format("{}: \"{}\" is missing", what, key));
  if (!value->is_string()) {
    return InvalidArgument(
        fmt::format("{}: \"{}\" must be a string, got {}", what, key, JsonTypeName(*value)));
  }
  return std::string(value->get_string().value_unsafe());
}

StatusOr<bool> OptionalBool(const std::optional<JsonValue>& parameters, const char* key,
                            const std::string& what) {
  const auto value = Parameter(parameters, key);
  if (!value) return false;
  if (!value->is_bool()) {
    return InvalidArgument(
        fmt::format("{}: parameter \"{}\" must be a boolean, got {}", what, key, JsonText(*value)));
  }
  return value->get_bool().value_unsafe();
}

Status RefuseSharedMemory(const std::optional<JsonValue>& parameters, const std::string& what) {
  if (Parameter(parameters, "shared_memory_region")) {
    return Unimplemented(fmt::format("{}: the shared memory extension is not supported", what));
  }
  return Status::Ok();
}

// The request's shape: non-negative integers, at most kMaxJsonRank of them.
StatusOr<Shape> ParseShape(JsonValue input) {
  const auto shape = JsonField(input, "shape");
  if (!shape) return InvalidArgument("\"shape\" is missing");
  return ReadJsonShape(*shape);
}

StatusOr<Tensor> TensorFromJson(const TensorSpec& spec, const Shape& shape, int64_t count,
                                JsonValue data) {
  const std::optional<int64_t> given = CountJsonScalars(data);
  if (!given) {
    return InvalidArgument(fmt::format("\"data\" is nested deeper than {} levels", kMaxJsonRank));
  }
  if (*given != count) {
    return InvalidArgument(fmt::format("shape {} needs {} elements, \"data\" has {}",
                                       ShapeToString(shape), count, *given));
  }
  Tensor tensor(spec.dtype, shape);
  RETURN_IF_ERROR(spec.dtype == DataType::kString
                      ? WriteJsonStrings(data, tensor.strings().data())
                      : WriteJsonNumbers(data, spec.dtype, tensor.raw_data()));
  return tensor;
}

// The binary tensors after the JSON header, handed out in request order.
class BinarySection {
 public:
  BinarySection(std::string_view bytes, bool present) : bytes_(bytes), present_(present) {}

  StatusOr<std::string_view> Take(JsonValue size_parameter) {
    if (!present_) {
      return InvalidArgument(fmt::format(
          "\"binary_data_size\" is given but the request has no {} header, so there is no "
          "binary data",
          kInferenceHeaderLengthHeader));
    }
    if (!size_parameter.is_int64() || size_parameter.get_int64().value_unsafe() < 0) {
      return InvalidArgument(fmt::format(
          "\"binary_data_size\" must be a non-negative integer, got {}", JsonText(size_parameter)));
    }
    const auto size = static_cast<uint64_t>(size_parameter.get_int64().value_unsafe());
    if (size > bytes_.size() - offset_) {
      return InvalidArgument(fmt::format(
          "binary_data_size is {} but only {} bytes of binary data remain (the binary section "
          "is {} bytes)",
          size, bytes_.size() - offset_, bytes_.size()));
    }
    std::string_view taken = bytes_.substr(offset_, size);
    offset_ += size;
    return taken;
  }

  Status CheckConsumed() const {
    if (offset_ == bytes_.size()) return Status::Ok();
    return InvalidArgument(fmt::format(
        "the binary section is {} bytes, the inputs' binary_data_size add up to {}: {} bytes "
        "too many",
        bytes_.size(), offset_, bytes_.size() - offset_));
  }

 private:
  std::string_view bytes_;
  bool present_;
  size_t offset_ = 0;
};

StatusOr<Tensor> DecodeInput(const TensorSpec& spec, JsonValue input, BinarySection* binary,
                             uint64_t body_size) {
  ASSIGN_OR_RETURN(const std::string datatype, RequiredString(input, "datatype", "the input"));
  const auto given_dtype = ParseDataType(datatype);
  if (!given_dtype || *given_dtype != spec.dtype) {
    return InvalidArgument(fmt::format("datatype {} given, the model expects {}", Quoted(datatype),
                                       KServeName(spec.dtype)));
  }
  ASSIGN_OR_RETURN(const Shape shape, ParseShape(input));
  RETURN_IF_ERROR(CheckShapeAgainstDeclared(spec, shape));
  ASSIGN_OR_RETURN(const auto parameters, Parameters(input, "the input"));
  RETURN_IF_ERROR(RefuseSharedMemory(parameters, "the input"));
  // Each element takes at least a byte of the body, so the body bounds the count.
  ASSIGN_OR_RETURN(const int64_t count, BoundedElementCount(shape, body_size));
  const auto data = JsonField(input, "data");
  if (const auto size = Parameter(parameters, "binary_data_size")) {
    if (data) return InvalidArgument("both \"data\" and parameter \"binary_data_size\" are given");
    ASSIGN_OR_RETURN(const std::string_view bytes, binary->Take(*size));
    return TensorFromSmiBytes(spec.dtype, shape, count, bytes, "binary_data_size");
  }
  if (!data) {
    return InvalidArgument("\"data\" is missing (nor is parameter \"binary_data_size\" given)");
  }
  return TensorFromJson(spec, shape, count, *data);
}

Status DecodeInputs(JsonValue request, const std::vector<TensorSpec>& specs, BinarySection* binary,
                    uint64_t body_size, std::vector<NamedTensor>* out) {
  const auto inputs = JsonField(request, "inputs");
  if (!inputs || !inputs->is_array()) {
    return InvalidArgument(
        fmt::format("the request needs \"inputs\", an array of tensors; the "
                    "model's inputs are: {}",
                    DescribeTensorSpecs(specs)));
  }
  out->assign(specs.size(), NamedTensor{});
  size_t position = 0;
  for (JsonValue input : JsonArray(*inputs)) {
    const std::string where = fmt::format("inputs[{}]", position++);
    if (!input.is_object()) {
      return InvalidArgument(
          fmt::format("{} must be an object, got {}", where, JsonTypeName(input)));
    }
    ASSIGN_OR_RETURN(const std::string name, RequiredString(input, "name", where));
    const TensorSpec* spec = FindTensorSpec(specs, name);
    if (spec == nullptr) {
      return InvalidArgument(fmt::format("unknown input '{}'; the model's inputs are: {}", name,
                                         DescribeTensorSpecs(specs)));
    }
    NamedTensor& slot = (*out)[spec - specs.data()];
    if (!slot.name.empty()) return InvalidArgument(fmt::format("input '{}' is given twice", name));
    auto tensor = DecodeInput(*spec, input, binary, body_size);
    if (!tensor.ok()) {
      return tensor.status().WithContext(
          fmt::format("input '{}' ({})", name, TensorSpecType(*spec)));
    }
    slot = {name, std::move(tensor).value()};
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if ((*out)[i].name.empty()) {
      return InvalidArgument(fmt::format("missing input {}; the model's inputs are: {}",
                                         DescribeTensorSpec(specs[i]), DescribeTensorSpecs(specs)));
    }
  }
  return binary->CheckConsumed();
}

Status DecodeOutputs(JsonValue request, const std::vector<TensorSpec>& specs,
                     KServeInferRequest* out) {
  const auto outputs = JsonField(request, "outputs");
  if (!outputs) return Status::Ok();
  if (!outputs->is_array()) {
    return InvalidArgument(
        fmt::format("\"outputs\" must be an array, got {}", JsonTypeName(*outputs)));
  }
  size_t position = 0;
  for (JsonValue output : JsonArray(*outputs)) {
    const std::string where = fmt::format("outputs[{}]", position++);
    if (!output.is_object()) {
      return InvalidArgument(
          fmt::format("{} must be an object, got {}", where, JsonTypeName(output)));
    }
    ASSIGN_OR_RETURN(const std::string name, RequiredString(output, "name", where));
    const std::string what = fmt::format("output '{}'", name);
    if (FindTensorSpec(specs, name) == nullptr) {
      return InvalidArgument(
          fmt::format("unknown output '{}' requested; the model's outputs are: {}", name,
                      DescribeTensorSpecs(specs)));
    }
    if (std::find(out->output_names.begin(), out->output_names.end(), name) !=
        out->output_names.end()) {
      return InvalidArgument(fmt::format("{} is requested twice", what));
    }
    ASSIGN_OR_RETURN(const auto parameters, Parameters(output, what));
    RETURN_IF_ERROR(RefuseSharedMemory(parameters, what));
    if (Parameter(parameters, "classification")) {
      return Unimplemented(fmt::format("{}: the classification extension is not supported", what));
    }
    bool binary = out->binary_data_output;
    if (Parameter(parameters, "binary_data")) {
      ASSIGN_OR_RETURN(binary, OptionalBool(parameters, "binary_data", what));
    }
    out->output_names.push_back(name);
    out->binary_outputs.push_back(binary);
  }
  return Status::Ok();
}

StatusOr<Tensor> RawBinaryTensor(const TensorSpec& spec, std::string_view body) {
  if (spec.dtype == DataType::kString) {
    ASSIGN_OR_RETURN(const Shape shape, ResolveFlatShape(1, spec.shape));
    Tensor tensor(spec.dtype, shape);
    tensor.strings()[0] = std::string(body);
    return tensor;
  }
  const size_t size = ElementSize(spec.dtype);
  if (body.size() % size != 0) {
    return InvalidArgument(
        fmt::format("{} bytes of raw binary data are not a whole number of {}-byte elements",
                    body.size(), size));
  }
  ASSIGN_OR_RETURN(const Shape shape,
                   ResolveFlatShape(static_cast<int64_t>(body.size() / size), spec.shape));
  return TensorFromSmiBytes(spec.dtype, shape, ElementCount(shape), body, "binary_data_size");
}

// Triton's raw binary request (an empty JSON header): the whole body is the one input's data,
// its shape resolved against the declared one.
StatusOr<KServeInferRequest> DecodeRawBinary(std::string_view body,
                                             const ModelSignature& signature) {
  if (signature.inputs.size() != 1) {
    return InvalidArgument(fmt::format(
        "a raw binary request ({} is 0) needs a model with one input; the model's inputs are: {}",
        kInferenceHeaderLengthHeader, DescribeTensorSpecs(signature.inputs)));
  }
  const TensorSpec& spec = signature.inputs[0];
  auto tensor = RawBinaryTensor(spec, body);
  if (!tensor.ok())
    return tensor.status().WithContext(fmt::format("input {}", DescribeTensorSpec(spec)));
  KServeInferRequest request;
  request.inputs.push_back({spec.name, std::move(tensor).value()});
  return request;
}

}  // namespace

bool KServeInferRequest::BinaryOutput(std::string_view name) const {
  for (size_t i = 0; i < output_names.size(); ++i) {
    if (output_names[i] == name) return binary_outputs[i];
  }
  return binary_data_output;
}

StatusOr<std::optional<size_t>> ParseInferenceHeaderLength(std::string_view header,
                                                           size_t body_size) {
  if (header.empty()) return std::optional<size_t>();
  size_t length = 0;
  const auto [end, error] = std::from_chars(header.data(), header.data() + header.size(), length);
  if (error != std::errc() || end != header.data() + header.size() || length > body_size) {
    return InvalidArgument(fmt::format(
        "{} is {}: expected the byte length of the JSON header, at most the body's {} bytes",
        kInferenceHeaderLengthHeader, Quoted(header), body_size));
  }
  return std::optional<size_t>(length);
}

StatusOr<KServeInferRequest> DecodeKServeInferRequest(std::string_view body,
                                                      std::optional<size_t> json_length,
                                                      const ModelSignature& signature) {
  if (json_length && *json_length > body.size()) {
    return InvalidArgument(fmt::format("the JSON header length {} exceeds the body's {} bytes",
                                       *json_length, body.size()));
  }
  if (json_length && *json_length == 0) return DecodeRawBinary(body, signature);
  const std::string_view json_text = json_length ? body.substr(0, *json_length) : body;
  BinarySection binary(json_length ? body.substr(*json_length) : std::string_view(),
                       json_length.has_value());
  ASSIGN_OR_RETURN(const JsonDocument document, JsonDocument::Parse(json_text, "the request"));
  const JsonValue request = document.root();
  if (!request.is_object()) {
    return InvalidArgument(
        fmt::format("the request must be a JSON object, got {}", JsonTypeName(request)));
  }
  KServeInferRequest result;
  if (const auto id = JsonField(request, "id")) {
    if (!id->is_string()) {
      return InvalidArgument(fmt::format("\"id\" must be a string, got {}", JsonTypeName(*id)));
    }
    result.id = std::string(id->get_string().value_unsafe());
  }
  ASSIGN_OR_RETURN(const auto parameters, Parameters(request, "the request"));
  ASSIGN_OR_RETURN(result.binary_data_output,
                   OptionalBool(parameters, "binary_data_output", "the request"));
  RETURN_IF_ERROR(DecodeOutputs(request, signature.outputs, &result));
  RETURN_IF_ERROR(DecodeInputs(request, signature.inputs, &binary, body.size(), &result.inputs));
  return result;
}

StatusOr<EncodedKServeReply> EncodeKServeInferReply(const KServeInferReply& reply,
                                                    const KServeInferRequest& request) {
  std::string json = fmt::format(R"({{"model_name":{},"model_version":{})",
                                 Quoted(reply.model_name), Quoted(reply.model_version));
  if (!reply.id.empty()) json += fmt::format(R"(,"id":{})", Quoted(reply.id));
  json += R"(,"outputs":[)";
  std::string binary;
  for (size_t i = 0; i < reply.outputs.size(); ++i) {
    const OutputTensor& output = reply.outputs[i];
    json += fmt::format(R"({}{{"name":{},"datatype":"{}","shape":{})", i > 0 ? "," : "",
                        Quoted(output.name), KServeName(output.dtype), Json(output.shape).dump());
    if (request.BinaryOutput(output.name)) {
      const auto size = static_cast<size_t>(output.bytes.element_count());
      json += fmt::format(R"(,"parameters":{{"binary_data_size":{}}}}})", size);
      if (size > 0) binary.append(static_cast<const char*>(output.bytes.raw_data()), size);
    } else {
      json += R"(,"data":)";
      RETURN_IF_ERROR(AppendJsonData(output, &json));
      json += '}';
    }
  }
  json += "]}";
  EncodedKServeReply encoded;
  bool any_binary =
      std::any_of(reply.outputs.begin(), reply.outputs.end(),
                  [&](const OutputTensor& o) { return request.BinaryOutput(o.name); });
  if (any_binary) encoded.json_length = json.size();
  encoded.body = std::move(json) + binary;
  return encoded;
}

}  // namespace mlos::core
