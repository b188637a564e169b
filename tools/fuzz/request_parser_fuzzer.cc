// libFuzzer target for the inference request decoders, against one fixed signature that has every
// kind of input (FP32 with a fixed dimension, INT64, BYTES, BOOL, FP16 and an input of unknown
// rank). The first byte picks the decoder, the rest is the body:
//   byte % 3 == 0: the MLOS API body (JsonDocument::Parse, then DecodeInferenceInputs);
//   byte % 3 == 1: a KServe v2 JSON request (DecodeKServeInferRequest without a binary section);
//   byte % 3 == 2: a KServe v2 request with Triton's binary framing: the next two bytes
//                  (little-endian) are the JSON header's length, clamped to the body.
// A decoded KServe request is encoded back as a reply (its numeric inputs as outputs, binary or
// JSON as asked), so the reply encoder sees the same tensors. Every input must end in a Status,
// never a crash, a hang or an allocation the body does not justify. Build and run: run.sh.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/api/inference_request.h"
#include "core/api/kserve/kserve_tensors.h"

namespace {

using mlos::DataType;
using mlos::Shape;
using mlos::core::TensorSpec;

const mlos::core::ModelSignature& Signature() {
  static const mlos::core::ModelSignature signature{
      {TensorSpec{"x", DataType::kFloat32, Shape{-1, 3}},
       TensorSpec{"ids", DataType::kInt64, Shape{-1}},
       TensorSpec{"text", DataType::kString, Shape{-1}},
       TensorSpec{"flag", DataType::kBool, Shape{2}},
       TensorSpec{"half", DataType::kFloat16, Shape{1, -1}},
       TensorSpec{"any", DataType::kUInt8, std::nullopt}},
      {TensorSpec{"y", DataType::kFloat32, Shape{-1, 3}},
       TensorSpec{"z", DataType::kInt64, Shape{-1}}}};
  return signature;
}

void EncodeBack(const mlos::core::KServeInferRequest& request) {
  mlos::core::KServeInferReply reply{"fuzz/model", "1", request.id, {}};
  for (const auto& input : request.inputs) {
    const mlos::Tensor& tensor = input.tensor;
    if (tensor.dtype() == DataType::kString) continue;
    mlos::Tensor bytes(DataType::kUInt8, {static_cast<int64_t>(tensor.byte_size())});
    if (tensor.byte_size() > 0)
      std::memcpy(bytes.raw_data(), tensor.raw_data(), tensor.byte_size());
    reply.outputs.push_back({input.name, tensor.dtype(), tensor.shape(), bytes});
  }
  (void)mlos::core::EncodeKServeInferReply(reply, request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 3;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 0) {
    const auto json = mlos::core::JsonDocument::Parse(body, "request body");
    if (json.ok()) (void)mlos::core::DecodeInferenceInputs(json->root(), Signature().inputs);
    return 0;
  }
  std::optional<size_t> json_length;
  if (mode == 2) {
    if (body.size() < 2) return 0;
    const size_t length = static_cast<uint8_t>(body[0]) | (static_cast<uint8_t>(body[1]) << 8);
    body.remove_prefix(2);
    json_length = std::min(length, body.size());
  }
  auto request = mlos::core::DecodeKServeInferRequest(body, json_length, Signature());
  if (request.ok()) EncodeBack(*request);
  return 0;
}
