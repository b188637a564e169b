#include "core/model_manager.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/testing/test_files.h"

namespace mlos::core {
namespace {

using testing::FreshDirectory;
using testing::WriteFile;

class ModelManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(plugins_.LoadLibrary(MLOS_ECHO_PLUGIN_PATH).ok());
    directory_ = FreshDirectory(::testing::UnitTest::GetInstance()->current_test_info()->name());
    model_path_ = WriteFile(directory_ / "vector.echo", testing::kEchoVectorModel);
    OpenStore();
  }

  void OpenStore() {
    auto store = RegistryStore::Open((directory_ / "home" / "registry.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  StatusOr<RegistrationResult> Register(const std::string& id, const std::string& path) {
    RegistrationRequest request;
    request.model_id = id;
    request.path = path;
    return manager().Register(request);
  }

  ModelManager& manager() {
    if (!manager_)
      manager_ = std::make_unique<ModelManager>(plugins_, *store_, directory_.string());
    return *manager_;
  }

  PluginHost plugins_;
  std::filesystem::path directory_;
  std::string model_path_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<ModelManager> manager_;
};

TEST_F(ModelManagerTest, RegistersValidatesAndRecordsTheSignature) {
  auto result = Register("local/vector@1", model_path_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->plugin_id, "echo");
  EXPECT_FALSE(result->already_registered);

  auto info = manager().Describe("local/vector@1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, ModelState::kUnloaded);  // validated, then loads again on first use
  ASSERT_EQ(info->record.signature.inputs.size(), 1u);
  EXPECT_EQ(info->record.signature.inputs[0].shape, (Shape{-1, 3}));
  EXPECT_EQ(info->record.signature.outputs[0].name, "x_echo");
  EXPECT_FALSE(info->last_used.has_value());
}

TEST_F(ModelManagerTest, SameIdSamePathIsAlreadyRegisteredAnotherPathIsAConflict) {
  ASSERT_TRUE(Register("local/vector@1", model_path_).ok());
  auto again = Register("local/vector@1", model_path_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_registered);

  const std::string other = WriteFile(directory_ / "other.echo", testing::kEchoVectorModel);
  auto conflict = Register("local/vector@1", other);
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(conflict.status().message().find("already registered from " + model_path_),
            std::string::npos);
}

TEST_F(ModelManagerTest, AModelThePluginRefusesIsNotRegistered) {
  const std::string corrupt = WriteFile(directory_ / "corrupt.echo", "\x08garbage");
  auto result = Register("local/corrupt@1", corrupt);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      result.status().message().starts_with(corrupt + " does not load with plugin 'echo': "))
      << result.status().message();
  EXPECT_NE(result.status().message().find("not an echo model description"), std::string::npos);
  EXPECT_TRUE(manager().List().empty());
}

TEST_F(ModelManagerTest, PluginChoiceErrors) {
  RegistrationRequest request;
  request.model_id = "local/vector@1";
  request.path = model_path_;
  request.plugin_id = "tensorrt";
  EXPECT_EQ(manager().Register(request).status().message(),
            "unknown plugin_id 'tensorrt'; loaded plugins: echo (echo)");
  request.plugin_id.clear();
  request.execution_format = "torchscript";
  EXPECT_EQ(manager().Register(request).status().message(),
            "no plugin runs execution format 'torchscript'; loaded plugins: echo (echo)");
  EXPECT_NE(Register("bad id", model_path_).status().message().find("model_id 'bad id'"),
            std::string::npos);
}

TEST_F(ModelManagerTest, AcquireLoadsOnceAndSharesTheModel) {
  ASSERT_TRUE(Register("local/vector@1", model_path_).ok());
  std::vector<std::shared_ptr<const LoadedModel>> models(4);
  std::vector<std::thread> threads;
  for (auto& model : models) {
    threads.emplace_back([&] {
      auto acquired = manager().Acquire("local/vector@1");
      ASSERT_TRUE(acquired.ok()) << acquired.status().ToString();
      model = *acquired;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& model : models) EXPECT_EQ(model, models[0]);
  auto info = manager().Describe("local/vector@1");
  EXPECT_EQ(info->state, ModelState::kReady);
  EXPECT_GT(info->memory_bytes, 0u);
  EXPECT_TRUE(info->last_used.has_value());
  EXPECT_EQ(manager().Acquire("local/missing@1").status().message(),
            "model 'local/missing@1' is not registered");
}

TEST_F(ModelManagerTest, AFailedLoadIsReportedAndRetried) {
  ASSERT_TRUE(Register("local/vector@1", model_path_).ok());
  WriteFile(model_path_, "broken now");
  auto acquired = manager().Acquire("local/vector@1");
  EXPECT_EQ(acquired.status().code(), StatusCode::kInternal);
  EXPECT_NE(acquired.status().message().find("failed to load from " + model_path_),
            std::string::npos);
  auto info = manager().Describe("local/vector@1");
  EXPECT_EQ(info->state, ModelState::kFailed);
  EXPECT_NE(info->failure.find("not an echo model description"), std::string::npos);

  WriteFile(model_path_, testing::kEchoVectorModel);  // fixed: the next use loads it
  EXPECT_TRUE(manager().Acquire("local/vector@1").ok());
  EXPECT_EQ(manager().Describe("local/vector@1")->state, ModelState::kReady);
}

TEST_F(ModelManagerTest, RestoreBringsModelsBackUnloaded) {
  ASSERT_TRUE(Register("local/vector@1", model_path_).ok());
  ASSERT_TRUE(manager().Acquire("local/vector@1").ok());
  manager_.reset();
  store_.reset();
  OpenStore();
  ASSERT_TRUE(manager().Restore().ok());
  auto info = manager().Describe("local/vector@1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, ModelState::kUnloaded);
  EXPECT_EQ(info->record.plugin_id, "echo");
  EXPECT_TRUE(manager().Acquire("local/vector@1").ok());
}

TEST_F(ModelManagerTest, LoadTrueKeepsTheModelLoaded) {
  RegistrationRequest request;
  request.model_id = "local/vector@1";
  request.path = "vector.echo";  // relative to the models folder
  request.load = true;
  ASSERT_TRUE(manager().Register(request).ok());
  EXPECT_EQ(manager().Describe("local/vector@1")->state, ModelState::kReady);
}

}  // namespace
}  // namespace mlos::core
