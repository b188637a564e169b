#include "core/plugin_host.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace mlos::core {
namespace {

// The descriptor a test hands to PluginHost::Add: the echo plugin's table, then altered.
smi_plugin_api g_descriptor;
const smi_plugin_api* ReturnDescriptor(uint32_t, uint32_t) { return &g_descriptor; }
const smi_plugin_api* ReturnNothing(uint32_t, uint32_t) { return nullptr; }

class PluginHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    library_ = dlopen(MLOS_ECHO_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library_, nullptr) << dlerror();
    auto init = reinterpret_cast<smi_plugin_init_fn>(dlsym(library_, SMI_PLUGIN_INIT_SYMBOL));
    ASSERT_NE(init, nullptr);
    g_descriptor = *init(SMI_VERSION_MAJOR, SMI_VERSION_MINOR);
  }
  void TearDown() override { dlclose(library_); }

  void ExpectRefused(const std::string& expected_message) {
    PluginHost host;
    Status status = host.Add(ReturnDescriptor, "test-origin");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(expected_message), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("test-origin"), std::string::npos) << status.message();
    EXPECT_TRUE(host.List().empty());
  }

  void* library_ = nullptr;
};

TEST_F(PluginHostTest, AcceptsTheHostVersion) {
  PluginHost host;
  ASSERT_TRUE(host.Add(ReturnDescriptor, "test-origin").ok());
  auto plugin = host.Find("echo");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->origin, "test-origin");
  EXPECT_EQ(plugin->execution_formats, std::vector<std::string>{"echo"});
  EXPECT_EQ(host.FindForFormat("echo"), plugin);
  EXPECT_EQ(host.FindForFormat("onnx"), nullptr);
  EXPECT_EQ(host.Find("onnx"), nullptr);
  EXPECT_EQ(host.Summary(), "echo (echo)");
}

TEST_F(PluginHostTest, RejectsAnotherMajorVersion) {
  g_descriptor.abi_major = SMI_VERSION_MAJOR + 1;
  ExpectRefused("built for SMI 2.0");
}

TEST_F(PluginHostTest, RejectsANewerMinorVersion) {
  g_descriptor.abi_minor = SMI_VERSION_MINOR + 1;
  ExpectRefused("built for SMI 1.1");
}

TEST_F(PluginHostTest, RejectsATableSmallerThanTheLayout) {
  g_descriptor.struct_size = sizeof(smi_plugin_api) - 8;
  ExpectRefused("descriptor is 96 bytes");
}

TEST_F(PluginHostTest, RejectsAMissingRequiredFunction) {
  g_descriptor.model_execute = nullptr;
  ExpectRefused("lacks execution_formats or a required function");
}

TEST_F(PluginHostTest, RejectsAMissingId) {
  g_descriptor.id = "";
  ExpectRefused("has no id");
}

TEST_F(PluginHostTest, RejectsANullDescriptor) {
  PluginHost host;
  Status status = host.Add(ReturnNothing, "test-origin");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("returned no descriptor"), std::string::npos);
}

TEST_F(PluginHostTest, RejectsADuplicateId) {
  PluginHost host;
  ASSERT_TRUE(host.Add(ReturnDescriptor, "first").ok());
  Status status = host.Add(ReturnDescriptor, "second");
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(status.message().find("already taken by first"), std::string::npos);
  EXPECT_EQ(host.List().size(), 1u);
}

TEST(PluginHostLibraryTest, LoadsTheEchoLibraryAndRunsAModel) {
  PluginHost host;
  ASSERT_TRUE(host.LoadLibrary(MLOS_ECHO_PLUGIN_PATH).ok());
  auto plugin = host.Find("echo");
  ASSERT_NE(plugin, nullptr);

  const auto model_path = std::filesystem::path(::testing::TempDir()) / "plugin_host_test.echo";
  std::ofstream(model_path) << R"({"inputs":[{"name":"x","datatype":"FP32","shape":[2]}]})";
  smi::Model model;
  smi::Error error;
  ASSERT_EQ(plugin->instance.LoadModel(model_path.c_str(), "{}", &model, &error), SMI_OK)
      << error.text();
  smi_signature signature;
  ASSERT_EQ(model.Signature(&signature, &error), SMI_OK);
  ASSERT_EQ(signature.output_count, 1u);
  EXPECT_STREQ(signature.outputs[0].name, "x_echo");

  const float input[2] = {1.5f, -2.0f};
  float output[2] = {0, 0};
  const int64_t shape[1] = {2};
  const smi_tensor_view view{"x", SMI_DTYPE_FLOAT32, 1, shape, input, sizeof(input)};
  smi_request request{1,
                      &view,
                      0,
                      nullptr,
                      {output, [](void* context, const char*, smi_dtype, int32_t, const int64_t*,
                                  uint64_t) { return context; }}};
  ASSERT_EQ(model.Execute(&request, 1, &error), SMI_OK) << error.text();
  EXPECT_EQ(output[1], -2.0f);
}

TEST(PluginHostLibraryTest, ReportsALibraryWithoutTheInitSymbol) {
  PluginHost host;
  Status status = host.LoadLibrary("libm.so.6");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("does not export smi_plugin_init"), std::string::npos);
}

TEST(PluginHostLibraryTest, DirectoryLoadSkipsBrokenLibraries) {
  const auto directory = std::filesystem::path(::testing::TempDir()) / "plugin_host_test_dir";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  std::ofstream(directory / "libbroken.so") << "not an ELF file";
  std::filesystem::copy_file(MLOS_ECHO_PLUGIN_PATH, directory / "libmlos_plugin_echo.so");
  std::ofstream(directory / "README.txt") << "ignored";

  PluginHost host;
  host.LoadDirectory(directory.string());
  ASSERT_EQ(host.List().size(), 1u);
  EXPECT_EQ(host.List()[0]->id, "echo");
  host.LoadDirectory((directory / "missing").string());  // no error, nothing loaded
  EXPECT_EQ(host.List().size(), 1u);
}

}  // namespace
}  // namespace mlos::core
