#include "core/api/ipc/ipc_infer.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

namespace mlos::core::ipc {
namespace {

ModelSignature Signature() {
  ModelSignature signature;
  signature.inputs = {{"x", DataType::kFloat32, Shape{-1, 2}}, {"t", DataType::kString, Shape{-1}}};
  signature.outputs = {{"y", DataType::kFloat32, Shape{-1, 2}}};
  return signature;
}

std::string FloatBytes(std::vector<float> values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

TensorDescriptor Inline(std::string name, DataType dtype, Shape shape, std::string_view bytes) {
  TensorDescriptor tensor;
  tensor.name = std::move(name);
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.inline_bytes = bytes;
  return tensor;
}

class IpcInfer : public ::testing::Test {
 protected:
  void SetUp() override {
    body_ =
        std::make_shared<std::string>(FloatBytes({1, 2, 3, 4}) + std::string("\x02\0\0\0hi", 6));
    request_.model = "m";
    request_.inputs = {
        Inline("t", DataType::kString, {1}, std::string_view(*body_).substr(16)),
        Inline("x", DataType::kFloat32, {2, 2}, std::string_view(*body_).substr(0, 16))};
  }

  std::string Error() {
    auto prepared = PrepareInference(request_, body_, Signature(), regions_);
    EXPECT_FALSE(prepared.ok());
    return prepared.ok() ? "" : prepared.status().message();
  }

  std::shared_ptr<std::string> body_;
  InferRequest request_;
  RegionTable regions_;
};

TEST_F(IpcInfer, InputsInDeclaredOrderBorrowedWhenAligned) {
  auto prepared = PrepareInference(request_, body_, Signature(), regions_);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  ASSERT_EQ(prepared->inputs.size(), 2u);
  EXPECT_EQ(prepared->inputs[0].name, "x");
  EXPECT_EQ(prepared->inputs[0].tensor.shape(), (Shape{2, 2}));
  EXPECT_EQ(prepared->inputs[0].tensor.raw_data(), body_->data());  // read in place
  EXPECT_EQ(prepared->inputs[1].tensor.strings(), std::vector<std::string>{"hi"});
}

TEST_F(IpcInfer, NamesTheTensorInErrors) {
  request_.inputs[1].dtype = DataType::kInt32;
  EXPECT_EQ(Error(), "input 'x' (FP32 [-1, 2]): dtype INT32 given, the model expects FP32");
  request_.inputs[1].dtype = DataType::kFloat32;
  request_.inputs[1].shape = {1, 2};
  EXPECT_EQ(Error(), "input 'x' (FP32 [-1, 2]): length is 16, shape [1, 2] of FP32 needs 8 bytes");
  request_.inputs[1].shape = {4, 1};
  EXPECT_NE(Error().find("dimension 1 must be 2"), std::string::npos);
  request_.inputs[1].name = "z";
  EXPECT_NE(Error().find("unknown input 'z'"), std::string::npos);
  request_.inputs.pop_back();
  EXPECT_NE(Error().find("missing input x (FP32 [-1, 2])"), std::string::npos);
}

TEST_F(IpcInfer, RegionReferencesAndOutputWindow) {
  const int fd = ::memfd_create("ipc_infer_test", MFD_CLOEXEC);
  ASSERT_EQ(::ftruncate(fd, 1024), 0);
  ASSERT_EQ(::pwrite(fd, body_->data(), 16, 64), 16);
  auto region = regions_.Register(fd, 1024);
  ASSERT_TRUE(region.ok());
  request_.inputs[1].in_region = true;
  request_.inputs[1].window = {*region, 64, 16};
  request_.flags = MLOS_IPC_OUTPUTS_TO_REGION;
  request_.output_window = {*region, 70, 100};
  EXPECT_NE(Error().find("overlaps an input's bytes [64, 64+16)"), std::string::npos);
  request_.output_window = {*region, 1000, 100};
  EXPECT_EQ(Error(), "output window: bytes [1000, 1000+100) are outside region 1 of 1024 bytes");
  request_.output_window = {*region, 128, 72};
  auto prepared = PrepareInference(request_, body_, Signature(), regions_);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  const auto* x = prepared->inputs[0].tensor.data<float>();
  EXPECT_EQ(x[3], 4.f);

  InferenceOutcome outcome;
  OutputTensor y;
  y.name = "y";
  y.dtype = DataType::kFloat32;
  y.shape = {1, 2};
  y.bytes = Tensor(DataType::kUInt8, {8});
  std::memcpy(y.bytes.raw_data(), FloatBytes({5, 6}).data(), 8);
  outcome.outputs = {y, y};
  outcome.outputs[1].name = "y2";
  auto frame = EncodeInferOutcome(7, outcome, *prepared);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  auto reply = ParseInferReply(std::string_view(*frame).substr(MLOS_IPC_HEADER_SIZE));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->outputs[0].window.offset, 128u);
  EXPECT_EQ(reply->outputs[1].window.offset, 192u);  // the next multiple of 64 from the start
  float written[2] = {};
  std::memcpy(written, prepared->output_span->data + 64, sizeof(written));  // region offset 192
  EXPECT_EQ(written[0], 5.f);
  EXPECT_EQ(written[1], 6.f);

  prepared->output_span->size = 70;  // the two outputs need 64 + 8 bytes
  EXPECT_EQ(EncodeInferOutcome(7, outcome, *prepared).status().message(),
            "the outputs need 72 bytes of the output window (each at a multiple of 64 bytes), "
            "its capacity is 70");
}

}  // namespace
}  // namespace mlos::core::ipc
