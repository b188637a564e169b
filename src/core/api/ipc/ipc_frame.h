// The local IPC wire format (docs/ipc.md, include/mlos/ipc.h): frame headers, control-op JSON
// bodies, the binary INFER request and the INFER reply.
//
// Parsing is pure and bounded: nothing is allocated beyond what the bytes given can hold (counts
// are checked against the bytes left before anything is reserved), every length and offset is
// checked without overflow, and every error is InvalidArgument naming the field or tensor
// ("input 2 ('x'): rank 17 is over 16"). Parsed tensors refer to the body's bytes (inline data)
// or to a region window still to be checked against the connection's regions (ipc_regions.h).
// Thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/tensor.h"
#include "mlos/ipc.h"

namespace mlos::core::ipc {

inline constexpr size_t kMaxRank = 16;
inline constexpr uint64_t kOutputAlignment = 64;  // outputs in a region start at multiples of it

struct FrameHeader {
  uint32_t magic = MLOS_IPC_MAGIC;
  uint16_t version = MLOS_IPC_VERSION;
  uint16_t op = 0;
  uint64_t request_id = 0;
  uint32_t status = MLOS_IPC_OK;
  uint32_t flags = 0;
  uint64_t body_length = 0;
};

// Reads the 32 header bytes. REQUIRES: bytes.size() >= MLOS_IPC_HEADER_SIZE.
FrameHeader DecodeHeader(std::string_view bytes);
// Appends the 32 header bytes to *out.
void AppendHeader(const FrameHeader& header, std::string* out);

// Why a request header cannot be served; after any of these the stream is no longer trusted and
// the server closes the connection once it has sent `status` with `message`.
struct HeaderRejection {
  uint32_t status = MLOS_IPC_OK;  // UNSUPPORTED (magic, version) or TOO_LARGE
  std::string message;
};
// nullopt when the header can be served (the op is not checked here: an unknown op is answered
// UNSUPPORTED and the connection stays open).
std::optional<HeaderRejection> CheckRequestHeader(const FrameHeader& header,
                                                  uint64_t max_body_length);

// A whole reply frame: header (op and id of the request, `status`) and `body`.
std::string EncodeReplyFrame(uint16_t op, uint64_t request_id, uint32_t status,
                             std::string_view body);

// "HEALTH", "INFER", ...; "op 42" for unknown ops.
std::string OpName(uint16_t op);
bool IsKnownOp(uint16_t op);

// A control op's JSON body: an empty body is {}; anything but an object is refused.
StatusOr<nlohmann::json> ParseControlBody(std::string_view body, uint16_t op);
// The string field `key` of a control body, required and non-empty.
StatusOr<std::string> RequiredStringField(const nlohmann::json& body, const char* key, uint16_t op);
// The unsigned integer field `key` of a control body, required.
StatusOr<uint64_t> RequiredUnsignedField(const nlohmann::json& body, const char* key, uint16_t op);

// [offset, offset + length) of a registered region.
struct RegionWindow {
  uint32_t region = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct TensorDescriptor {
  std::string name;
  DataType dtype = DataType::kInvalid;
  Shape shape;
  bool in_region = false;
  std::string_view inline_bytes;  // !in_region: a view into the parsed body
  RegionWindow window{};          // in_region
};

struct InferRequest {
  std::string model;
  uint32_t flags = 0;
  RegionWindow output_window{};  // with MLOS_IPC_OUTPUTS_TO_REGION; `length` is the capacity
  std::vector<TensorDescriptor> inputs;
  std::vector<std::string> outputs;  // empty: all, in declared order

  bool outputs_to_region() const { return (flags & MLOS_IPC_OUTPUTS_TO_REGION) != 0; }
};

// Parses an INFER request body. The result's inline_bytes point into `body`.
StatusOr<InferRequest> ParseInferRequest(std::string_view body);

// One output as the reply describes it: inline bytes, or a window of the client's region.
struct ReplyTensor {
  std::string_view name;
  DataType dtype = DataType::kInvalid;
  const Shape* shape = nullptr;
  bool in_region = false;
  std::string_view inline_bytes;
  RegionWindow window{};
};

// The whole INFER reply frame (status OK).
std::string EncodeInferReplyFrame(uint64_t request_id, int64_t queue_time_us,
                                  int64_t compute_time_us, const std::vector<ReplyTensor>& outputs);

// Parses an INFER reply body (for tests and tools; the server only encodes replies). Inline bytes
// point into `body`.
struct InferReply {
  int64_t queue_time_us = 0;
  int64_t compute_time_us = 0;
  std::vector<TensorDescriptor> outputs;
};
StatusOr<InferReply> ParseInferReply(std::string_view body);

}  // namespace mlos::core::ipc
