// ModelSignature: a model's declared inputs and outputs as Core keeps them, copied out of the
// plugin's smi_signature (whose memory belongs to the loaded model) so they outlive the load.
//
// JSON form (used by the registry and the HTTP API):
//   [{"name":"input_ids","datatype":"INT64","shape":[-1,-1]}, ...]
// `datatype` is the KServe name; -1 marks a dynamic dimension; an unknown rank is "shape":null.
// Plain data, no synchronisation.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "mlos/smi.h"

namespace mlos::core {

struct TensorSpec {
  std::string name;
  DataType dtype = DataType::kInvalid;
  std::optional<Shape> shape;  // nullopt: rank unknown
};

struct ModelSignature {
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
};

// Fails on a datatype MLOS does not know, naming the tensor.
StatusOr<ModelSignature> SignatureFromSmi(const smi_signature& signature);

// "FP32 [-1, 3]" for error messages; an unknown rank reads "[any rank]".
std::string TensorSpecType(const TensorSpec& spec);
// "x (FP32 [-1, 3])".
std::string DescribeTensorSpec(const TensorSpec& spec);
// Every spec described, comma-separated; "none" when there is none.
std::string DescribeTensorSpecs(const std::vector<TensorSpec>& specs);
// The spec called `name`, or nullptr.
const TensorSpec* FindTensorSpec(const std::vector<TensorSpec>& specs, std::string_view name);

nlohmann::json TensorSpecsToJson(const std::vector<TensorSpec>& specs);
// `what` names the JSON in errors ("registry row 'ns/m@v' inputs").
StatusOr<std::vector<TensorSpec>> TensorSpecsFromJson(const nlohmann::json& json,
                                                      const std::string& what);

}  // namespace mlos::core
