#include "core/api/grpc/grpc_tensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include "core/api/tensor_bytes.h"

namespace mlos::core {
namespace {

using inference::InferParameter;
using inference::InferTensorContents;
using inference::ModelInferRequest;

// The InferTensorContents field that carries `dtype`; nullptr for FP16 and BF16, which have none.
const char* ContentsFieldName(DataType dtype) {
  switch (dtype) {
    case DataType::kBool:
      return "bool_contents";
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
      return "int_contents";
    case DataType::kInt64:
      return "int64_contents";
    case DataType::kUInt8:
    case DataType::kUInt16:
    case DataType::kUInt32:
      return "uint_contents";
    case DataType::kUInt64:
      return "uint64_contents";
    case DataType::kFloat32:
      return "fp32_contents";
    case DataType::kFloat64:
      return "fp64_contents";
    case DataType::kString:
      return "bytes_contents";
    case DataType::kFloat16:
    case DataType::kBFloat16:
    case DataType::kInvalid:
      break;
  }
  return nullptr;
}

struct ContentsField {
  const char* name;
  int size;
};

std::array<ContentsField, 8> ContentsFields(const InferTensorContents& contents) {
  return {{{"bool_contents", contents.bool_contents_size()},
           {"int_contents", contents.int_contents_size()},
           {"int64_contents", contents.int64_contents_size()},
           {"uint_contents", contents.uint_contents_size()},
           {"uint64_contents", contents.uint64_contents_size()},
           {"fp32_contents", contents.fp32_contents_size()},
           {"fp64_contents", contents.fp64_contents_size()},
           {"bytes_contents", contents.bytes_contents_size()}}};
}

bool HasContents(const ModelInferRequest::InferInputTensor& input) {
  if (!input.has_contents()) return false;
  const auto fields = ContentsFields(input.contents());
  return std::any_of(fields.begin(), fields.end(), [](const ContentsField& f) { return f.size; });
}

// Copies typed values into `tensor`'s elements of type T, refusing values outside T.
template <typename T, typename Values>
Status CopyChecked(const Values& values, Tensor* tensor) {
  T* out = tensor->data<T>();
  for (int i = 0; i < values.size(); ++i) {
    const auto value = values.Get(i);
    if (!std::in_range<T>(value)) {
      return InvalidArgument(fmt::format("element {} is {}, outside the range of {}", i, value,
                                         KServeName(tensor->dtype())));
    }
    out[i] = static_cast<T>(value);
  }
  return Status::Ok();
}

template <typename T, typename Values>
void CopyPlain(const Values& values, Tensor* tensor) {
  if (values.size() > 0) std::memcpy(tensor->raw_data(), values.data(), values.size() * sizeof(T));
}

// A tensor of `dtype` and `shape` from the input's typed contents.
StatusOr<Tensor> TensorFromContents(DataType dtype, const Shape& shape,
                                    const InferTensorContents& contents) {
  const char* field = ContentsFieldName(dtype);
  if (field == nullptr) {
    return InvalidArgument(fmt::format(
        "{} has no typed contents field; send the request's inputs in raw_input_contents",
        KServeName(dtype)));
  }
  int given = 0;
  for (const ContentsField& other : ContentsFields(contents)) {
    if (other.name == std::string_view(field)) {
      given = other.size;
    } else if (other.size > 0) {
      return InvalidArgument(fmt::format("contents.{} is given; a {} tensor uses contents.{}",
                                         other.name, KServeName(dtype), field));
    }
  }
  // No allocation before the count matches what the contents hold, so any count may be named.
  ASSIGN_OR_RETURN(const int64_t count,
                   BoundedElementCount(shape, std::numeric_limits<int64_t>::max()));
  if (count != given) {
    return InvalidArgument(fmt::format("shape {} needs {} elements, contents.{} has {}",
                                       ShapeToString(shape), count, field, given));
  }
  Tensor tensor(dtype, shape);
  switch (dtype) {
    case DataType::kBool: {
      auto* out = tensor.data<uint8_t>();
      for (int i = 0; i < given; ++i) out[i] = contents.bool_contents(i) ? 1 : 0;
      break;
    }
    case DataType::kInt8:
      RETURN_IF_ERROR(CopyChecked<int8_t>(contents.int_contents(), &tensor));
      break;
    case DataType::kInt16:
      RETURN_IF_ERROR(CopyChecked<int16_t>(contents.int_contents(), &tensor));
      break;
    case DataType::kInt32:
      CopyPlain<int32_t>(contents.int_contents(), &tensor);
      break;
    case DataType::kInt64:
      CopyPlain<int64_t>(contents.int64_contents(), &tensor);
      break;
    case DataType::kUInt8:
      RETURN_IF_ERROR(CopyChecked<uint8_t>(contents.uint_contents(), &tensor));
      break;
    case DataType::kUInt16:
      RETURN_IF_ERROR(CopyChecked<uint16_t>(contents.uint_contents(), &tensor));
      break;
    case DataType::kUInt32:
      CopyPlain<uint32_t>(contents.uint_contents(), &tensor);
      break;
    case DataType::kUInt64:
      CopyPlain<uint64_t>(contents.uint64_contents(), &tensor);
      break;
    case DataType::kFloat32:
      CopyPlain<float>(contents.fp32_contents(), &tensor);
      break;
    case DataType::kFloat64:
      CopyPlain<double>(contents.fp64_contents(), &tensor);
      break;
    case DataType::kString:
      for (int i = 0; i < given; ++i) tensor.strings()[i] = contents.bytes_contents(i);
      break;
    default:
      break;  // no typed field: refused above
  }
  return tensor;
}

StatusOr<Shape> RequestShape(const ModelInferRequest::InferInputTensor& input) {
  Shape shape(input.shape().begin(), input.shape().end());
  for (const int64_t dimension : shape) {
    if (dimension < 0) {
      return InvalidArgument(
          fmt::format("shape {} has a negative dimension", ShapeToString(shape)));
    }
  }
  return shape;
}

// `raw` is the input's raw_input_contents entry, or nullptr when the request uses contents.
StatusOr<Tensor> DecodeInput(const TensorSpec& spec,
                             const ModelInferRequest::InferInputTensor& input,
                             const std::string* raw) {
  const auto given_dtype = ParseDataType(input.datatype());
  if (!given_dtype || *given_dtype != spec.dtype) {
    return InvalidArgument(fmt::format("datatype \"{}\" given, the model expects {}",
                                       input.datatype(), KServeName(spec.dtype)));
  }
  if (input.parameters().contains("shared_memory_region")) {
    return Unimplemented("the shared memory extension is not supported");
  }
  ASSIGN_OR_RETURN(const Shape shape, RequestShape(input));
  RETURN_IF_ERROR(CheckShapeAgainstDeclared(spec, shape));
  if (raw == nullptr) return TensorFromContents(spec.dtype, shape, input.contents());
  if (HasContents(input)) {
    return InvalidArgument("both contents and raw_input_contents are given");
  }
  ASSIGN_OR_RETURN(const int64_t count, BoundedElementCount(shape, raw->size()));
  return TensorFromSmiBytes(spec.dtype, shape, count, *raw, "raw_input_contents");
}

Status DecodeInputs(const ModelInferRequest& request, const std::vector<TensorSpec>& specs,
                    std::vector<NamedTensor>* out) {
  const bool raw = request.raw_input_contents_size() > 0;
  if (raw && request.raw_input_contents_size() != request.inputs_size()) {
    return InvalidArgument(fmt::format(
        "raw_input_contents has {} entries for {} inputs; it needs one per input, in order",
        request.raw_input_contents_size(), request.inputs_size()));
  }
  out->assign(specs.size(), NamedTensor{});
  for (int i = 0; i < request.inputs_size(); ++i) {
    const ModelInferRequest::InferInputTensor& input = request.inputs(i);
    const TensorSpec* spec = FindTensorSpec(specs, input.name());
    if (spec == nullptr) {
      return InvalidArgument(fmt::format("unknown input '{}'; the model's inputs are: {}",
                                         input.name(), DescribeTensorSpecs(specs)));
    }
    NamedTensor& slot = (*out)[spec - specs.data()];
    if (!slot.name.empty()) {
      return InvalidArgument(fmt::format("input '{}' is given twice", input.name()));
    }
    auto tensor = DecodeInput(*spec, input, raw ? &request.raw_input_contents(i) : nullptr);
    if (!tensor.ok()) {
      return tensor.status().WithContext(
          fmt::format("input '{}' ({})", input.name(), TensorSpecType(*spec)));
    }
    slot = {input.name(), std::move(tensor).value()};
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if ((*out)[i].name.empty()) {
      return InvalidArgument(fmt::format("missing input {}; the model's inputs are: {}",
                                         DescribeTensorSpec(specs[i]), DescribeTensorSpecs(specs)));
    }
  }
  return Status::Ok();
}

Status DecodeOutputs(const ModelInferRequest& request, const std::vector<TensorSpec>& specs,
                     GrpcInferRequest* out) {
  for (const ModelInferRequest::InferRequestedOutputTensor& output : request.outputs()) {
    if (FindTensorSpec(specs, output.name()) == nullptr) {
      return InvalidArgument(
          fmt::format("unknown output '{}' requested; the model's outputs are: {}", output.name(),
                      DescribeTensorSpecs(specs)));
    }
    if (std::find(out->output_names.begin(), out->output_names.end(), output.name()) !=
        out->output_names.end()) {
      return InvalidArgument(fmt::format("output '{}' is requested twice", output.name()));
    }
    for (const char* extension : {"shared_memory_region", "classification"}) {
      if (output.parameters().contains(extension)) {
        return Unimplemented(fmt::format("output '{}': parameter \"{}\" is not supported",
                                         output.name(), extension));
      }
    }
    out->output_names.push_back(output.name());
  }
  return Status::Ok();
}

// The request parameter "binary_data_output": raw outputs unless it is false.
StatusOr<bool> RawOutputs(const ModelInferRequest& request) {
  const auto found = request.parameters().find("binary_data_output");
  if (found == request.parameters().end()) return true;
  if (found->second.parameter_choice_case() != InferParameter::kBoolParam) {
    return InvalidArgument("parameter \"binary_data_output\" must be a bool_param");
  }
  return found->second.bool_param();
}

// Typed outputs need a typed field for every output wanted.
Status CheckTypedOutputs(const GrpcInferRequest& request, const std::vector<TensorSpec>& specs) {
  for (const TensorSpec& spec : specs) {
    const bool wanted = request.output_names.empty() ||
                        std::find(request.output_names.begin(), request.output_names.end(),
                                  spec.name) != request.output_names.end();
    if (wanted && ContentsFieldName(spec.dtype) == nullptr) {
      return InvalidArgument(
          fmt::format("output {} has no typed contents field; ask for raw outputs (leave "
                      "\"binary_data_output\" unset or true)",
                      DescribeTensorSpec(spec)));
    }
  }
  return Status::Ok();
}

template <typename T, typename Field>
void AppendValues(const std::byte* data, int64_t count, Field* field) {
  field->Reserve(static_cast<int>(count));
  for (int64_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, data + i * sizeof(T), sizeof(T));
    field->Add(value);
  }
}

Status EncodeContents(const OutputTensor& output, InferTensorContents* contents) {
  const auto* data = static_cast<const std::byte*>(output.bytes.raw_data());
  const int64_t count = ElementCount(output.shape);
  switch (output.dtype) {
    case DataType::kBool:
      AppendValues<uint8_t>(data, count, contents->mutable_bool_contents());
      break;
    case DataType::kInt8:
      AppendValues<int8_t>(data, count, contents->mutable_int_contents());
      break;
    case DataType::kInt16:
      AppendValues<int16_t>(data, count, contents->mutable_int_contents());
      break;
    case DataType::kInt32:
      AppendValues<int32_t>(data, count, contents->mutable_int_contents());
      break;
    case DataType::kInt64:
      AppendValues<int64_t>(data, count, contents->mutable_int64_contents());
      break;
    case DataType::kUInt8:
      AppendValues<uint8_t>(data, count, contents->mutable_uint_contents());
      break;
    case DataType::kUInt16:
      AppendValues<uint16_t>(data, count, contents->mutable_uint_contents());
      break;
    case DataType::kUInt32:
      AppendValues<uint32_t>(data, count, contents->mutable_uint_contents());
      break;
    case DataType::kUInt64:
      AppendValues<uint64_t>(data, count, contents->mutable_uint64_contents());
      break;
    case DataType::kFloat32:
      AppendValues<float>(data, count, contents->mutable_fp32_contents());
      break;
    case DataType::kFloat64:
      AppendValues<double>(data, count, contents->mutable_fp64_contents());
      break;
    case DataType::kString: {
      const std::string_view bytes(reinterpret_cast<const char*>(data),
                                   static_cast<size_t>(output.bytes.element_count()));
      auto strings = TensorFromSmiBytes(DataType::kString, output.shape, count, bytes, "output");
      if (!strings.ok()) {
        return Internal(fmt::format("output '{}': the plugin's BYTES data is malformed: {}",
                                    output.name, strings.status().message()));
      }
      for (std::string& text : strings->strings()) contents->add_bytes_contents(std::move(text));
      break;
    }
    default:
      return Internal(fmt::format("output '{}' is {}, which has no typed contents field",
                                  output.name, KServeName(output.dtype)));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<GrpcInferRequest> DecodeGrpcInferRequest(const ModelInferRequest& request,
                                                  const ModelSignature& signature) {
  GrpcInferRequest result;
  ASSIGN_OR_RETURN(result.raw_outputs, RawOutputs(request));
  RETURN_IF_ERROR(DecodeOutputs(request, signature.outputs, &result));
  if (!result.raw_outputs) RETURN_IF_ERROR(CheckTypedOutputs(result, signature.outputs));
  RETURN_IF_ERROR(DecodeInputs(request, signature.inputs, &result.inputs));
  return result;
}

Status EncodeGrpcInferOutputs(const std::vector<OutputTensor>& outputs, bool raw_outputs,
                              inference::ModelInferResponse* response) {
  for (const OutputTensor& output : outputs) {
    auto* tensor = response->add_outputs();
    tensor->set_name(output.name);
    tensor->set_datatype(KServeName(output.dtype));
    tensor->mutable_shape()->Add(output.shape.begin(), output.shape.end());
    if (raw_outputs) {
      const auto size = static_cast<size_t>(output.bytes.element_count());
      std::string* raw = response->add_raw_output_contents();
      if (size > 0) raw->assign(static_cast<const char*>(output.bytes.raw_data()), size);
    } else {
      RETURN_IF_ERROR(EncodeContents(output, tensor->mutable_contents()));
    }
  }
  return Status::Ok();
}

}  // namespace mlos::core
