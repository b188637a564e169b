#include "core/api/inference_response.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/api/float16.h"

namespace mlos::core {
namespace {

std::string Quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <typename T, typename Convert>
void AppendNumbers(const std::byte* data, int64_t count, Convert convert, fmt::memory_buffer* out) {
  for (int64_t i = 0; i < count; ++i) {
    T raw;
    std::memcpy(&raw, data + i * sizeof(T), sizeof(T));
    if (i > 0) out->push_back(',');
    const auto value = convert(raw);
    if constexpr (std::is_floating_point_v<decltype(value)>) {
      if (!std::isfinite(value)) {
        fmt::format_to(std::back_inserter(*out), "null");
        continue;
      }
    }
    fmt::format_to(std::back_inserter(*out), "{}", value);
  }
}

template <typename T>
void AppendPlain(const std::byte* data, int64_t count, fmt::memory_buffer* out) {
  // int8/uint8 print as numbers, not characters.
  AppendNumbers<T>(
      data, count, [](T v) { return +v; }, out);
}

Status AppendStrings(const OutputTensor& output, fmt::memory_buffer* out) {
  const auto* data = static_cast<const std::byte*>(output.bytes.raw_data());
  const auto size = static_cast<uint64_t>(output.bytes.element_count());
  uint64_t offset = 0;
  for (int64_t i = 0; i < ElementCount(output.shape); ++i) {
    uint32_t length = 0;
    if (offset + 4 > size) {
      return Internal(
          fmt::format("output '{}': BYTES data ends before element {}", output.name, i));
    }
    std::memcpy(&length, data + offset, 4);
    offset += 4;
    if (offset + length > size) {
      return Internal(
          fmt::format("output '{}': BYTES element {} runs past the data", output.name, i));
    }
    if (i > 0) out->push_back(',');
    const std::string element(reinterpret_cast<const char*>(data + offset), length);
    offset += length;
    const std::string quoted = Quoted(element);
    out->append(quoted.data(), quoted.data() + quoted.size());
  }
  return Status::Ok();
}

}  // namespace

Status AppendJsonData(const OutputTensor& output, std::string* json) {
  fmt::memory_buffer out;
  out.push_back('[');
  const auto* data = static_cast<const std::byte*>(output.bytes.raw_data());
  const int64_t count = ElementCount(output.shape);
  switch (output.dtype) {
    case DataType::kFloat32:
      AppendPlain<float>(data, count, &out);
      break;
    case DataType::kFloat64:
      AppendPlain<double>(data, count, &out);
      break;
    case DataType::kFloat16:
      AppendNumbers<uint16_t>(data, count, HalfToFloat, &out);
      break;
    case DataType::kBFloat16:
      AppendNumbers<uint16_t>(data, count, BFloat16ToFloat, &out);
      break;
    case DataType::kInt8:
      AppendPlain<int8_t>(data, count, &out);
      break;
    case DataType::kInt16:
      AppendPlain<int16_t>(data, count, &out);
      break;
    case DataType::kInt32:
      AppendPlain<int32_t>(data, count, &out);
      break;
    case DataType::kInt64:
      AppendPlain<int64_t>(data, count, &out);
      break;
    case DataType::kUInt8:
      AppendPlain<uint8_t>(data, count, &out);
      break;
    case DataType::kUInt16:
      AppendPlain<uint16_t>(data, count, &out);
      break;
    case DataType::kUInt32:
      AppendPlain<uint32_t>(data, count, &out);
      break;
    case DataType::kUInt64:
      AppendPlain<uint64_t>(data, count, &out);
      break;
    case DataType::kBool:
      AppendNumbers<uint8_t>(
          data, count, [](uint8_t v) { return v != 0; }, &out);
      break;
    case DataType::kString:
      RETURN_IF_ERROR(AppendStrings(output, &out));
      break;
    case DataType::kInvalid:
      return Internal(fmt::format("output '{}' has no datatype", output.name));
  }
  out.push_back(']');
  json->append(out.data(), out.size());
  return Status::Ok();
}

StatusOr<std::string> EncodeInferenceReply(const InferenceReply& reply, bool include_outputs) {
  std::string json =
      fmt::format(R"({{"status":"success","model_id":{},"model_version":{},"inference_time_us":{},)"
                  R"("queue_time_us":{},"outputs":{{)",
                  Quoted(reply.model_id), Quoted(reply.model_version), reply.inference_time_us,
                  reply.queue_time_us);
  int64_t output_size = 0;
  for (size_t i = 0; i < reply.outputs.size(); ++i) {
    const OutputTensor& output = reply.outputs[i];
    json +=
        fmt::format(R"({}{}:{{"datatype":"{}","shape":{})", i > 0 ? "," : "", Quoted(output.name),
                    KServeName(output.dtype), nlohmann::json(output.shape).dump());
    if (include_outputs) {
      json += R"(,"data":)";
      RETURN_IF_ERROR(AppendJsonData(output, &json));
    }
    json += '}';
    output_size += output.bytes.element_count();
  }
  json += fmt::format(R"(}},"output_size":{}}})", output_size);
  return json;
}

}  // namespace mlos::core
