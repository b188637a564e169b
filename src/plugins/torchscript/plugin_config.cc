#include "plugins/torchscript/plugin_config.h"

#include <nlohmann/json.hpp>

namespace mlos::plugins::torchscript {
namespace {

using nlohmann::json;

StatusOr<json> ParseObject(const std::string& config_json) {
  json config = json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) {
    return InvalidArgument("configuration is not a JSON object: '" + config_json + "'");
  }
  return config;
}

StatusOr<TensorSpec> ParseTensorSpec(const json& entry, const std::string& where) {
  if (!entry.is_object()) return InvalidArgument(where + ": expected an object");
  TensorSpec spec;
  const auto name = entry.find("name");
  if (name == entry.end() || !name->is_string() || name->get<std::string>().empty()) {
    return InvalidArgument(where + ".name: expected a non-empty string");
  }
  spec.name = name->get<std::string>();
  if (const auto datatype = entry.find("datatype"); datatype != entry.end()) {
    const std::optional<DataType> parsed =
        datatype->is_string() ? ParseDataType(datatype->get<std::string>()) : std::nullopt;
    if (!parsed) return InvalidArgument(where + ".datatype: unknown datatype " + datatype->dump());
    spec.dtype = *parsed;
  }
  if (const auto shape = entry.find("shape"); shape != entry.end()) {
    if (!shape->is_array()) return InvalidArgument(where + ".shape: expected a list of integers");
    for (const json& dimension : *shape) {
      if (!dimension.is_number_integer() || dimension.get<int64_t>() < -1) {
        return InvalidArgument(where + ".shape: expected integers >= -1, got " + shape->dump());
      }
      spec.shape.push_back(dimension.get<int64_t>());
    }
    spec.rank_known = true;
  }
  return spec;
}

StatusOr<std::optional<std::vector<TensorSpec>>> ParseTensorSpecs(const json& config,
                                                                  const std::string& key) {
  const auto list = config.find(key);
  if (list == config.end()) return std::optional<std::vector<TensorSpec>>{};
  if (!list->is_array()) return InvalidArgument("configuration: \"" + key + "\" must be a list");
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(TensorSpec spec, ParseTensorSpec((*list)[i], "configuration: " + key + "[" +
                                                                      std::to_string(i) + "]"));
    specs.push_back(std::move(spec));
  }
  return std::optional<std::vector<TensorSpec>>(std::move(specs));
}

}  // namespace

StatusOr<PluginOptions> ParsePluginOptions(const std::string& config_json) {
  ASSIGN_OR_RETURN(json config, ParseObject(config_json));
  PluginOptions options;
  if (const auto threads = config.find("threads"); threads != config.end()) {
    if (!threads->is_number_integer() || threads->get<int64_t>() < 0 ||
        threads->get<int64_t>() > 4096) {
      return InvalidArgument("configuration: \"threads\" must be an integer from 0 to 4096, got " +
                             threads->dump());
    }
    options.threads = threads->get<int>();
  }
  return options;
}

StatusOr<ModelOptions> ParseModelOptions(const std::string& config_json) {
  ASSIGN_OR_RETURN(json config, ParseObject(config_json));
  ModelOptions options;
  if (const auto optimize = config.find("optimize"); optimize != config.end()) {
    const std::string value = optimize->is_string() ? optimize->get<std::string>() : "";
    if (value == "none") {
      options.optimization = Optimization::kNone;
    } else if (value == "freeze") {
      options.optimization = Optimization::kFreeze;
    } else if (value == "inference") {
      options.optimization = Optimization::kOptimizeForInference;
    } else {
      return InvalidArgument(
          "configuration: \"optimize\" must be \"none\", \"freeze\" or \"inference\", got " +
          optimize->dump());
    }
  }
  ASSIGN_OR_RETURN(options.inputs, ParseTensorSpecs(config, "inputs"));
  ASSIGN_OR_RETURN(options.outputs, ParseTensorSpecs(config, "outputs"));
  return options;
}

}  // namespace mlos::plugins::torchscript
