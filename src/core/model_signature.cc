#include "core/model_signature.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace mlos::core {
namespace {

StatusOr<std::vector<TensorSpec>> SpecsFromSmi(const smi_io_desc* descs, uint32_t count,
                                               const char* kind) {
  std::vector<TensorSpec> specs;
  for (uint32_t i = 0; i < count; ++i) {
    const smi_io_desc& desc = descs[i];
    const char* name = desc.name != nullptr ? desc.name : "";
    const auto dtype = DataTypeFromCode(desc.dtype);
    if (!dtype) {
      return Unimplemented(fmt::format("{} '{}': datatype code {} is not supported by MLOS", kind,
                                       name, desc.dtype));
    }
    TensorSpec spec{name, *dtype, std::nullopt};
    if (desc.rank >= 0) spec.shape = Shape(desc.shape, desc.shape + desc.rank);
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace

StatusOr<ModelSignature> SignatureFromSmi(const smi_signature& signature) {
  ModelSignature result;
  ASSIGN_OR_RETURN(result.inputs, SpecsFromSmi(signature.inputs, signature.input_count, "input"));
  ASSIGN_OR_RETURN(result.outputs,
                   SpecsFromSmi(signature.outputs, signature.output_count, "output"));
  return result;
}

std::string TensorSpecType(const TensorSpec& spec) {
  return fmt::format("{} {}", KServeName(spec.dtype),
                     spec.shape ? ShapeToString(*spec.shape) : "[any rank]");
}

std::string DescribeTensorSpec(const TensorSpec& spec) {
  return fmt::format("{} ({})", spec.name, TensorSpecType(spec));
}

std::string DescribeTensorSpecs(const std::vector<TensorSpec>& specs) {
  std::vector<std::string> parts;
  for (const auto& spec : specs) parts.push_back(DescribeTensorSpec(spec));
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

const TensorSpec* FindTensorSpec(const std::vector<TensorSpec>& specs, std::string_view name) {
  const auto found = std::find_if(specs.begin(), specs.end(),
                                  [&](const TensorSpec& spec) { return spec.name == name; });
  return found == specs.end() ? nullptr : &*found;
}

nlohmann::json TensorSpecsToJson(const std::vector<TensorSpec>& specs) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& spec : specs) {
    array.push_back({{"name", spec.name},
                     {"datatype", KServeName(spec.dtype)},
                     {"shape", spec.shape ? nlohmann::json(*spec.shape) : nlohmann::json()}});
  }
  return array;
}

StatusOr<std::vector<TensorSpec>> TensorSpecsFromJson(const nlohmann::json& json,
                                                      const std::string& what) {
  try {
    std::vector<TensorSpec> specs;
    for (const auto& item : json) {
      TensorSpec spec;
      spec.name = item.at("name").get<std::string>();
      const auto dtype = ParseDataType(item.at("datatype").get<std::string>());
      if (!dtype)
        return InvalidArgument(fmt::format("{}: unknown datatype in '{}'", what, spec.name));
      spec.dtype = *dtype;
      if (!item.at("shape").is_null()) spec.shape = item.at("shape").get<Shape>();
      specs.push_back(std::move(spec));
    }
    return specs;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(fmt::format("{}: malformed tensor list: {}", what, e.what()));
  }
}

}  // namespace mlos::core
