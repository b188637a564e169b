// libFuzzer target for the local IPC frame parser (src/core/api/ipc/ipc_frame.h) and the INFER
// preparation behind it (ipc_infer.h). An input is one frame: its first 32 bytes are the header
// (DecodeHeader, CheckRequestHeader against a 1 MiB limit), the rest the body, read as the
// header's op says: INFER bodies go through ParseInferRequest, then PrepareInference against a
// fixed signature (FP32 with a fixed dimension, INT64, BYTES, BOOL, an input of unknown rank) and
// a connection with one 4 KiB shared-memory region (id 1), and a prepared request's inputs are
// encoded back as a reply (into the region when the request asks); op 0 bodies are read as INFER
// replies; the other ops as control JSON bodies. Every input must end in a Status, never a
// crash, a hang or an allocation the frame does not justify. Build and run: run.sh.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/api/ipc/ipc_frame.h"
#include "core/api/ipc/ipc_infer.h"
#include "core/api/ipc/ipc_regions.h"

namespace {

using mlos::DataType;
using mlos::Shape;
using mlos::core::TensorSpec;
namespace ipc = mlos::core::ipc;

const mlos::core::ModelSignature& Signature() {
  static const mlos::core::ModelSignature signature{
      {TensorSpec{"x", DataType::kFloat32, Shape{-1, 3}},
       TensorSpec{"ids", DataType::kInt64, Shape{-1}},
       TensorSpec{"text", DataType::kString, Shape{-1}},
       TensorSpec{"flag", DataType::kBool, Shape{2}},
       TensorSpec{"any", DataType::kUInt8, std::nullopt}},
      {TensorSpec{"y", DataType::kFloat32, Shape{-1, 3}},
       TensorSpec{"z", DataType::kInt64, Shape{-1}}}};
  return signature;
}

// One connection's regions: region 1, 4 KiB of a memfd.
const ipc::RegionTable& Regions() {
  static const ipc::RegionTable* regions = [] {
    auto* table = new ipc::RegionTable();
    const int fd = ::memfd_create("ipc_frame_fuzzer", MFD_CLOEXEC);
    if (fd < 0 || ::ftruncate(fd, 4096) != 0 || !table->Register(fd, 4096).ok()) std::abort();
    return table;
  }();
  return *regions;
}

void FuzzInfer(std::string_view body) {
  auto owned = std::make_shared<const std::string>(body);
  auto request = ipc::ParseInferRequest(*owned);
  if (!request.ok()) return;
  auto prepared = ipc::PrepareInference(*request, owned, Signature(), Regions());
  if (!prepared.ok()) return;
  mlos::core::InferenceOutcome outcome;
  for (const auto& input : prepared->inputs) {
    const mlos::Tensor& tensor = input.tensor;
    if (tensor.dtype() == DataType::kString) continue;
    mlos::Tensor bytes(DataType::kUInt8, {static_cast<int64_t>(tensor.byte_size())});
    if (tensor.byte_size() > 0)
      std::memcpy(bytes.raw_data(), tensor.raw_data(), tensor.byte_size());
    outcome.outputs.push_back({input.name, tensor.dtype(), tensor.shape(), bytes});
  }
  (void)ipc::EncodeInferOutcome(1, outcome, *prepared);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.size() < MLOS_IPC_HEADER_SIZE) return 0;
  const ipc::FrameHeader header = ipc::DecodeHeader(input);
  (void)ipc::CheckRequestHeader(header, uint64_t{1} << 20);
  const std::string_view body = input.substr(MLOS_IPC_HEADER_SIZE);
  if (header.op == MLOS_IPC_OP_INFER) {
    FuzzInfer(body);
  } else if (header.op == 0) {
    (void)ipc::ParseInferReply(body);
  } else if (auto json = ipc::ParseControlBody(body, header.op); json.ok()) {
    (void)ipc::RequiredStringField(*json, "model", header.op);
    (void)ipc::RequiredUnsignedField(*json, "size", header.op);
  }
  return 0;
}
