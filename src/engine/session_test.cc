#include "engine/session.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "engine/test_models.h"

namespace mlos::engine {
namespace {

using testing::FloatTensor;
using testing::ModelBuilder;
using testing::TempDir;

// y = Relu(x @ W + b) with x: [N, 3], W: [3, 2], b: [2].
std::string SaveDenseReluModel(const TempDir& dir) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {-1, 3})
      .FloatInitializer("W", {3, 2}, {1, -1, 2, 0, -1, 3})
      .FloatInitializer("b", {2}, {0.5f, -4})
      .Output("y", DataType::kFloat32, {-1, 2});
  builder.Node("MatMul", {"x", "W"}, {"product"}, "matmul");
  builder.Node("Add", {"product", "b"}, {"sum"}, "add");
  builder.Node("Relu", {"sum"}, {"y"}, "relu");
  return builder.Save(dir);
}

std::unique_ptr<Session> LoadOrDie(const std::string& path, int threads = 1) {
  StatusOr<std::unique_ptr<Session>> session = Session::Load(path, {threads});
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return session.ok() ? std::move(session).value() : nullptr;
}

TEST(SessionTest, ReadsSignatureWithDynamicDims) {
  TempDir dir;
  StatusOr<ModelSignature> signature = ReadModelSignature(SaveDenseReluModel(dir));
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  ASSERT_EQ(signature->inputs.size(), 1u);  // W and b are initializers
  EXPECT_EQ(signature->inputs[0].name, "x");
  EXPECT_EQ(signature->inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(signature->inputs[0].shape, (Shape{-1, 3}));
  EXPECT_TRUE(signature->inputs[0].rank_known);
  ASSERT_EQ(signature->outputs.size(), 1u);
  EXPECT_EQ(signature->outputs[0].shape, (Shape{-1, 2}));
  EXPECT_EQ(signature->opset, 13);
  EXPECT_EQ(signature->ir_version, 8);
  EXPECT_EQ(signature->producer, "mlos-test ");
}

TEST(SessionTest, LoadErrors) {
  StatusOr<std::unique_ptr<Session>> missing = Session::Load("/nonexistent.onnx", {});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  TempDir dir;
  dir.Write("corrupt.onnx", "garbage\x01\x02\x03");
  StatusOr<std::unique_ptr<Session>> corrupt = Session::Load(dir.File("corrupt.onnx"), {});
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(corrupt.status().message().find("corrupt.onnx"), std::string::npos);

  ModelBuilder cyclic;
  cyclic.Input("x", DataType::kFloat32, {2}).Output("b", DataType::kFloat32, {2});
  cyclic.Node("Relu", {"b"}, {"a"}, "loop_a");
  cyclic.Node("Relu", {"a"}, {"b"}, "loop_b");
  StatusOr<std::unique_ptr<Session>> cycle = Session::Load(cyclic.Save(dir, "cycle.onnx"), {});
  EXPECT_EQ(cycle.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cycle.status().message().find("cycle.onnx"), std::string::npos);
}

TEST(SessionTest, UnsupportedOpFailsAtLoadNamingNodeOpDomainAndOpset) {
  TempDir dir;
  ModelBuilder builder(13);
  builder.Import("com.example", 2);
  builder.Input("x", DataType::kFloat32, {2}).Output("y", DataType::kFloat32, {2});
  builder.Node("Frobnicate", {"x"}, {"y"}, "frob_1", "com.example");
  const std::string path = builder.Save(dir);
  StatusOr<std::unique_ptr<Session>> session = Session::Load(path, {});
  EXPECT_EQ(session.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(
      session.status().message().find("node 'frob_1' (Frobnicate, domain com.example, opset 2): "),
      std::string::npos)
      << session.status().message();
  EXPECT_NE(session.status().message().find(path), std::string::npos);
}

TEST(SessionTest, RunsMatMulAddReluEndToEnd) {
  TempDir dir;
  std::unique_ptr<Session> session = LoadOrDie(SaveDenseReluModel(dir));
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->memory_bytes(), 8u * sizeof(float));
  // Row 0: [1, 2, 3] @ W = [1+4-3, -1+0+9] = [2, 8]; + b = [2.5, 4]; relu = [2.5, 4].
  // Row 1: [-1, 0, 1] @ W = [-1-1, 1+3] = [-2, 4]; + b = [-1.5, 0]; relu = [0, 0].
  std::vector<NamedTensor> inputs = {{"x", FloatTensor({2, 3}, {1, 2, 3, -1, 0, 1})}};
  StatusOr<std::vector<NamedTensor>> outputs = session->Run(inputs, {});
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  ASSERT_EQ(outputs->size(), 1u);
  const NamedTensor& y = (*outputs)[0];
  EXPECT_EQ(y.name, "y");
  ASSERT_EQ(y.tensor.shape(), (Shape{2, 2}));
  const std::vector<float> expected = {2.5f, 4, 0, 0};
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_FLOAT_EQ(y.tensor.data<float>()[i], expected[i]);
}

TEST(SessionTest, RunRejectsBadInputsAndUnknownOutputs) {
  TempDir dir;
  std::unique_ptr<Session> session = LoadOrDie(SaveDenseReluModel(dir));
  ASSERT_NE(session, nullptr);
  std::vector<NamedTensor> wrong_dtype = {{"x", Tensor(DataType::kInt32, {2, 3})}};
  Status status = session->Run(wrong_dtype, {}).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "input 'x': expected float32 [-1, 3], got int32 [2, 3]");

  std::vector<NamedTensor> inputs = {{"x", FloatTensor({1, 3}, {0, 0, 0})}};
  const std::vector<std::string> unknown = {"logits"};
  status = session->Run(inputs, unknown).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown output 'logits'");
}

TEST(SessionTest, OutputsAreOwnedByTheCaller) {
  TempDir dir;
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2})
      .FloatInitializer("W", {2}, {5, 6})
      .Output("x_out", DataType::kFloat32, {2})
      .Output("W_out", DataType::kFloat32, {2});
  builder.Node("Identity", {"x"}, {"x_out"});
  builder.Node("Identity", {"W"}, {"W_out"});
  std::unique_ptr<Session> session = LoadOrDie(builder.Save(dir));
  ASSERT_NE(session, nullptr);
  const std::vector<NamedTensor> inputs = {{"x", FloatTensor({2}, {1, 2})}};
  StatusOr<std::vector<NamedTensor>> first = session->Run(inputs, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_NE((*first)[0].tensor.raw_data(), inputs[0].tensor.raw_data());
  (*first)[1].tensor.data<float>()[0] = -1;  // must not reach the weights
  const std::vector<std::string> wanted = {"W_out"};
  StatusOr<std::vector<NamedTensor>> second = session->Run(inputs, wanted);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].name, "W_out");
  EXPECT_EQ((*second)[0].tensor.data<float>()[0], 5.0f);
}

TEST(SessionTest, ConcurrentRunsGiveIdenticalResults) {
  TempDir dir;
  std::unique_ptr<Session> session = LoadOrDie(SaveDenseReluModel(dir), 2);
  ASSERT_NE(session, nullptr);
  constexpr int kRows = 512;
  std::vector<float> values(kRows * 3);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 17) - 8.0f;
  const std::vector<NamedTensor> inputs = {{"x", FloatTensor({kRows, 3}, values)}};
  StatusOr<std::vector<NamedTensor>> reference = session->Run(inputs, {});
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  const Tensor& expected = (*reference)[0].tensor;

  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round) {
        StatusOr<std::vector<NamedTensor>> outputs = session->Run(inputs, {});
        if (!outputs.ok() || (*outputs)[0].tensor.shape() != expected.shape() ||
            std::memcmp((*outputs)[0].tensor.raw_data(), expected.raw_data(),
                        expected.byte_size()) != 0) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace mlos::engine
