#include "core/model_manager.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
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

  StatusOr<RegistrationResult> Register(const std::string& id, const std::string& path,
                                        const nlohmann::json& settings) {
    RegistrationRequest request;
    request.model_id = id;
    request.path = path;
    request.settings = settings;
    return manager().Register(request);
  }

  ModelManager& manager() {
    if (!manager_) {
      options_.models_directory = directory_.string();
      manager_ = std::make_unique<ModelManager>(plugins_, *store_, options_);
    }
    return *manager_;
  }

  // An echo model with input x [-1, 3] whose executions take `delay_ms`.
  std::string SlowModel(const std::string& name, int delay_ms) {
    return WriteFile(directory_ / (name + ".echo"),
                     nlohmann::json{{"inputs", {{{"name", "x"}, {"datatype", "FP32"},
                                                 {"shape", {-1, 3}}}}},
                                    {"delay_ms", delay_ms}}
                         .dump());
  }

  // Rows of x = [first, first+1, ...] row-major.
  static std::vector<NamedTensor> Rows(int64_t rows, float first = 0) {
    Tensor x(DataType::kFloat32, {rows, 3});
    for (int64_t i = 0; i < rows * 3; ++i) x.data<float>()[i] = first + static_cast<float>(i);
    return {{"x", x}};
  }

  std::future<InferenceOutcome> InferAsync(const std::string& id, std::vector<NamedTensor> inputs) {
    auto promise = std::make_shared<std::promise<InferenceOutcome>>();
    auto future = promise->get_future();
    InferenceJob job;
    job.inputs = std::move(inputs);
    job.done = [promise](InferenceOutcome outcome) { promise->set_value(std::move(outcome)); };
    manager().Infer(id, std::move(job));
    return future;
  }

  InferenceOutcome Infer(const std::string& id, std::vector<NamedTensor> inputs = Rows(1)) {
    return InferAsync(id, std::move(inputs)).get();
  }

  static std::vector<float> Floats(const OutputTensor& output) {
    const auto* data = static_cast<const float*>(output.bytes.raw_data());
    return {data, data + output.bytes.byte_size() / sizeof(float)};
  }

  PluginHost plugins_;
  std::filesystem::path directory_;
  std::string model_path_;
  std::unique_ptr<RegistryStore> store_;
  ManagerOptions options_;
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

TEST_F(ModelManagerTest, ConcurrentFirstUsesLoadOnceAndAllAnswer) {
  ASSERT_TRUE(Register("local/vector@1", model_path_).ok());
  std::vector<std::future<InferenceOutcome>> outcomes;
  for (int i = 0; i < 8; ++i) outcomes.push_back(InferAsync("local/vector@1", Rows(1, i)));
  for (int i = 0; i < 8; ++i) {
    InferenceOutcome outcome = outcomes[i].get();
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    ASSERT_EQ(outcome.outputs.size(), 1u);
    EXPECT_EQ(outcome.outputs[0].name, "x_echo");
    EXPECT_EQ(Floats(outcome.outputs[0]), (std::vector<float>{1.f * i, i + 1.f, i + 2.f}));
  }
  auto info = manager().Describe("local/vector@1");
  EXPECT_EQ(info->state, ModelState::kReady);
  EXPECT_EQ(info->stats.load_count, 1u);
  EXPECT_EQ(info->stats.success_count, 8u);
  EXPECT_GT(info->memory_bytes, 0u);
  EXPECT_TRUE(info->last_used.has_value());
  EXPECT_EQ(Infer("local/missing@1").status.message(), "model 'local/missing@1' is not registered");
}

TEST_F(ModelManagerTest, AFailedLoadIsReportedAndRetried) {
  ASSERT_TRUE(Register("local/vector@1", model_path_).ok());
  WriteFile(model_path_, "broken now");
  const Status failed = Infer("local/vector@1").status;
  EXPECT_EQ(failed.code(), StatusCode::kInternal);
  EXPECT_NE(failed.message().find("failed to load from " + model_path_), std::string::npos);
  auto info = manager().Describe("local/vector@1");
  EXPECT_EQ(info->state, ModelState::kFailed);
  EXPECT_NE(info->failure.find("not an echo model description"), std::string::npos);
  EXPECT_EQ(manager().Load("local/vector@1").code(), StatusCode::kInternal);

  WriteFile(model_path_, testing::kEchoVectorModel);  // fixed: the next use loads it
  EXPECT_TRUE(Infer("local/vector@1").status.ok());
  EXPECT_EQ(manager().Describe("local/vector@1")->state, ModelState::kReady);
}

TEST_F(ModelManagerTest, RestoreBringsModelsBackUnloadedWithTheirSettings) {
  ASSERT_TRUE(Register("local/vector@1", model_path_, {{"instances", 3}, {"threads", 2}}).ok());
  ASSERT_TRUE(manager().Load("local/vector@1").ok());
  manager_.reset();
  store_.reset();
  OpenStore();
  ASSERT_TRUE(manager().Restore().ok());
  auto info = manager().Describe("local/vector@1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, ModelState::kUnloaded);
  EXPECT_EQ(info->record.plugin_id, "echo");
  EXPECT_EQ(info->settings.instances, 3);
  EXPECT_EQ(info->settings.plugin, (nlohmann::json{{"threads", 2}}));
  EXPECT_TRUE(Infer("local/vector@1").status.ok());
}

TEST_F(ModelManagerTest, ARoleRegistrationLoadsThatFileAndSurvivesARestart) {
  const auto package = directory_ / "t5";
  testing::WriteTwoRoleEchoPackage(package);
  RegistrationRequest request;
  request.model_id = "hf/t5/encoder@main";
  request.path = package.string();
  request.role = "encoder";
  ASSERT_TRUE(manager().Register(request).ok());
  // The same id from the same package with another role is a conflict, with the same role not.
  request.role = "decoder";
  auto conflict = manager().Register(request);
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(conflict.status().message(), "model 'hf/t5/encoder@main' is already registered from " +
                                             package.string() + " (role encoder); register " +
                                             package.string() +
                                             " (role decoder) under another id or version");
  request.role = "encoder";
  auto again = manager().Register(request);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_registered);

  manager_.reset();
  store_.reset();
  OpenStore();
  ASSERT_TRUE(manager().Restore().ok());
  auto info = manager().Describe("hf/t5/encoder@main");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->record.role, "encoder");
  EXPECT_EQ(info->record.source_path, package.string());
  EXPECT_EQ(info->record.load_path, (package / "onnx" / "encoder_model.echo").string());
  Tensor ids(DataType::kInt64, {1, 4});
  for (int64_t i = 0; i < 4; ++i) ids.data<int64_t>()[i] = 10 + i;
  const InferenceOutcome outcome = Infer("hf/t5/encoder@main", {{"ids", ids}});
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_EQ(outcome.outputs[0].name, "ids_echo");
}

TEST_F(ModelManagerTest, LoadTrueKeepsTheModelLoaded) {
  RegistrationRequest request;
  request.model_id = "local/vector@1";
  request.path = "vector.echo";  // relative to the models folder
  request.load = true;
  ASSERT_TRUE(manager().Register(request).ok());
  EXPECT_EQ(manager().Describe("local/vector@1")->state, ModelState::kReady);
  EXPECT_EQ(manager().Usage().loaded_models, 1u);
}

TEST_F(ModelManagerTest, BadSettingsAreRefusedNamingTheKey) {
  const auto result = Register("local/vector@1", model_path_, {{"instances", 0}});
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "model 'local/vector@1' settings: \"instances\" must be an integer from 1 to 256, got 0");
  EXPECT_FALSE(manager().Describe("local/vector@1").ok());
}

TEST_F(ModelManagerTest, TheLeastRecentlyUsedIdleModelIsEvictedForANewOne) {
  options_.max_loaded_models = 2;
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(Register(fmt::format("local/{}@1", name),
                         WriteFile(directory_ / fmt::format("{}.echo", name),
                                   testing::kEchoVectorModel))
                    .ok());
  }
  ASSERT_TRUE(Infer("local/a@1").status.ok());
  ASSERT_TRUE(Infer("local/b@1").status.ok());
  ASSERT_TRUE(Infer("local/a@1").status.ok());  // b is now the least recently used
  ASSERT_TRUE(Infer("local/c@1").status.ok());
  EXPECT_EQ(manager().Describe("local/a@1")->state, ModelState::kReady);
  EXPECT_EQ(manager().Describe("local/b@1")->state, ModelState::kUnloaded);
  EXPECT_EQ(manager().Describe("local/c@1")->state, ModelState::kReady);
  EXPECT_EQ(manager().Describe("local/b@1")->stats.unload_count, 1u);
  EXPECT_EQ(manager().Usage().loaded_models, 2u);
  ASSERT_TRUE(Infer("local/b@1").status.ok());  // comes back, evicting a
  EXPECT_EQ(manager().Describe("local/a@1")->state, ModelState::kUnloaded);
}

TEST_F(ModelManagerTest, AMemoryBudgetEvictsAndAModelInUseIsNeverEvictedUnderItsRequest) {
  const std::string slow = SlowModel("slow", 300);
  const std::string other = SlowModel("other", 0);
  const uint64_t model_bytes = std::filesystem::file_size(slow);  // the echo plugin's size
  options_.memory_budget_bytes = model_bytes + model_bytes / 2;   // room for one
  ASSERT_TRUE(Register("local/slow@1", slow).ok());
  ASSERT_TRUE(Register("local/other@1", other).ok());
  auto running = InferAsync("local/slow@1", Rows(1));
  while (manager().Describe("local/slow@1")->stats.pending == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // slow is busy: other waits until slow's request is answered, then takes its place.
  auto waiting = InferAsync("local/other@1", Rows(1));
  EXPECT_TRUE(running.get().status.ok());
  EXPECT_TRUE(waiting.get().status.ok());
  EXPECT_EQ(manager().Describe("local/slow@1")->state, ModelState::kUnloaded);
  EXPECT_EQ(manager().Describe("local/other@1")->state, ModelState::kReady);
  EXPECT_LE(manager().Usage().memory_used_bytes, options_.memory_budget_bytes);

  // A model larger than the whole budget is refused at once, naming the budget.
  const std::string big = WriteFile(directory_ / "big.echo",
                                    std::string(R"({"inputs":[{"name":"x","datatype":"FP32",)") +
                                        R"("shape":[-1,3]}],"padding":")" +
                                        std::string(2 * model_bytes, 'p') + "\"}");
  ASSERT_TRUE(Register("local/big@1", big).ok());
  const Status refused = Infer("local/big@1").status;
  EXPECT_EQ(refused.code(), StatusCode::kOutOfMemory);
  EXPECT_NE(refused.message().find("larger than the whole memory budget"), std::string::npos)
      << refused.message();
  EXPECT_EQ(manager().Describe("local/big@1")->state, ModelState::kFailed);
  EXPECT_EQ(manager().Describe("local/other@1")->state, ModelState::kReady);  // not evicted
}

TEST_F(ModelManagerTest, KeepAliveZeroUnloadsAfterUseAndPinnedModelsStay) {
  ASSERT_TRUE(Register("local/brief@1", model_path_, {{"keep_alive_s", 0}}).ok());
  ASSERT_TRUE(Infer("local/brief@1").status.ok());
  for (int i = 0; i < 200 && manager().Describe("local/brief@1")->state != ModelState::kUnloaded;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(manager().Describe("local/brief@1")->state, ModelState::kUnloaded);

  options_.max_loaded_models = 1;
  manager_.reset();
  ASSERT_TRUE(manager().Restore().ok());
  const std::string other = WriteFile(directory_ / "other.echo", testing::kEchoVectorModel);
  ASSERT_TRUE(Register("local/pinned@1", SlowModel("pinned", 0), {{"keep_alive_s", -1}}).ok());
  ASSERT_TRUE(Register("local/other@1", other).ok());
  ASSERT_TRUE(Infer("local/pinned@1").status.ok());
  EXPECT_EQ(Infer("local/other@1").status.code(), StatusCode::kOutOfMemory);
  EXPECT_EQ(manager().Describe("local/pinned@1")->state, ModelState::kReady);
}

TEST_F(ModelManagerTest, UnloadAndDeleteWaitForTheRequestInFlight) {
  ASSERT_TRUE(Register("local/slow@1", SlowModel("slow", 200)).ok());
  auto running = InferAsync("local/slow@1", Rows(2, 5));
  while (manager().Describe("local/slow@1")->stats.pending == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(manager().Unload("local/slow@1").ok());
  ASSERT_EQ(running.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  InferenceOutcome outcome = running.get();
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(Floats(outcome.outputs[0]), (std::vector<float>{5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(manager().Describe("local/slow@1")->state, ModelState::kUnloaded);

  running = InferAsync("local/slow@1", Rows(1));
  while (manager().Describe("local/slow@1")->stats.pending == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(manager().Delete("local/slow@1").ok());
  EXPECT_TRUE(running.get().status.ok());
  EXPECT_EQ(manager().Describe("local/slow@1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Infer("local/slow@1").status.code(), StatusCode::kNotFound);
  EXPECT_EQ(manager().Delete("local/slow@1").code(), StatusCode::kNotFound);
  // Gone from the registry too.
  manager_.reset();
  ASSERT_TRUE(manager().Restore().ok());
  EXPECT_TRUE(manager().List().empty());
}

TEST_F(ModelManagerTest, AFullQueueAnswersResourceExhaustedAndOverdueRequestsTimeOut) {
  ASSERT_TRUE(Register("local/slow@1", SlowModel("slow", 150), {{"max_queue", 1}}).ok());
  ASSERT_TRUE(manager().Load("local/slow@1").ok());
  std::vector<std::future<InferenceOutcome>> outcomes;
  for (int i = 0; i < 4; ++i) outcomes.push_back(InferAsync("local/slow@1", Rows(1)));
  int ok = 0, exhausted = 0;
  for (auto& outcome : outcomes) {
    const Status status = outcome.get().status;
    ok += status.ok();
    if (status.code() == StatusCode::kResourceExhausted) {
      ++exhausted;
      EXPECT_NE(status.message().find("max_queue 1"), std::string::npos) << status.message();
    }
  }
  EXPECT_EQ(ok, 2);  // one running, one queued
  EXPECT_EQ(exhausted, 2);

  ASSERT_TRUE(Register("local/strict@1", SlowModel("strict", 150), {{"timeout_ms", 50}}).ok());
  ASSERT_TRUE(manager().Load("local/strict@1").ok());
  auto first = InferAsync("local/strict@1", Rows(1));
  auto second = InferAsync("local/strict@1", Rows(1));
  EXPECT_TRUE(first.get().status.ok());
  const Status late = second.get().status;
  EXPECT_EQ(late.code(), StatusCode::kUnavailable);
  EXPECT_NE(late.message().find("timeout_ms 50"), std::string::npos) << late.message();
  EXPECT_EQ(manager().Describe("local/strict@1")->stats.failure_count, 1u);
}

TEST_F(ModelManagerTest, DynamicBatchingStacksQueuedRequestsAndSplitsTheOutputs) {
  ASSERT_TRUE(Register("local/batched@1", SlowModel("batched", 100), {{"max_batch_size", 8}}).ok());
  ASSERT_TRUE(manager().Load("local/batched@1").ok());
  auto first = InferAsync("local/batched@1", Rows(1, 100));  // runs alone, at once
  while (manager().Describe("local/batched@1")->stats.execution_count == 0 &&
         manager().Describe("local/batched@1")->stats.pending == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::vector<std::future<InferenceOutcome>> rest;
  for (int i = 0; i < 5; ++i) rest.push_back(InferAsync("local/batched@1", Rows(1 + i % 2, 10 * i)));
  const InferenceOutcome alone = first.get();
  ASSERT_TRUE(alone.status.ok());
  EXPECT_EQ(alone.batch_size, 1);
  for (int i = 0; i < 5; ++i) {
    InferenceOutcome outcome = rest[i].get();
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    EXPECT_EQ(outcome.batch_size, 5);
    std::vector<float> expected;
    for (int k = 0; k < 3 * (1 + i % 2); ++k) expected.push_back(10.f * i + k);
    EXPECT_EQ(Floats(outcome.outputs[0]), expected) << "request " << i;
    EXPECT_EQ(outcome.outputs[0].shape, (Shape{1 + i % 2, 3}));
  }
  const auto stats = manager().Describe("local/batched@1")->stats;
  EXPECT_EQ(stats.inference_count, 6u);
  EXPECT_EQ(stats.execution_count, 2u);
}

TEST_F(ModelManagerTest, AFastIdleModelRunsOnTheCallersThreadASlowOneOnItsOwn) {
  ASSERT_TRUE(Register("local/fast@1", model_path_).ok());
  ASSERT_TRUE(Register("local/slow@1", SlowModel("slow", 5)).ok());
  for (const char* id : {"local/fast@1", "local/slow@1"}) {
    // Loads the model and measures it; several runs settle the moving average, which one slow
    // first run on a loaded (sanitizer) machine could hold above the fast-path limit.
    for (int run = 0; run < 10; ++run) ASSERT_TRUE(Infer(id).status.ok());
  }
  const auto thread_of = [&](const std::string& id) {
    std::promise<std::thread::id> ran_on;
    InferenceJob job;
    job.inputs = Rows(1);
    job.done = [&](InferenceOutcome outcome) {
      EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
      ran_on.set_value(std::this_thread::get_id());
    };
    manager().Infer(id, std::move(job));
    return ran_on.get_future().get();
  };
  // The instance is released just after `done` runs, so a request right behind the previous one
  // may still find it busy and queue: the fast model must run inline within a few tries.
  bool inline_run = false;
  for (int attempt = 0; attempt < 20 && !inline_run; ++attempt) {
    inline_run = thread_of("local/fast@1") == std::this_thread::get_id();
  }
  EXPECT_TRUE(inline_run);
  EXPECT_NE(thread_of("local/slow@1"), std::this_thread::get_id());
}

}  // namespace
}  // namespace mlos::core
