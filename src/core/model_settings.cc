#include "core/model_settings.h"

#include <fmt/format.h>

#include <limits>

namespace mlos::core {
namespace {

using Json = nlohmann::json;

template <typename T>
Status ReadInteger(const Json& json, const char* key, T min, T max, const std::string& what,
                   T* out) {
  const auto found = json.find(key);
  if (found == json.end()) return Status::Ok();
  if (!found->is_number_integer() || found->get<int64_t>() < static_cast<int64_t>(min) ||
      found->get<int64_t>() > static_cast<int64_t>(max)) {
    return InvalidArgument(fmt::format("{}: \"{}\" must be an integer from {} to {}, got {}", what,
                                       key, min, max, found->dump()));
  }
  *out = static_cast<T>(found->get<int64_t>());
  return Status::Ok();
}

}  // namespace

StatusOr<ModelSettings> ParseModelSettings(const Json& json, const ModelSettings& defaults,
                                           const std::string& what) {
  if (!json.is_object()) {
    return InvalidArgument(
        fmt::format("{}: settings must be a JSON object, got {}", what, json.type_name()));
  }
  ModelSettings settings = defaults;
  constexpr int64_t kForever = std::numeric_limits<int64_t>::max() / 1'000'000;
  RETURN_IF_ERROR(ReadInteger<int64_t>(json, "keep_alive_s", -1, kForever, what,
                                       &settings.keep_alive_s));
  RETURN_IF_ERROR(ReadInteger(json, "instances", 1, 256, what, &settings.instances));
  RETURN_IF_ERROR(ReadInteger(json, "max_queue", 0, 1'000'000, what, &settings.max_queue));
  RETURN_IF_ERROR(ReadInteger(json, "max_batch_size", 0, 1'000'000, what,
                              &settings.max_batch_size));
  RETURN_IF_ERROR(ReadInteger<int64_t>(json, "max_queue_delay_us", 0, 60'000'000, what,
                                       &settings.max_queue_delay_us));
  RETURN_IF_ERROR(ReadInteger<int64_t>(json, "timeout_ms", 0, kForever, what,
                                       &settings.timeout_ms));
  if (const auto load = json.find("load"); load != json.end()) {
    if (!load->is_boolean()) {
      return InvalidArgument(
          fmt::format("{}: \"load\" must be true or false, got {}", what, load->dump()));
    }
    settings.load = load->get<bool>();
  }
  for (const auto& [key, value] : json.items()) {
    if (key != "keep_alive_s" && key != "instances" && key != "max_queue" &&
        key != "max_batch_size" && key != "max_queue_delay_us" && key != "timeout_ms" &&
        key != "load") {
      settings.plugin[key] = value;
    }
  }
  return settings;
}

Json ModelSettingsToJson(const ModelSettings& settings) {
  Json json = settings.plugin.is_object() ? settings.plugin : Json::object();
  json["keep_alive_s"] = settings.keep_alive_s;
  json["instances"] = settings.instances;
  json["max_queue"] = settings.max_queue;
  json["max_batch_size"] = settings.max_batch_size;
  json["max_queue_delay_us"] = settings.max_queue_delay_us;
  json["timeout_ms"] = settings.timeout_ms;
  json["load"] = settings.load;
  return json;
}

}  // namespace mlos::core
