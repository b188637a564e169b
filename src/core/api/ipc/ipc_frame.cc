#include "core/api/ipc/ipc_frame.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <limits>

namespace mlos::core::ipc {
namespace {

static_assert(std::endian::native == std::endian::little,
              "IPC frames are little-endian and read and written as they are");

using Json = nlohmann::json;

// The smallest encodings, which bound how many items the remaining bytes can hold.
constexpr size_t kMinStringBytes = sizeof(uint16_t);
// name, dtype, rank, placement, inline length
constexpr size_t kMinTensorBytes = kMinStringBytes + 1 + 1 + 1 + sizeof(uint64_t);

// Reads a body front to back; each read names its field in the error when the body ends early.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) : body_(body) {}

  size_t remaining() const { return body_.size() - position_; }
  size_t position() const { return position_; }

  template <typename T>
  StatusOr<T> Read(std::string_view field) {
    T value{};
    if (remaining() < sizeof(T)) return Truncated(field, sizeof(T));
    std::memcpy(&value, body_.data() + position_, sizeof(T));
    position_ += sizeof(T);
    return value;
  }

  StatusOr<std::string_view> ReadBytes(uint64_t length, std::string_view field) {
    if (remaining() < length) return Truncated(field, length);
    std::string_view bytes = body_.substr(position_, length);
    position_ += length;
    return bytes;
  }

  StatusOr<std::string> ReadString(std::string_view field) {
    ASSIGN_OR_RETURN(const uint16_t length, Read<uint16_t>(field));
    ASSIGN_OR_RETURN(const std::string_view bytes, ReadBytes(length, field));
    return std::string(bytes);
  }

 private:
  Status Truncated(std::string_view field, uint64_t needed) const {
    return InvalidArgument(fmt::format("{} needs {} bytes at body offset {}, only {} remain", field,
                                       needed, position_, remaining()));
  }

  std::string_view body_;
  size_t position_ = 0;
};

StatusOr<RegionWindow> ReadWindow(BodyReader& reader, std::string_view what,
                                  std::string_view length_name) {
  RegionWindow window;
  ASSIGN_OR_RETURN(window.region, reader.Read<uint32_t>(fmt::format("{} region", what)));
  ASSIGN_OR_RETURN(window.offset, reader.Read<uint64_t>(fmt::format("{} offset", what)));
  ASSIGN_OR_RETURN(window.length, reader.Read<uint64_t>(fmt::format("{} {}", what, length_name)));
  if (window.length > std::numeric_limits<uint64_t>::max() - window.offset) {
    return InvalidArgument(fmt::format("{}: offset {} + {} {} overflows", what, window.offset,
                                       length_name, window.length));
  }
  return window;
}

Status CheckCount(uint64_t count, size_t min_item_bytes, const BodyReader& reader,
                  std::string_view what) {
  if (count > reader.remaining() / min_item_bytes) {
    return InvalidArgument(
        fmt::format("{} is {}, but only {} bytes of body remain", what, count, reader.remaining()));
  }
  return Status::Ok();
}

Status ReadTensorInto(BodyReader& reader, TensorDescriptor* tensor) {
  ASSIGN_OR_RETURN(const uint8_t code, reader.Read<uint8_t>("dtype"));
  const auto dtype = DataTypeFromCode(code);
  if (!dtype || *dtype == DataType::kInvalid) {
    return InvalidArgument(fmt::format("dtype {} is not an SMI data type", code));
  }
  tensor->dtype = *dtype;
  ASSIGN_OR_RETURN(const uint8_t rank, reader.Read<uint8_t>("rank"));
  if (rank > kMaxRank) {
    return InvalidArgument(fmt::format("rank {} is over {}", rank, kMaxRank));
  }
  tensor->shape.resize(rank);
  for (uint8_t i = 0; i < rank; ++i) {
    ASSIGN_OR_RETURN(tensor->shape[i], reader.Read<int64_t>(fmt::format("dimension {}", i)));
    if (tensor->shape[i] < 0) {
      return InvalidArgument(
          fmt::format("dimension {} is {}; dimensions must be >= 0", i, tensor->shape[i]));
    }
  }
  ASSIGN_OR_RETURN(const uint8_t placement, reader.Read<uint8_t>("placement"));
  if (placement == MLOS_IPC_INLINE) {
    ASSIGN_OR_RETURN(const uint64_t length, reader.Read<uint64_t>("inline length"));
    ASSIGN_OR_RETURN(tensor->inline_bytes, reader.ReadBytes(length, "inline bytes"));
    return Status::Ok();
  }
  if (placement == MLOS_IPC_REGION) {
    tensor->in_region = true;
    ASSIGN_OR_RETURN(tensor->window, ReadWindow(reader, "region reference", "length"));
    return Status::Ok();
  }
  return InvalidArgument(
      fmt::format("placement {} is neither 0 (inline) nor 1 (region)", placement));
}

// Tensors `count` times; `kind` is "input" or "output" for errors.
Status ReadTensors(BodyReader& reader, uint16_t count, std::string_view kind,
                   std::vector<TensorDescriptor>* out) {
  RETURN_IF_ERROR(CheckCount(count, kMinTensorBytes, reader, fmt::format("{} count", kind)));
  out->resize(count);
  for (uint16_t i = 0; i < count; ++i) {
    TensorDescriptor& tensor = (*out)[i];
    auto name = reader.ReadString("name");
    if (!name.ok()) return name.status().WithContext(fmt::format("{} {}", kind, i));
    tensor.name = std::move(*name);
    if (Status status = ReadTensorInto(reader, &tensor); !status.ok()) {
      return status.WithContext(fmt::format("{} {} ('{}')", kind, i, tensor.name));
    }
  }
  return Status::Ok();
}

void Append(std::string* out, const void* data, size_t size) {
  out->append(static_cast<const char*>(data), size);
}
template <typename T>
void AppendValue(std::string* out, T value) {
  Append(out, &value, sizeof(value));
}

const char* const kOpNames[] = {"",     "HEALTH", "LIST",  "METADATA",        "REGISTER",
                                "LOAD", "UNLOAD", "INFER", "REGISTER_REGION", "UNREGISTER_REGION"};

}  // namespace

FrameHeader DecodeHeader(std::string_view bytes) {
  FrameHeader header;
  const char* p = bytes.data();
  std::memcpy(&header.magic, p, 4);
  std::memcpy(&header.version, p + 4, 2);
  std::memcpy(&header.op, p + 6, 2);
  std::memcpy(&header.request_id, p + 8, 8);
  std::memcpy(&header.status, p + 16, 4);
  std::memcpy(&header.flags, p + 20, 4);
  std::memcpy(&header.body_length, p + 24, 8);
  return header;
}

void AppendHeader(const FrameHeader& header, std::string* out) {
  AppendValue(out, header.magic);
  AppendValue(out, header.version);
  AppendValue(out, header.op);
  AppendValue(out, header.request_id);
  AppendValue(out, header.status);
  AppendValue(out, header.flags);
  AppendValue(out, header.body_length);
}

std::optional<HeaderRejection> CheckRequestHeader(const FrameHeader& header,
                                                  uint64_t max_body_length) {
  if (header.magic != MLOS_IPC_MAGIC) {
    return HeaderRejection{MLOS_IPC_UNSUPPORTED,
                           fmt::format("bad magic 0x{:08X}, expected 0x{:08X} (\"MLOS\"); closing "
                                       "the connection",
                                       header.magic, MLOS_IPC_MAGIC)};
  }
  if (header.version != MLOS_IPC_VERSION) {
    return HeaderRejection{MLOS_IPC_UNSUPPORTED,
                           fmt::format("protocol version {} is not supported, this server speaks "
                                       "{}; closing the connection",
                                       header.version, MLOS_IPC_VERSION)};
  }
  if (header.body_length > max_body_length) {
    return HeaderRejection{MLOS_IPC_TOO_LARGE,
                           fmt::format("body_length {} is over the server's limit of {} bytes "
                                       "(--max-request-bytes); closing the connection",
                                       header.body_length, max_body_length)};
  }
  return std::nullopt;
}

std::string EncodeReplyFrame(uint16_t op, uint64_t request_id, uint32_t status,
                             std::string_view body) {
  std::string frame;
  frame.reserve(MLOS_IPC_HEADER_SIZE + body.size());
  FrameHeader header;
  header.op = op;
  header.request_id = request_id;
  header.status = status;
  header.body_length = body.size();
  AppendHeader(header, &frame);
  frame.append(body);
  return frame;
}

bool IsKnownOp(uint16_t op) {
  return op >= MLOS_IPC_OP_HEALTH && op <= MLOS_IPC_OP_UNREGISTER_REGION;
}

std::string OpName(uint16_t op) {
  return IsKnownOp(op) ? std::string(kOpNames[op]) : fmt::format("op {}", op);
}

StatusOr<Json> ParseControlBody(std::string_view body, uint16_t op) {
  if (body.empty()) return Json::object();
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return InvalidArgument(fmt::format("{}: the body is not valid JSON", OpName(op)));
  }
  if (!json.is_object()) {
    return InvalidArgument(
        fmt::format("{}: the body must be a JSON object, got {}", OpName(op), json.type_name()));
  }
  return json;
}

StatusOr<std::string> RequiredStringField(const Json& body, const char* key, uint16_t op) {
  const auto field = body.find(key);
  if (field == body.end()) {
    return InvalidArgument(fmt::format("{}: \"{}\" is missing", OpName(op), key));
  }
  if (!field->is_string() || field->get_ref<const std::string&>().empty()) {
    return InvalidArgument(
        fmt::format("{}: \"{}\" must be a non-empty string, got {}", OpName(op), key,
                    field->dump(-1, ' ', false, Json::error_handler_t::replace)));
  }
  return field->get<std::string>();
}

StatusOr<uint64_t> RequiredUnsignedField(const Json& body, const char* key, uint16_t op) {
  const auto field = body.find(key);
  if (field == body.end()) {
    return InvalidArgument(fmt::format("{}: \"{}\" is missing", OpName(op), key));
  }
  if (!field->is_number_unsigned()) {
    return InvalidArgument(
        fmt::format("{}: \"{}\" must be a non-negative integer, got {}", OpName(op), key,
                    field->dump(-1, ' ', false, Json::error_handler_t::replace)));
  }
  return field->get<uint64_t>();
}

StatusOr<InferRequest> ParseInferRequest(std::string_view body) {
  BodyReader reader(body);
  InferRequest request;
  ASSIGN_OR_RETURN(request.model, reader.ReadString("model"));
  ASSIGN_OR_RETURN(request.flags, reader.Read<uint32_t>("flags"));
  if ((request.flags & ~uint32_t{MLOS_IPC_OUTPUTS_TO_REGION}) != 0) {
    return InvalidArgument(
        fmt::format("flags 0x{:X} has unknown bits; only bit 0 "
                    "(OUTPUTS_TO_REGION) is defined",
                    request.flags));
  }
  if (request.outputs_to_region()) {
    ASSIGN_OR_RETURN(request.output_window, ReadWindow(reader, "output window", "capacity"));
  }
  ASSIGN_OR_RETURN(const uint16_t input_count, reader.Read<uint16_t>("input count"));
  RETURN_IF_ERROR(ReadTensors(reader, input_count, "input", &request.inputs));
  ASSIGN_OR_RETURN(const uint16_t output_count, reader.Read<uint16_t>("output count"));
  RETURN_IF_ERROR(CheckCount(output_count, kMinStringBytes, reader, "output count"));
  request.outputs.resize(output_count);
  for (uint16_t i = 0; i < output_count; ++i) {
    ASSIGN_OR_RETURN(request.outputs[i], reader.ReadString(fmt::format("output name {}", i)));
  }
  if (reader.remaining() != 0) {
    return InvalidArgument(
        fmt::format("the body has {} bytes after the last output name", reader.remaining()));
  }
  return request;
}

std::string EncodeInferReplyFrame(uint64_t request_id, int64_t queue_time_us,
                                  int64_t compute_time_us,
                                  const std::vector<ReplyTensor>& outputs) {
  size_t body_size = 2 * sizeof(int64_t) + sizeof(uint16_t);
  for (const ReplyTensor& output : outputs) {
    body_size += kMinTensorBytes + output.name.size() + output.shape->size() * sizeof(int64_t) +
                 (output.in_region ? 20 : output.inline_bytes.size());
  }
  std::string frame;
  frame.reserve(MLOS_IPC_HEADER_SIZE + body_size);
  FrameHeader header;
  header.op = MLOS_IPC_OP_INFER;
  header.request_id = request_id;
  AppendHeader(header, &frame);
  AppendValue(&frame, queue_time_us);
  AppendValue(&frame, compute_time_us);
  AppendValue(&frame, static_cast<uint16_t>(outputs.size()));
  for (const ReplyTensor& output : outputs) {
    AppendValue(&frame, static_cast<uint16_t>(output.name.size()));
    frame.append(output.name);
    AppendValue(&frame, static_cast<uint8_t>(output.dtype));
    AppendValue(&frame, static_cast<uint8_t>(output.shape->size()));
    for (const int64_t dimension : *output.shape) AppendValue(&frame, dimension);
    if (output.in_region) {
      AppendValue(&frame, static_cast<uint8_t>(MLOS_IPC_REGION));
      AppendValue(&frame, output.window.region);
      AppendValue(&frame, output.window.offset);
      AppendValue(&frame, output.window.length);
    } else {
      AppendValue(&frame, static_cast<uint8_t>(MLOS_IPC_INLINE));
      AppendValue(&frame, static_cast<uint64_t>(output.inline_bytes.size()));
      frame.append(output.inline_bytes);
    }
  }
  const uint64_t body_length = frame.size() - MLOS_IPC_HEADER_SIZE;
  std::memcpy(frame.data() + 24, &body_length, sizeof(body_length));
  return frame;
}

StatusOr<InferReply> ParseInferReply(std::string_view body) {
  BodyReader reader(body);
  InferReply reply;
  ASSIGN_OR_RETURN(reply.queue_time_us, reader.Read<int64_t>("queue time"));
  ASSIGN_OR_RETURN(reply.compute_time_us, reader.Read<int64_t>("compute time"));
  ASSIGN_OR_RETURN(const uint16_t count, reader.Read<uint16_t>("output count"));
  RETURN_IF_ERROR(ReadTensors(reader, count, "output", &reply.outputs));
  if (reader.remaining() != 0) {
    return InvalidArgument(
        fmt::format("the reply has {} bytes after the last output", reader.remaining()));
  }
  return reply;
}

}  // namespace mlos::core::ipc
