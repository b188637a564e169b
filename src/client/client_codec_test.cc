// libmlos-client's wire codecs against hand-built frames: the IPC INFER request layout, replies
// good and hostile, KServe binary replies, and URL parsing.
#include <gtest/gtest.h>

#include <cstring>

#include "client/http_connection.h"
#include "client/ipc_infer_codec.h"
#include "client/kserve_infer_codec.h"
#include "mlos/ipc.h"
#include "mlos/smi.h"

namespace mlos::client {
namespace {

template <typename T>
void Put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void PutString(std::string* out, const std::string& text) {
  Put<uint16_t>(out, static_cast<uint16_t>(text.size()));
  out->append(text);
}

std::string Join(const std::vector<std::string_view>& parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

TEST(IpcInferCodec, RequestFollowsTheDocumentedLayout) {
  const float data[2] = {1.5f, -2.0f};
  const int64_t shape[2] = {1, 2};
  mlos_tensor tensor{"x", SMI_DTYPE_FLOAT32, 2, shape, data, sizeof(data), nullptr, 0};
  std::vector<std::string> storage;
  std::vector<std::string_view> parts;
  std::string error;
  ASSERT_TRUE(
      EncodeIpcInferRequest("local/m@1", {{&tensor, 0}}, {"y"}, nullptr, &storage, &parts, &error))
      << error;
  std::string expected;
  PutString(&expected, "local/m@1");
  Put<uint32_t>(&expected, 0);  // flags
  Put<uint16_t>(&expected, 1);  // inputs
  PutString(&expected, "x");
  Put<uint8_t>(&expected, SMI_DTYPE_FLOAT32);
  Put<uint8_t>(&expected, 2);
  Put<int64_t>(&expected, 1);
  Put<int64_t>(&expected, 2);
  Put<uint8_t>(&expected, MLOS_IPC_INLINE);
  Put<uint64_t>(&expected, sizeof(data));
  expected.append(reinterpret_cast<const char*>(data), sizeof(data));
  Put<uint16_t>(&expected, 1);  // outputs
  PutString(&expected, "y");
  EXPECT_EQ(Join(parts), expected);
  // The tensor bytes are sent from where the caller holds them.
  bool referenced = false;
  for (std::string_view part : parts)
    referenced |= part.data() == reinterpret_cast<const char*>(data);
  EXPECT_TRUE(referenced);
}

TEST(IpcInferCodec, RegionInputsAndOutputWindow) {
  const int64_t shape[1] = {4};
  mlos_region* fake = reinterpret_cast<mlos_region*>(1);  // only compared with nullptr
  mlos_tensor tensor{"x", SMI_DTYPE_INT64, 1, shape, nullptr, 32, fake, 128};
  const IpcOutputWindow window{7, 256, 1024};
  std::vector<std::string> storage;
  std::vector<std::string_view> parts;
  std::string error;
  ASSERT_TRUE(EncodeIpcInferRequest("m", {{&tensor, 7}}, {}, &window, &storage, &parts, &error));
  std::string expected;
  PutString(&expected, "m");
  Put<uint32_t>(&expected, MLOS_IPC_OUTPUTS_TO_REGION);
  Put<uint32_t>(&expected, 7);
  Put<uint64_t>(&expected, 256);
  Put<uint64_t>(&expected, 1024);
  Put<uint16_t>(&expected, 1);
  PutString(&expected, "x");
  Put<uint8_t>(&expected, SMI_DTYPE_INT64);
  Put<uint8_t>(&expected, 1);
  Put<int64_t>(&expected, 4);
  Put<uint8_t>(&expected, MLOS_IPC_REGION);
  Put<uint32_t>(&expected, 7);
  Put<uint64_t>(&expected, 128);
  Put<uint64_t>(&expected, 32);
  Put<uint16_t>(&expected, 0);
  EXPECT_EQ(Join(parts), expected);
}

TEST(IpcInferCodec, RefusesTensorsItCannotDescribe) {
  const int64_t shape[1] = {1};
  mlos_tensor no_name{nullptr, SMI_DTYPE_FLOAT32, 1, shape, shape, 4, nullptr, 0};
  mlos_tensor too_deep{"x", SMI_DTYPE_FLOAT32, 17, shape, shape, 4, nullptr, 0};
  mlos_tensor no_data{"x", SMI_DTYPE_FLOAT32, 1, shape, nullptr, 4, nullptr, 0};
  for (const mlos_tensor* tensor : {&no_name, &too_deep, &no_data}) {
    std::vector<std::string> storage;
    std::vector<std::string_view> parts;
    std::string error;
    EXPECT_FALSE(EncodeIpcInferRequest("m", {{tensor, 0}}, {}, nullptr, &storage, &parts, &error));
    EXPECT_NE(error.find("input 0"), std::string::npos) << error;
  }
}

std::string ReplyWithOneOutput(uint8_t placement, uint64_t byte_size, const std::string& bytes) {
  std::string body;
  Put<int64_t>(&body, 11);  // queue µs
  Put<int64_t>(&body, 22);  // compute µs
  Put<uint16_t>(&body, 1);
  PutString(&body, "y");
  Put<uint8_t>(&body, SMI_DTYPE_FLOAT32);
  Put<uint8_t>(&body, 1);
  Put<int64_t>(&body, 2);
  Put<uint8_t>(&body, placement);
  if (placement == MLOS_IPC_REGION) {
    Put<uint32_t>(&body, 3);
    Put<uint64_t>(&body, 64);
    Put<uint64_t>(&body, byte_size);
  } else {
    Put<uint64_t>(&body, byte_size);
    body += bytes;
  }
  return body;
}

TEST(IpcInferCodec, DecodesInlineAndRegionOutputs) {
  const float values[2] = {0.25f, 4.0f};
  const std::string bytes(reinterpret_cast<const char*>(values), sizeof(values));
  const std::string body = ReplyWithOneOutput(MLOS_IPC_INLINE, 8, bytes);
  IpcInferReply reply;
  std::string error;
  ASSERT_TRUE(DecodeIpcInferReply(body, {}, &reply, &error)) << error;
  EXPECT_EQ(reply.queue_us, 11);
  EXPECT_EQ(reply.compute_us, 22);
  ASSERT_EQ(reply.outputs.size(), 1u);
  EXPECT_EQ(reply.outputs[0].name, "y");
  EXPECT_EQ(reply.outputs[0].shape, std::vector<int64_t>{2});
  EXPECT_EQ(std::memcmp(reply.outputs[0].data, values, 8), 0);

  std::string region(128, '\0');
  const auto resolve = [&](uint32_t id) {
    return id == 3 ? std::string_view(region) : std::string_view();
  };
  ASSERT_TRUE(
      DecodeIpcInferReply(ReplyWithOneOutput(MLOS_IPC_REGION, 8, ""), resolve, &reply, &error))
      << error;
  EXPECT_EQ(reply.outputs[0].data, region.data() + 64);
}

TEST(IpcInferCodec, RefusesHostileReplies) {
  std::string region(100, '\0');
  const auto resolve = [&](uint32_t id) {
    return id == 3 ? std::string_view(region) : std::string_view();
  };
  const std::string good = ReplyWithOneOutput(MLOS_IPC_INLINE, 8, std::string(8, 'x'));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good.substr(0, 10), "shorter than its fixed fields"},
      {good.substr(0, good.size() - 1), "run past the end"},
      {good + "x", "bytes after its last output"},
      {ReplyWithOneOutput(MLOS_IPC_INLINE, uint64_t{1} << 62, ""), "run past the end"},
      {ReplyWithOneOutput(MLOS_IPC_REGION, 64, ""), "outside region 3"},  // 64 + 64 > 100
      {ReplyWithOneOutput(MLOS_IPC_REGION, UINT64_MAX, ""), "outside region 3"},
      {ReplyWithOneOutput(9, 0, ""), "unknown placement 9"},
  };
  for (const auto& [body, message] : cases) {
    IpcInferReply reply;
    std::string error;
    EXPECT_FALSE(DecodeIpcInferReply(body, resolve, &reply, &error)) << message;
    EXPECT_NE(error.find(message), std::string::npos) << error;
  }
}

TEST(KServeInferCodec, HeaderAsksForBinaryTensorsBothWays) {
  const int64_t shape[2] = {1, 3};
  const float data[3] = {1, 2, 3};
  mlos_tensor tensor{"x", SMI_DTYPE_FLOAT32, 2, shape, data, sizeof(data), nullptr, 0};
  std::string header;
  std::string error;
  ASSERT_TRUE(EncodeKServeInferHeader(&tensor, 1, {"y"}, &header, &error)) << error;
  EXPECT_NE(header.find(R"("binary_data_size":12)"), std::string::npos) << header;
  EXPECT_NE(header.find(R"("datatype":"FP32")"), std::string::npos) << header;
  EXPECT_NE(header.find(R"("binary_data":true)"), std::string::npos) << header;
  EXPECT_NE(header.find(R"("shape":[1,3])"), std::string::npos) << header;
}

TEST(KServeInferCodec, DecodesBinaryRepliesAndRefusesBadOnes) {
  const std::string json =
      R"({"model_name":"m","outputs":[{"name":"y","datatype":"INT64","shape":[2],)"
      R"("parameters":{"binary_data_size":16}}]})";
  std::string body = json;
  Put<int64_t>(&body, 5);
  Put<int64_t>(&body, -6);
  std::map<std::string, std::string> headers = {
      {"inference-header-content-length", std::to_string(json.size())}};
  std::vector<WireOutput> outputs;
  std::string error;
  ASSERT_TRUE(DecodeKServeInferReply(headers, body, &outputs, &error)) << error;
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].dtype, SMI_DTYPE_INT64);
  int64_t second = 0;  // the reply places it unaligned, as a real one may
  std::memcpy(&second, static_cast<const char*>(outputs[0].data) + 8, sizeof(second));
  EXPECT_EQ(second, -6);

  EXPECT_FALSE(DecodeKServeInferReply(headers, body.substr(0, body.size() - 1), &outputs, &error));
  EXPECT_NE(error.find("run past the end"), std::string::npos) << error;
  headers["inference-header-content-length"] = "99999";
  EXPECT_FALSE(DecodeKServeInferReply(headers, body, &outputs, &error));
  EXPECT_NE(error.find("Inference-Header-Content-Length"), std::string::npos) << error;
}

TEST(KServeInferCodec, ModelIdsBecomeOnePathSegment) {
  EXPECT_EQ(PathSegment("local/mlp@1"), "local%2Fmlp%401");
}

TEST(HttpUrl, Parses) {
  EXPECT_EQ(ParseHttpUrl("http://127.0.0.1:8080")->port, 8080);
  EXPECT_EQ(ParseHttpUrl("http://localhost/")->port, 80);
  EXPECT_EQ(ParseHttpUrl("http://[::1]:9000")->host, "::1");
  EXPECT_FALSE(ParseHttpUrl("https://x"));
  EXPECT_FALSE(ParseHttpUrl("http://x:0"));
  EXPECT_FALSE(ParseHttpUrl("http://x:99999"));
  EXPECT_FALSE(ParseHttpUrl("http://x/path"));
}

}  // namespace
}  // namespace mlos::client
