#include "client/kserve_infer_codec.h"

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

namespace mlos::client {

std::string PathSegment(std::string_view model) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : model) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool EncodeKServeInferHeader(const mlos_tensor* inputs, size_t input_count,
                             const std::vector<std::string>& outputs, std::string* header,
                             std::string* error) {
  nlohmann::json request = {{"inputs", nlohmann::json::array()},
                            {"parameters", {{"binary_data_output", true}}}};
  for (size_t i = 0; i < input_count; ++i) {
    const mlos_tensor& tensor = inputs[i];
    const std::string what = "input " + std::to_string(i);
    const auto datatype = KServeName(tensor.dtype);
    if (tensor.name == nullptr || !datatype || tensor.rank < 0 ||
        (tensor.rank > 0 && tensor.shape == nullptr)) {
      *error = what + ": needs a name, a known dtype and a shape";
      return false;
    }
    if (tensor.region != nullptr) {
      *error = what + " ('" + tensor.name + "'): shared-memory regions need an IPC client";
      return false;
    }
    if (tensor.data == nullptr && tensor.byte_size > 0) {
      *error = what + " ('" + tensor.name + "'): has no data";
      return false;
    }
    request["inputs"].push_back(
        {{"name", tensor.name},
         {"datatype", std::string(*datatype)},
         {"shape", std::vector<int64_t>(tensor.shape, tensor.shape + tensor.rank)},
         {"parameters", {{"binary_data_size", tensor.byte_size}}}});
  }
  if (!outputs.empty()) {
    request["outputs"] = nlohmann::json::array();
    for (const std::string& name : outputs) {
      request["outputs"].push_back({{"name", name}, {"parameters", {{"binary_data", true}}}});
    }
  }
  *header = request.dump();
  return true;
}

bool DecodeKServeInferReply(const std::map<std::string, std::string>& headers,
                            std::string_view body, std::vector<WireOutput>* outputs,
                            std::string* error) {
  size_t json_length = body.size();
  if (const auto found = headers.find("inference-header-content-length"); found != headers.end()) {
    const std::string& text = found->second;
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), json_length);
    if (code != std::errc() || end != text.data() + text.size() || json_length > body.size()) {
      *error = "the reply's Inference-Header-Content-Length '" + text + "' is not valid";
      return false;
    }
  }
  const nlohmann::json document =
      nlohmann::json::parse(body.begin(), body.begin() + json_length, nullptr, false);
  if (!document.is_object() || !document.contains("outputs") || !document["outputs"].is_array()) {
    *error = "the reply is not a KServe v2 inference reply";
    return false;
  }
  size_t offset = json_length;
  outputs->clear();
  for (const nlohmann::json& item : document["outputs"]) {
    WireOutput output;
    const auto size = item.value("/parameters/binary_data_size"_json_pointer, nlohmann::json());
    const auto dtype = DtypeFromKServeName(item.value("datatype", ""));
    if (!item.contains("name") || !dtype || !item.contains("shape") || !size.is_number_unsigned()) {
      *error = "reply output '" + item.value("name", "?") +
               "' is not a binary output with a known datatype and shape";
      return false;
    }
    output.name = item["name"].get<std::string>();
    output.dtype = *dtype;
    output.shape = item["shape"].get<std::vector<int64_t>>();
    output.byte_size = size.get<uint64_t>();
    if (output.byte_size > body.size() - offset) {
      *error = "reply output '" + output.name + "': its bytes run past the end of the reply";
      return false;
    }
    output.data = body.data() + offset;
    offset += output.byte_size;
    outputs->push_back(std::move(output));
  }
  return true;
}

}  // namespace mlos::client
