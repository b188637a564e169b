// Tests the ONNX plugin only through its SMI function table, as Core uses it.
#include "plugins/onnx/onnx_plugin.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>

#include "engine/test_models.h"

namespace mlos::plugins::onnx {
namespace {

using engine::testing::ModelBuilder;
using engine::testing::TempDir;

// y = Relu(x + b) with x: float32 [-1, 2], b = [1, -1].
std::string SaveAddReluModel(const TempDir& dir) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {-1, 2})
      .FloatInitializer("b", {2}, {1, -1})
      .Output("y", DataType::kFloat32, {-1, 2});
  builder.Node("Add", {"x", "b"}, {"sum"});
  builder.Node("Relu", {"sum"}, {"y"});
  return builder.Save(dir);
}

// Host side of a request: owns the output buffers the plugin asks for.
struct HostOutputs {
  struct Output {
    smi_dtype dtype;
    std::vector<int64_t> shape;
    std::vector<float> values;  // big enough for the float32 outputs these tests use
  };
  std::map<std::string, Output> by_name;

  smi_allocator allocator() {
    return {this,
            [](void* context, const char* name, smi_dtype dtype, int32_t rank, const int64_t* shape,
               uint64_t byte_size) -> void* {
              Output& output = static_cast<HostOutputs*>(context)->by_name[name];
              output = {dtype, std::vector<int64_t>(shape, shape + rank),
                        std::vector<float>(byte_size / sizeof(float) + 1)};
              return output.values.data();
            }};
  }
};

class OnnxPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_ = mlos_onnx_plugin_init(SMI_VERSION_MAJOR, SMI_VERSION_MINOR);
    ASSERT_NE(api_, nullptr);
    ASSERT_EQ(api_->plugin_create("{}", &plugin_, &error_), SMI_OK) << error_.message;
  }
  void TearDown() override {
    if (model_ != nullptr) api_->model_unload(model_);
    if (plugin_ != nullptr) api_->plugin_destroy(plugin_);
  }

  smi_status Load(const std::string& path, const char* config = "{}") {
    return api_->model_load(plugin_, path.c_str(), config, &model_, &error_);
  }

  const smi_plugin_api* api_ = nullptr;
  smi_plugin* plugin_ = nullptr;
  smi_model* model_ = nullptr;
  smi_error error_{};
  TempDir dir_;
};

TEST_F(OnnxPluginTest, DescribesItself) {
  EXPECT_EQ(api_->abi_major, 1u);
  EXPECT_EQ(api_->struct_size, sizeof(smi_plugin_api));
  EXPECT_STREQ(api_->id, "onnx");
  EXPECT_STREQ(api_->execution_formats[0], "onnx");
  EXPECT_EQ(api_->execution_formats[1], nullptr);
  EXPECT_NE(api_->model_memory_bytes, nullptr);
  EXPECT_EQ(mlos_onnx_plugin_init(SMI_VERSION_MAJOR + 1, 0), nullptr);
}

TEST_F(OnnxPluginTest, LoadsReportsSignatureAndRuns) {
  SaveAddReluModel(dir_);
  ASSERT_EQ(Load(dir_.path().string(), R"({"threads": 2})"), SMI_OK) << error_.message;
  smi_signature signature{};
  ASSERT_EQ(api_->model_signature(model_, &signature, &error_), SMI_OK) << error_.message;
  ASSERT_EQ(signature.input_count, 1u);
  EXPECT_STREQ(signature.inputs[0].name, "x");
  EXPECT_EQ(signature.inputs[0].dtype, SMI_DTYPE_FLOAT32);
  ASSERT_EQ(signature.inputs[0].rank, 2);
  EXPECT_EQ(signature.inputs[0].shape[0], -1);
  EXPECT_EQ(signature.inputs[0].shape[1], 2);
  ASSERT_EQ(signature.output_count, 1u);
  EXPECT_STREQ(signature.outputs[0].name, "y");
  EXPECT_EQ(api_->model_memory_bytes(model_), 2 * sizeof(float));

  const float x[] = {1, 2, -3, 0.5f};
  const int64_t shape[] = {2, 2};
  const smi_tensor_view input{"x", SMI_DTYPE_FLOAT32, 2, shape, x, sizeof(x)};
  HostOutputs host;
  const smi_request request{1, &input, 0, nullptr, host.allocator()};
  smi_error errors[1];
  ASSERT_EQ(api_->model_execute(model_, &request, 1, errors), SMI_OK) << errors[0].message;
  EXPECT_EQ(errors[0].code, SMI_OK);
  const HostOutputs::Output& y = host.by_name.at("y");
  EXPECT_EQ(y.dtype, SMI_DTYPE_FLOAT32);
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(std::vector<float>(y.values.begin(), y.values.begin() + 4),
            (std::vector<float>{2, 1, 0, 0}));
}

TEST_F(OnnxPluginTest, BadPathIsNotFound) {
  const std::string path = dir_.File("nowhere");
  EXPECT_EQ(Load(path), SMI_ERR_NOT_FOUND);
  EXPECT_EQ(error_.code, SMI_ERR_NOT_FOUND);
  EXPECT_NE(std::strstr(error_.message, path.c_str()), nullptr) << error_.message;
  EXPECT_EQ(model_, nullptr);
}

TEST_F(OnnxPluginTest, BadModelIsInvalidArgument) {
  dir_.Write("model.onnx", "definitely not protobuf \xff\xff");
  EXPECT_EQ(Load(dir_.File("model.onnx")), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "not a valid ONNX model"), nullptr) << error_.message;
  EXPECT_EQ(model_, nullptr);
  SaveAddReluModel(dir_);
  EXPECT_EQ(Load(dir_.path().string(), R"({"threads": "many"})"), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "threads"), nullptr) << error_.message;
}

TEST_F(OnnxPluginTest, ErrorsLandInTheirRequestsSlot) {
  ASSERT_EQ(Load(SaveAddReluModel(dir_)), SMI_OK) << error_.message;
  const float x[] = {1, 2};
  const int32_t ints[] = {1, 2};
  const int64_t shape[] = {1, 2};
  const smi_tensor_view good{"x", SMI_DTYPE_FLOAT32, 2, shape, x, sizeof(x)};
  const smi_tensor_view wrong_dtype{"x", SMI_DTYPE_INT32, 2, shape, ints, sizeof(ints)};
  HostOutputs first, second, third;
  const smi_request requests[] = {{1, &good, 0, nullptr, first.allocator()},
                                  {1, &wrong_dtype, 0, nullptr, second.allocator()},
                                  {1, &good, 0, nullptr, third.allocator()}};
  smi_error errors[3];
  EXPECT_EQ(api_->model_execute(model_, requests, 3, errors), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(errors[0].code, SMI_OK);
  EXPECT_EQ(errors[1].code, SMI_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(errors[1].message, "input 'x': expected float32 [-1, 2], got int32 [1, 2]");
  EXPECT_EQ(errors[2].code, SMI_OK);
  EXPECT_EQ(first.by_name.at("y").values[0], 2.0f);
  EXPECT_TRUE(second.by_name.empty());
  EXPECT_EQ(third.by_name.at("y").values[0], 2.0f);
}

TEST_F(OnnxPluginTest, LongMessagesAreTruncatedSafely) {
  ASSERT_EQ(Load(SaveAddReluModel(dir_)), SMI_OK) << error_.message;
  const std::string long_name(3000, 'n');
  const float x[] = {1, 2};
  const int64_t shape[] = {1, 2};
  const smi_tensor_view input{long_name.c_str(), SMI_DTYPE_FLOAT32, 2, shape, x, sizeof(x)};
  HostOutputs host;
  const smi_request request{1, &input, 0, nullptr, host.allocator()};
  smi_error error;
  EXPECT_EQ(api_->model_execute(model_, &request, 1, &error), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(std::strlen(error.message), SMI_ERROR_MESSAGE_CAPACITY - 1);
  EXPECT_EQ(api_->model_execute(model_, &request, 1, nullptr), SMI_ERR_INVALID_ARGUMENT);
}

TEST(OnnxPluginModuleTest, ExportsOnlySmiPluginInit) {
  void* module = dlopen(MLOS_ONNX_PLUGIN_MODULE, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(module, nullptr) << dlerror();
  auto init = reinterpret_cast<smi_plugin_init_fn>(dlsym(module, SMI_PLUGIN_INIT_SYMBOL));
  ASSERT_NE(init, nullptr);
  const smi_plugin_api* api = init(SMI_VERSION_MAJOR, SMI_VERSION_MINOR);
  ASSERT_NE(api, nullptr);
  EXPECT_STREQ(api->id, "onnx");
  EXPECT_EQ(dlsym(module, "mlos_onnx_plugin_init"), nullptr);
  dlclose(module);
}

}  // namespace
}  // namespace mlos::plugins::onnx

namespace mlos::plugins::onnx {
namespace {

size_t ProcessThreads() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    ++count;
  }
  return count;
}

// Models share the plugin's intra-op pool (created with the plugin), so loading more models
// starts no threads; a model given its own "threads" gets a pool of its own.
TEST_F(OnnxPluginTest, ModelsShareOneThreadPoolUnlessGivenTheirOwnThreads) {
  api_->plugin_destroy(plugin_);
  plugin_ = nullptr;
  ASSERT_EQ(api_->plugin_create(R"({"threads": 3})", &plugin_, &error_), SMI_OK) << error_.message;
  const std::string path = SaveAddReluModel(dir_);
  const size_t before = ProcessThreads();
  std::vector<smi_model*> models(3);
  for (auto& model : models) {
    ASSERT_EQ(api_->model_load(plugin_, path.c_str(), "{}", &model, &error_), SMI_OK)
        << error_.message;
  }
  EXPECT_EQ(ProcessThreads(), before);
  smi_model* own = nullptr;
  ASSERT_EQ(api_->model_load(plugin_, path.c_str(), R"({"threads": 2})", &own, &error_), SMI_OK);
  EXPECT_EQ(ProcessThreads(), before + 1);  // a pool of 2 counts its caller
  api_->model_unload(own);
  for (auto* model : models) api_->model_unload(model);
}

}  // namespace
}  // namespace mlos::plugins::onnx
