#include "core/api/ipc/ipc_frame.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

namespace mlos::core::ipc {
namespace {

// Builds INFER bodies field by field, as a client would.
class BodyWriter {
 public:
  template <typename T>
  BodyWriter& Value(T value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(value));
    return *this;
  }
  BodyWriter& String(std::string_view text) {
    Value<uint16_t>(static_cast<uint16_t>(text.size()));
    bytes_.append(text);
    return *this;
  }
  BodyWriter& Raw(std::string_view bytes) {
    bytes_.append(bytes);
    return *this;
  }
  // name, dtype, rank, dims, then the placement written by the caller
  BodyWriter& TensorHead(std::string_view name, uint8_t dtype, const std::vector<int64_t>& dims) {
    String(name).Value<uint8_t>(dtype).Value<uint8_t>(static_cast<uint8_t>(dims.size()));
    for (int64_t d : dims) Value(d);
    return *this;
  }
  BodyWriter& Inline(std::string_view bytes) {
    Value<uint8_t>(MLOS_IPC_INLINE).Value<uint64_t>(bytes.size()).Raw(bytes);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

std::string FloatBytes(std::vector<float> values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

// model "m", no flags, one FP32 input "x" [1, 2] inline, output names.
BodyWriter SimpleRequest() {
  BodyWriter body;
  body.String("m").Value<uint32_t>(0).Value<uint16_t>(1);
  body.TensorHead("x", 1, {1, 2}).Inline(FloatBytes({1.5f, -2.f}));
  return body;
}

TEST(IpcFrame, HeaderRoundTrips) {
  FrameHeader header;
  header.op = MLOS_IPC_OP_INFER;
  header.request_id = 0x0102030405060708;
  header.status = MLOS_IPC_NOT_FOUND;
  header.body_length = 99;
  std::string bytes;
  AppendHeader(header, &bytes);
  ASSERT_EQ(bytes.size(), MLOS_IPC_HEADER_SIZE);
  EXPECT_EQ(bytes.substr(0, 4), "MLOS");
  const FrameHeader back = DecodeHeader(bytes);
  EXPECT_EQ(back.op, MLOS_IPC_OP_INFER);
  EXPECT_EQ(back.request_id, header.request_id);
  EXPECT_EQ(back.status, MLOS_IPC_NOT_FOUND);
  EXPECT_EQ(back.body_length, 99u);
  EXPECT_FALSE(CheckRequestHeader(back, 100).has_value());
}

TEST(IpcFrame, RefusesBadMagicVersionAndLength) {
  FrameHeader header;
  header.magic = 0x12345678;
  auto rejection = CheckRequestHeader(header, 100);
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->status, MLOS_IPC_UNSUPPORTED);
  EXPECT_NE(rejection->message.find("bad magic 0x12345678"), std::string::npos);

  header = FrameHeader{};
  header.version = 2;
  rejection = CheckRequestHeader(header, 100);
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->status, MLOS_IPC_UNSUPPORTED);
  EXPECT_NE(rejection->message.find("version 2"), std::string::npos);

  header = FrameHeader{};
  header.body_length = std::numeric_limits<uint64_t>::max();
  rejection = CheckRequestHeader(header, 100);
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->status, MLOS_IPC_TOO_LARGE);
}

TEST(IpcFrame, ParsesAnInlineRequest) {
  BodyWriter body = SimpleRequest();
  body.Value<uint16_t>(1).String("y");
  auto request = ParseInferRequest(body.bytes());
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->model, "m");
  ASSERT_EQ(request->inputs.size(), 1u);
  const TensorDescriptor& x = request->inputs[0];
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.dtype, DataType::kFloat32);
  EXPECT_EQ(x.shape, (Shape{1, 2}));
  EXPECT_FALSE(x.in_region);
  EXPECT_EQ(x.inline_bytes, FloatBytes({1.5f, -2.f}));
  EXPECT_EQ(request->outputs, std::vector<std::string>{"y"});
  EXPECT_FALSE(request->outputs_to_region());
}

TEST(IpcFrame, ParsesRegionPlacementsAndTheOutputWindow) {
  BodyWriter body;
  body.String("ns/m@1").Value<uint32_t>(MLOS_IPC_OUTPUTS_TO_REGION);
  body.Value<uint32_t>(3).Value<uint64_t>(128).Value<uint64_t>(4096);
  body.Value<uint16_t>(1).TensorHead("x", 7, {4});
  body.Value<uint8_t>(MLOS_IPC_REGION).Value<uint32_t>(2).Value<uint64_t>(64).Value<uint64_t>(32);
  body.Value<uint16_t>(0);
  auto request = ParseInferRequest(body.bytes());
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_TRUE(request->outputs_to_region());
  EXPECT_EQ(request->output_window.region, 3u);
  EXPECT_EQ(request->output_window.offset, 128u);
  EXPECT_EQ(request->output_window.length, 4096u);
  const TensorDescriptor& x = request->inputs[0];
  EXPECT_TRUE(x.in_region);
  EXPECT_EQ(x.dtype, DataType::kInt64);
  EXPECT_EQ(x.window.region, 2u);
  EXPECT_EQ(x.window.offset, 64u);
  EXPECT_EQ(x.window.length, 32u);
}

std::string ParseError(const std::string& body) {
  auto request = ParseInferRequest(body);
  EXPECT_FALSE(request.ok());
  if (request.ok()) return "";
  EXPECT_EQ(request.status().code(), StatusCode::kInvalidArgument);
  return request.status().message();
}

TEST(IpcFrame, RefusesTruncatedBodiesAtEveryLength) {
  BodyWriter body = SimpleRequest();
  body.Value<uint16_t>(1).String("y");
  const std::string& whole = body.bytes();
  for (size_t length = 0; length < whole.size(); ++length) {
    EXPECT_FALSE(ParseInferRequest(whole.substr(0, length)).ok()) << "length " << length;
  }
  EXPECT_EQ(ParseError(""), "model needs 2 bytes at body offset 0, only 0 remain");
}

TEST(IpcFrame, RefusesLengthsPastTheEnd) {
  BodyWriter body;
  body.String("m").Value<uint32_t>(0).Value<uint16_t>(1).TensorHead("x", 1, {2});
  body.Value<uint8_t>(MLOS_IPC_INLINE).Value<uint64_t>(std::numeric_limits<uint64_t>::max());
  body.Raw(FloatBytes({1, 2}));
  const std::string message = ParseError(body.bytes());
  EXPECT_NE(message.find("input 0 ('x'): inline bytes needs 18446744073709551615 bytes"),
            std::string::npos)
      << message;

  BodyWriter long_name;
  long_name.Value<uint16_t>(500).Raw("abc");
  EXPECT_NE(ParseError(long_name.bytes()).find("model needs 500 bytes"), std::string::npos);
}

TEST(IpcFrame, RefusesHugeCountsBeforeAllocating) {
  BodyWriter inputs;
  inputs.String("m").Value<uint32_t>(0).Value<uint16_t>(65535);
  EXPECT_EQ(ParseError(inputs.bytes()), "input count is 65535, but only 0 bytes of body remain");

  BodyWriter outputs;
  outputs.String("m").Value<uint32_t>(0).Value<uint16_t>(0).Value<uint16_t>(60000).String("y");
  EXPECT_EQ(ParseError(outputs.bytes()), "output count is 60000, but only 3 bytes of body remain");
}

TEST(IpcFrame, RefusesBadTensorDescriptors) {
  BodyWriter rank;
  rank.String("m").Value<uint32_t>(0).Value<uint16_t>(1).TensorHead("x", 1, {});
  std::string rank_bytes = rank.bytes();
  rank_bytes.back() = 17;  // the rank byte
  rank_bytes.append(17 * 8 + 9 + 2, '\0');
  EXPECT_EQ(ParseError(rank_bytes), "input 0 ('x'): rank 17 is over 16");

  BodyWriter negative;
  negative.String("m").Value<uint32_t>(0).Value<uint16_t>(1).TensorHead("x", 1, {2, -3});
  negative.Inline("").Value<uint16_t>(0);
  EXPECT_EQ(ParseError(negative.bytes()),
            "input 0 ('x'): dimension 1 is -3; dimensions must be >= 0");

  BodyWriter dtype;
  dtype.String("m").Value<uint32_t>(0).Value<uint16_t>(1).TensorHead("x", 99, {1});
  dtype.Inline("abcd").Value<uint16_t>(0);
  EXPECT_EQ(ParseError(dtype.bytes()), "input 0 ('x'): dtype 99 is not an SMI data type");

  BodyWriter placement;
  placement.String("m").Value<uint32_t>(0).Value<uint16_t>(1).TensorHead("x", 1, {1});
  placement.Value<uint8_t>(7).Value<uint16_t>(0);
  EXPECT_EQ(ParseError(placement.bytes()),
            "input 0 ('x'): placement 7 is neither 0 (inline) nor 1 (region)");
}

TEST(IpcFrame, RefusesRegionOffsetsThatOverflow) {
  BodyWriter input;
  input.String("m").Value<uint32_t>(0).Value<uint16_t>(1).TensorHead("x", 1, {1});
  input.Value<uint8_t>(MLOS_IPC_REGION).Value<uint32_t>(1);
  input.Value<uint64_t>(std::numeric_limits<uint64_t>::max() - 1).Value<uint64_t>(4);
  input.Value<uint16_t>(0);
  EXPECT_EQ(ParseError(input.bytes()),
            "input 0 ('x'): region reference: offset 18446744073709551614 + length 4 overflows");

  BodyWriter window;
  window.String("m").Value<uint32_t>(MLOS_IPC_OUTPUTS_TO_REGION).Value<uint32_t>(1);
  window.Value<uint64_t>(1).Value<uint64_t>(std::numeric_limits<uint64_t>::max());
  window.Value<uint16_t>(0).Value<uint16_t>(0);
  EXPECT_NE(ParseError(window.bytes()).find("output window: offset 1 + capacity"),
            std::string::npos);
}

TEST(IpcFrame, RefusesUnknownFlagsAndTrailingBytes) {
  BodyWriter flags;
  flags.String("m").Value<uint32_t>(6).Value<uint16_t>(0).Value<uint16_t>(0);
  EXPECT_NE(ParseError(flags.bytes()).find("flags 0x6 has unknown bits"), std::string::npos);

  BodyWriter trailing = SimpleRequest();
  trailing.Value<uint16_t>(0).Raw("xyz");
  EXPECT_EQ(ParseError(trailing.bytes()), "the body has 3 bytes after the last output name");
}

TEST(IpcFrame, ReplyRoundTrips) {
  const Shape shape{2};
  const std::string data = FloatBytes({3, 4});
  std::vector<ReplyTensor> outputs(2);
  outputs[0] = {"y", DataType::kFloat32, &shape, false, data, {}};
  outputs[1] = {"z", DataType::kFloat32, &shape, true, {}, {5, 128, 8}};
  const std::string frame = EncodeInferReplyFrame(42, 7, 9, outputs);
  const FrameHeader header = DecodeHeader(frame);
  EXPECT_EQ(header.op, MLOS_IPC_OP_INFER);
  EXPECT_EQ(header.request_id, 42u);
  ASSERT_EQ(header.body_length, frame.size() - MLOS_IPC_HEADER_SIZE);
  auto reply = ParseInferReply(std::string_view(frame).substr(MLOS_IPC_HEADER_SIZE));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->queue_time_us, 7);
  EXPECT_EQ(reply->compute_time_us, 9);
  ASSERT_EQ(reply->outputs.size(), 2u);
  EXPECT_EQ(reply->outputs[0].inline_bytes, data);
  EXPECT_TRUE(reply->outputs[1].in_region);
  EXPECT_EQ(reply->outputs[1].window.offset, 128u);
}

TEST(IpcFrame, ControlBodies) {
  auto empty = ParseControlBody("", MLOS_IPC_OP_HEALTH);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->is_object());
  EXPECT_EQ(ParseControlBody("[1]", MLOS_IPC_OP_LOAD).status().message(),
            "LOAD: the body must be a JSON object, got array");
  EXPECT_EQ(ParseControlBody("{", MLOS_IPC_OP_LOAD).status().message(),
            "LOAD: the body is not valid JSON");
  auto body = ParseControlBody(R"({"model": 3, "size": -1})", MLOS_IPC_OP_LOAD);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(RequiredStringField(*body, "model", MLOS_IPC_OP_LOAD).status().message(),
            "LOAD: \"model\" must be a non-empty string, got 3");
  EXPECT_EQ(RequiredUnsignedField(*body, "size", MLOS_IPC_OP_REGISTER_REGION).status().message(),
            "REGISTER_REGION: \"size\" must be a non-negative integer, got -1");
  EXPECT_EQ(OpName(77), "op 77");
}

}  // namespace
}  // namespace mlos::core::ipc
