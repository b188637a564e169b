// Tests the torchscript plugin only through the SMI table of the built module, as Core uses it:
// small models defined here in TorchScript source, and the fixture models (mlp, convnet,
// tiny_bert, saved as model.pt by fixtures/make_fixtures.py) against torch's reference outputs.
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <torch/script.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "engine/tensor_proto.h"
#include "engine/test_models.h"
#include "mlos/smi.h"

namespace mlos::plugins::torchscript {
namespace {

using engine::testing::TempDir;

// Saves a module whose methods are `source` (TorchScript), with `setup` adding attributes first.
std::string SaveScripted(const TempDir& dir, const std::string& source,
                         const std::function<void(torch::jit::Module&)>& setup = nullptr,
                         const std::string& file = "model.pt") {
  torch::jit::Module module("Model");
  if (setup) setup(module);
  module.define(source);
  module.save(dir.File(file));
  return dir.File(file);
}

// One input the test owns, viewed as SMI sees it.
struct HostInput {
  std::string name;
  smi_dtype dtype = SMI_DTYPE_FLOAT32;
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;

  template <typename T>
  static HostInput Of(std::string name, smi_dtype dtype, std::vector<int64_t> shape,
                      const std::vector<T>& values) {
    HostInput input{std::move(name), dtype, std::move(shape), {}};
    input.bytes.resize(values.size() * sizeof(T));
    std::memcpy(input.bytes.data(), values.data(), input.bytes.size());
    return input;
  }
  smi_tensor_view view() const {
    return {name.c_str(), dtype,        static_cast<int32_t>(shape.size()),
            shape.data(), bytes.data(), bytes.size()};
  }
};

// Host side of a request: owns the output buffers the plugin asks for.
struct HostOutputs {
  struct Output {
    smi_dtype dtype = SMI_DTYPE_INVALID;
    std::vector<int64_t> shape;
    std::vector<unsigned char> bytes;
    template <typename T>
    std::vector<T> values() const {
      std::vector<T> result(bytes.size() / sizeof(T));
      std::memcpy(result.data(), bytes.data(), result.size() * sizeof(T));
      return result;
    }
  };
  std::map<std::string, Output> by_name;
  std::vector<std::string> order;  // names in the order the plugin allocated them

  smi_allocator allocator() {
    return {this,
            [](void* context, const char* name, smi_dtype dtype, int32_t rank, const int64_t* shape,
               uint64_t byte_size) -> void* {
              auto* host = static_cast<HostOutputs*>(context);
              host->order.emplace_back(name);
              Output& output = host->by_name[name];
              output = {dtype, std::vector<int64_t>(shape, shape + rank),
                        std::vector<unsigned char>(byte_size + 1)};
              return output.bytes.data();
            }};
  }
};

class TorchScriptPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module_ = dlopen(MLOS_TORCHSCRIPT_PLUGIN_MODULE, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(module_, nullptr) << dlerror();
    auto init = reinterpret_cast<smi_plugin_init_fn>(dlsym(module_, SMI_PLUGIN_INIT_SYMBOL));
    ASSERT_NE(init, nullptr);
    api_ = init(SMI_VERSION_MAJOR, SMI_VERSION_MINOR);
    ASSERT_NE(api_, nullptr);
    ASSERT_EQ(api_->plugin_create("{}", &plugin_, &error_), SMI_OK) << error_.message;
  }
  void TearDown() override {
    if (model_ != nullptr) api_->model_unload(model_);
    if (plugin_ != nullptr) api_->plugin_destroy(plugin_);
    if (module_ != nullptr) dlclose(module_);
  }

  smi_status Load(const std::string& path, const std::string& config = "{}") {
    if (model_ != nullptr) api_->model_unload(model_);
    model_ = nullptr;
    return api_->model_load(plugin_, path.c_str(), config.c_str(), &model_, &error_);
  }
  smi_signature Signature() {
    smi_signature signature{};
    EXPECT_EQ(api_->model_signature(model_, &signature, &error_), SMI_OK) << error_.message;
    return signature;
  }
  // Runs one request with `inputs`, wanting `wanted` (all outputs when empty).
  smi_status Run(const std::vector<HostInput>& inputs, HostOutputs& host,
                 const std::vector<const char*>& wanted = {}) {
    std::vector<smi_tensor_view> views;
    for (const HostInput& input : inputs) views.push_back(input.view());
    const smi_request request{static_cast<uint32_t>(views.size()), views.data(),
                              static_cast<uint32_t>(wanted.size()),
                              wanted.empty() ? nullptr : wanted.data(), host.allocator()};
    return api_->model_execute(model_, &request, 1, &error_);
  }

  void* module_ = nullptr;
  const smi_plugin_api* api_ = nullptr;
  smi_plugin* plugin_ = nullptr;
  smi_model* model_ = nullptr;
  smi_error error_{};
  TempDir dir_;
};

constexpr char kSumAndDifference[] = R"(
def forward(self, a, b):
    return a + b, a - b
)";

TEST_F(TorchScriptPluginTest, DescribesItself) {
  EXPECT_EQ(api_->abi_major, 1u);
  EXPECT_EQ(api_->struct_size, sizeof(smi_plugin_api));
  EXPECT_STREQ(api_->id, "torchscript");
  EXPECT_STREQ(api_->execution_formats[0], "torchscript");
  EXPECT_EQ(api_->execution_formats[1], nullptr);
  EXPECT_NE(api_->model_memory_bytes, nullptr);
  auto init = reinterpret_cast<smi_plugin_init_fn>(dlsym(module_, SMI_PLUGIN_INIT_SYMBOL));
  EXPECT_EQ(init(SMI_VERSION_MAJOR + 1, 0), nullptr);
}

TEST_F(TorchScriptPluginTest, SetsTorchThreadsFromThePluginConfig) {
  api_->plugin_destroy(plugin_);
  ASSERT_EQ(api_->plugin_create(R"({"threads": 1})", &plugin_, &error_), SMI_OK);
  EXPECT_EQ(at::get_num_threads(), 1);
  api_->plugin_destroy(plugin_);
  ASSERT_EQ(api_->plugin_create("{}", &plugin_, &error_), SMI_OK);
  EXPECT_EQ(at::get_num_threads(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(at::get_num_interop_threads(), 1);
  api_->plugin_destroy(plugin_);
  plugin_ = nullptr;
  EXPECT_EQ(api_->plugin_create(R"({"threads": -2})", &plugin_, &error_), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "threads"), nullptr) << error_.message;
}

TEST_F(TorchScriptPluginTest, DerivesTheSignatureFromForward) {
  ASSERT_EQ(Load(SaveScripted(dir_, kSumAndDifference)), SMI_OK) << error_.message;
  const smi_signature signature = Signature();
  ASSERT_EQ(signature.input_count, 2u);
  EXPECT_STREQ(signature.inputs[0].name, "a");
  EXPECT_STREQ(signature.inputs[1].name, "b");
  EXPECT_EQ(signature.inputs[0].dtype, SMI_DTYPE_FLOAT32);
  EXPECT_EQ(signature.inputs[0].rank, -1);
  EXPECT_EQ(signature.inputs[0].shape, nullptr);
  ASSERT_EQ(signature.output_count, 2u);
  EXPECT_STREQ(signature.outputs[0].name, "output0");
  EXPECT_STREQ(signature.outputs[1].name, "output1");
  EXPECT_EQ(signature.outputs[1].rank, -1);

  ASSERT_EQ(Load(SaveScripted(dir_, "def forward(self, x):\n    return x * 2\n")), SMI_OK);
  const smi_signature single = Signature();
  ASSERT_EQ(single.output_count, 1u);
  EXPECT_STREQ(single.outputs[0].name, "output");
}

TEST_F(TorchScriptPluginTest, MatchesInputsByNameAndReturnsEveryOutput) {
  ASSERT_EQ(Load(SaveScripted(dir_, kSumAndDifference)), SMI_OK) << error_.message;
  HostOutputs host;
  // b before a: the request's order does not matter, the names do.
  ASSERT_EQ(Run({HostInput::Of<float>("b", SMI_DTYPE_FLOAT32, {2}, {1, 2}),
                 HostInput::Of<float>("a", SMI_DTYPE_FLOAT32, {2}, {10, 20})},
                host),
            SMI_OK)
      << error_.message;
  EXPECT_EQ(host.order, (std::vector<std::string>{"output0", "output1"}));
  EXPECT_EQ(host.by_name.at("output0").values<float>(), (std::vector<float>{11, 22}));
  EXPECT_EQ(host.by_name.at("output1").values<float>(), (std::vector<float>{9, 18}));
  EXPECT_EQ(host.by_name.at("output1").shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(host.by_name.at("output1").dtype, SMI_DTYPE_FLOAT32);
}

TEST_F(TorchScriptPluginTest, UsesTheDeclaredSignatureAndReturnsOnlyWantedOutputs) {
  const std::string config = R"({"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 2]},
                                            {"name": "y", "datatype": "FP32", "shape": [-1, 2]}],
                                 "outputs": [{"name": "sum", "datatype": "FP32", "shape": [-1, 2]},
                                             {"name": "difference", "datatype": "FP32"}],
                                 "threads": 3, "max_batch_size": 8})";
  ASSERT_EQ(Load(SaveScripted(dir_, kSumAndDifference), config), SMI_OK) << error_.message;
  const smi_signature signature = Signature();
  ASSERT_EQ(signature.input_count, 2u);
  EXPECT_STREQ(signature.inputs[1].name, "y");
  ASSERT_EQ(signature.inputs[1].rank, 2);
  EXPECT_EQ(signature.inputs[1].shape[0], -1);
  EXPECT_EQ(signature.inputs[1].shape[1], 2);
  ASSERT_EQ(signature.output_count, 2u);
  EXPECT_STREQ(signature.outputs[0].name, "sum");
  EXPECT_STREQ(signature.outputs[1].name, "difference");
  EXPECT_EQ(signature.outputs[1].rank, -1);

  HostOutputs host;
  ASSERT_EQ(Run({HostInput::Of<float>("x", SMI_DTYPE_FLOAT32, {1, 2}, {5, 6}),
                 HostInput::Of<float>("y", SMI_DTYPE_FLOAT32, {1, 2}, {1, 1})},
                host, {"difference"}),
            SMI_OK)
      << error_.message;
  EXPECT_EQ(host.order, (std::vector<std::string>{"difference"}));
  EXPECT_EQ(host.by_name.at("difference").values<float>(), (std::vector<float>{4, 5}));
  EXPECT_EQ(host.by_name.at("difference").shape, (std::vector<int64_t>{1, 2}));

  HostOutputs unknown;
  EXPECT_EQ(Run({HostInput::Of<float>("x", SMI_DTYPE_FLOAT32, {1}, {5}),
                 HostInput::Of<float>("y", SMI_DTYPE_FLOAT32, {1}, {1})},
                unknown, {"output0"}),
            SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "unknown output 'output0'"), nullptr) << error_.message;
}

TEST_F(TorchScriptPluginTest, RefusesDeclaredTensorsThatDoNotFitForward) {
  const std::string path = SaveScripted(dir_, kSumAndDifference);
  EXPECT_EQ(Load(path, R"({"outputs": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})"),
            SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "3 outputs are declared"), nullptr) << error_.message;
  EXPECT_EQ(Load(path, R"({"inputs": [{"name": "a"}]})"), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "'b' has no default value"), nullptr) << error_.message;
  EXPECT_EQ(Load(path, R"({"inputs": [{"name": "a", "datatype": "FP99"}]})"),
            SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "inputs[0].datatype"), nullptr) << error_.message;
  EXPECT_EQ(Load(path, R"({"optimize": "fast"})"), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(Load(path, "[1, 2]"), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(model_, nullptr);
}

TEST_F(TorchScriptPluginTest, ListResultsNeedDeclaredOutputs) {
  const std::string path =
      SaveScripted(dir_, "def forward(self, x) -> List[Tensor]:\n    return [x, x + 1, x + 2]\n");
  EXPECT_EQ(Load(path), SMI_ERR_UNSUPPORTED);
  EXPECT_NE(std::strstr(error_.message, "declare the outputs"), nullptr) << error_.message;
  ASSERT_EQ(Load(path, R"({"outputs": [{"name": "p"}, {"name": "q"}, {"name": "r"}]})"), SMI_OK)
      << error_.message;
  HostOutputs host;
  ASSERT_EQ(Run({HostInput::Of<float>("x", SMI_DTYPE_FLOAT32, {1}, {1})}, host), SMI_OK);
  EXPECT_EQ(host.by_name.at("r").values<float>(), (std::vector<float>{3}));

  ASSERT_EQ(Load(path, R"({"outputs": [{"name": "p"}, {"name": "q"}]})"), SMI_OK);
  EXPECT_EQ(Run({HostInput::Of<float>("x", SMI_DTYPE_FLOAT32, {1}, {1})}, host), SMI_ERR_RUNTIME);
  EXPECT_NE(std::strstr(error_.message, "forward returned 3 tensors"), nullptr) << error_.message;
}

TEST_F(TorchScriptPluginTest, RefusesNonTensorArguments) {
  EXPECT_EQ(Load(SaveScripted(dir_, "def forward(self, x, n: int):\n    return x * n\n")),
            SMI_ERR_UNSUPPORTED);
  EXPECT_NE(std::strstr(error_.message, "argument 'n' is a int"), nullptr) << error_.message;
}

TEST_F(TorchScriptPluginTest, OptionalTensorArgumentsMayBeLeftOut) {
  const std::string path = SaveScripted(dir_,
                                        "def forward(self, x, scale: Optional[Tensor] = None):\n"
                                        "    if scale is None:\n        return x\n"
                                        "    return x * scale\n");
  const HostInput x = HostInput::Of<float>("x", SMI_DTYPE_FLOAT32, {2}, {1, 2});
  for (const char* config : {"{}", R"({"inputs": [{"name": "x"}]})"}) {
    ASSERT_EQ(Load(path, config), SMI_OK) << error_.message;
    HostOutputs host;
    ASSERT_EQ(Run({x}, host), SMI_OK) << error_.message;
    EXPECT_EQ(host.by_name.at("output").values<float>(), (std::vector<float>{1, 2}));
  }
  ASSERT_EQ(Load(path), SMI_OK);
  EXPECT_EQ(Signature().input_count, 2u);
  HostOutputs host;
  ASSERT_EQ(Run({x, HostInput::Of<float>("scale", SMI_DTYPE_FLOAT32, {1}, {3})}, host), SMI_OK);
  EXPECT_EQ(host.by_name.at("output").values<float>(), (std::vector<float>{3, 6}));
}

// Every SMI dtype LibTorch has goes in zero-copy; outputs carry the dtype the tensor really has.
TEST_F(TorchScriptPluginTest, RunsEveryDtypeLibTorchHas) {
  ASSERT_EQ(Load(SaveScripted(dir_, "def forward(self, x):\n    return x + x, x.float()\n")),
            SMI_OK);
  struct Case {
    smi_dtype dtype;
    at::ScalarType torch_type;
    smi_dtype doubled;  // x + x keeps the dtype except for bool (logical or)
  };
  const Case cases[] = {
      {SMI_DTYPE_FLOAT32, at::kFloat, SMI_DTYPE_FLOAT32},
      {SMI_DTYPE_FLOAT64, at::kDouble, SMI_DTYPE_FLOAT64},
      {SMI_DTYPE_FLOAT16, at::kHalf, SMI_DTYPE_FLOAT16},
      {SMI_DTYPE_BFLOAT16, at::kBFloat16, SMI_DTYPE_BFLOAT16},
      {SMI_DTYPE_INT8, at::kChar, SMI_DTYPE_INT8},
      {SMI_DTYPE_INT16, at::kShort, SMI_DTYPE_INT16},
      {SMI_DTYPE_INT32, at::kInt, SMI_DTYPE_INT32},
      {SMI_DTYPE_INT64, at::kLong, SMI_DTYPE_INT64},
      {SMI_DTYPE_UINT8, at::kByte, SMI_DTYPE_UINT8},
      {SMI_DTYPE_BOOL, at::kBool, SMI_DTYPE_BOOL},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dtype);
    const at::Tensor values = at::tensor({0.0, 1.0, 3.0}).to(c.torch_type);
    HostInput input{"x", c.dtype, {3}, {}};
    input.bytes.resize(values.nbytes());
    std::memcpy(input.bytes.data(), values.data_ptr(), values.nbytes());
    HostOutputs host;
    ASSERT_EQ(Run({input}, host), SMI_OK) << error_.message;
    const HostOutputs::Output& doubled = host.by_name.at("output0");
    EXPECT_EQ(doubled.dtype, c.doubled);
    EXPECT_EQ(doubled.bytes.size() - 1, values.nbytes());
    const at::Tensor expected = values + values;
    EXPECT_EQ(std::memcmp(doubled.bytes.data(), expected.data_ptr(), expected.nbytes()), 0);
    const HostOutputs::Output& as_float = host.by_name.at("output1");
    EXPECT_EQ(as_float.dtype, SMI_DTYPE_FLOAT32);
    const at::Tensor expected_float = values.to(at::kFloat);
    EXPECT_EQ(std::memcmp(as_float.bytes.data(), expected_float.data_ptr(), 3 * sizeof(float)), 0);
  }
}

TEST_F(TorchScriptPluginTest, BadRequestsFailInTheirOwnSlot) {
  ASSERT_EQ(Load(SaveScripted(dir_, kSumAndDifference)), SMI_OK);
  const HostInput a = HostInput::Of<float>("a", SMI_DTYPE_FLOAT32, {2}, {1, 2});
  const HostInput b = HostInput::Of<float>("b", SMI_DTYPE_FLOAT32, {2}, {3, 4});
  const HostInput c = HostInput::Of<float>("c", SMI_DTYPE_FLOAT32, {2}, {3, 4});
  const HostInput wide = HostInput::Of<uint32_t>("b", SMI_DTYPE_UINT32, {2}, {3, 4});
  const HostInput short_b = HostInput::Of<float>("b", SMI_DTYPE_FLOAT32, {3}, {3, 4});
  const HostInput mismatched = HostInput::Of<float>("b", SMI_DTYPE_FLOAT32, {3}, {3, 4, 5});
  const std::vector<std::vector<HostInput>> inputs = {
      {a, b}, {a}, {a, b, c}, {a, wide}, {a, short_b}, {a, mismatched}, {a, a}};
  std::vector<std::vector<smi_tensor_view>> views(inputs.size());
  std::vector<HostOutputs> hosts(inputs.size());
  std::vector<smi_request> requests;
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (const HostInput& input : inputs[i]) views[i].push_back(input.view());
    requests.push_back({static_cast<uint32_t>(views[i].size()), views[i].data(), 0, nullptr,
                        hosts[i].allocator()});
  }
  std::vector<smi_error> errors(requests.size());
  EXPECT_EQ(api_->model_execute(model_, requests.data(), requests.size(), errors.data()),
            SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(errors[0].code, SMI_OK);
  EXPECT_EQ(hosts[0].by_name.at("output0").values<float>(), (std::vector<float>{4, 6}));
  EXPECT_EQ(errors[1].code, SMI_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(errors[1].message, "missing input 'b'");
  EXPECT_EQ(errors[2].code, SMI_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(errors[2].message, "unknown input 'c' (the model takes 'a', 'b')");
  EXPECT_EQ(errors[3].code, SMI_ERR_UNSUPPORTED);
  EXPECT_STREQ(errors[3].message,
               "input 'b': dtype uint32 is not supported by the torchscript plugin");
  EXPECT_EQ(errors[4].code, SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(errors[4].message, "byte_size 8 does not match 3 elements"), nullptr)
      << errors[4].message;
  EXPECT_EQ(errors[5].code, SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(errors[5].message, "forward failed: "), nullptr) << errors[5].message;
  EXPECT_NE(std::strstr(errors[5].message, "size of tensor a (2) must match"), nullptr)
      << errors[5].message;
  EXPECT_EQ(std::strstr(errors[5].message, "Traceback"), nullptr) << errors[5].message;
  EXPECT_EQ(errors[6].code, SMI_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(errors[6].message, "input 'a' is given twice");
  for (size_t i = 1; i < hosts.size(); ++i) EXPECT_TRUE(hosts[i].by_name.empty()) << i;
}

TEST_F(TorchScriptPluginTest, BadFilesAreCleanErrorsNamingTheFile) {
  const std::string nowhere = dir_.File("nowhere.pt");
  EXPECT_EQ(Load(nowhere), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, nowhere.c_str()), nullptr) << error_.message;

  EXPECT_EQ(Load(dir_.path().string()), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "holds no .pt file"), nullptr) << error_.message;

  dir_.Write("model.pt", "definitely not a zip archive \xff\xff");
  EXPECT_EQ(Load(dir_.File("model.pt")), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, dir_.File("model.pt").c_str()), nullptr) << error_.message;
  EXPECT_NE(std::strstr(error_.message, "is not a TorchScript model"), nullptr) << error_.message;

  SaveScripted(dir_, kSumAndDifference, nullptr, "other.pt");
  EXPECT_EQ(Load(dir_.path().string()), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(error_.message, "several .pt files (model.pt, other.pt)"), nullptr)
      << error_.message;
  EXPECT_EQ(model_, nullptr);

  std::filesystem::remove(dir_.File("model.pt"));
  EXPECT_EQ(Load(dir_.path().string()), SMI_OK) << error_.message;  // the one .pt left
}

TEST_F(TorchScriptPluginTest, ModelsThatWriteTheirInputsGetCopies) {
  const std::string path = SaveScripted(dir_,
                                        "def forward(self, x, y):\n"
                                        "    x.add_(1)\n    return x + y\n");
  for (const char* config : {R"({"optimize": "none"})", "{}", R"({"optimize": "inference"})"}) {
    SCOPED_TRACE(config);
    ASSERT_EQ(Load(path, config), SMI_OK) << error_.message;
    const std::vector<HostInput> inputs = {
        HostInput::Of<float>("x", SMI_DTYPE_FLOAT32, {2}, {1, 2}),
        HostInput::Of<float>("y", SMI_DTYPE_FLOAT32, {2}, {10, 10})};
    HostOutputs host;
    ASSERT_EQ(Run(inputs, host), SMI_OK) << error_.message;
    EXPECT_EQ(host.by_name.at("output").values<float>(), (std::vector<float>{12, 13}));
    EXPECT_EQ(inputs[0].bytes, HostInput::Of<float>("x", SMI_DTYPE_FLOAT32, {2}, {1, 2}).bytes);
  }
}

TEST_F(TorchScriptPluginTest, ReportsParameterAndBufferBytes) {
  ASSERT_EQ(Load(SaveScripted(dir_, "def forward(self, x):\n    return x * self.w + self.b\n",
                              [](torch::jit::Module& module) {
                                module.register_parameter("w", torch::ones({4}), false);
                                module.register_buffer("b", torch::zeros({2, 3}, at::kDouble));
                              })),
            SMI_OK)
      << error_.message;
  EXPECT_EQ(api_->model_memory_bytes(model_), 4 * sizeof(float) + 6 * sizeof(double));
}

// ---------------------------------------------------------------------------------------------
// The fixture models: torch's outputs in test_data_set_<k> are the reference.

struct DataSet {
  std::vector<HostInput> inputs;
  std::vector<std::pair<std::string, Tensor>> outputs;  // graph output name, reference
};

std::vector<DataSet> ReadDataSets(const std::filesystem::path& model_dir) {
  std::vector<DataSet> data_sets;
  for (int k = 0; std::filesystem::exists(model_dir / ("test_data_set_" + std::to_string(k)));
       ++k) {
    const std::filesystem::path dir = model_dir / ("test_data_set_" + std::to_string(k));
    DataSet data_set;
    for (const char* kind : {"input", "output"}) {
      for (int i = 0;; ++i) {
        std::ifstream file(dir / (std::string(kind) + "_" + std::to_string(i) + ".pb"),
                           std::ios::binary);
        if (!file) break;
        onnx::TensorProto proto;
        EXPECT_TRUE(proto.ParseFromIstream(&file));
        StatusOr<Tensor> tensor = engine::TensorFromProto(proto);
        EXPECT_TRUE(tensor.ok()) << tensor.status().ToString();
        if (std::string(kind) == "output") {
          data_set.outputs.emplace_back(proto.name(), *tensor);
          continue;
        }
        HostInput input{proto.name(), static_cast<smi_dtype>(tensor->dtype()), tensor->shape(), {}};
        const auto* bytes = static_cast<const unsigned char*>(tensor->raw_data());
        input.bytes.assign(bytes, bytes + tensor->byte_size());
        data_set.inputs.push_back(std::move(input));
      }
    }
    data_sets.push_back(std::move(data_set));
  }
  return data_sets;
}

// Float outputs equal to the reference within rtol 1e-4 and atol 1e-5.
void ExpectCloseToReference(const HostOutputs::Output& actual, const Tensor& expected) {
  ASSERT_EQ(actual.dtype, SMI_DTYPE_FLOAT32);
  ASSERT_EQ(actual.shape, expected.shape());
  const std::vector<float> values = actual.values<float>();
  const std::span<const float> reference = expected.values<float>();
  ASSERT_EQ(values.size(), reference.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_LE(std::fabs(values[i] - reference[i]), 1e-5 + 1e-4 * std::fabs(reference[i]))
        << "element " << i;
  }
}

std::filesystem::path FixtureDir(const std::string& name) {
  return std::filesystem::path(MLOS_FIXTURES_DIR) / name;
}

class TorchScriptFixtureTest : public TorchScriptPluginTest,
                               public ::testing::WithParamInterface<std::string> {};

// Derived signature (the fixture directory holds model.onnx too, and exactly one .pt): outputs
// compared by position; every optimization gives the reference.
TEST_P(TorchScriptFixtureTest, MatchesTorchsReferenceOutputs) {
  const std::vector<DataSet> data_sets = ReadDataSets(FixtureDir(GetParam()));
  ASSERT_FALSE(data_sets.empty());
  for (const char* optimize : {"none", "freeze", "inference"}) {
    SCOPED_TRACE(optimize);
    ASSERT_EQ(
        Load(FixtureDir(GetParam()).string(), std::string(R"({"optimize": ")") + optimize + "\"}"),
        SMI_OK)
        << error_.message;
    const smi_signature signature = Signature();
    ASSERT_EQ(signature.input_count, data_sets[0].inputs.size());
    for (uint32_t i = 0; i < signature.input_count; ++i) {
      EXPECT_EQ(signature.inputs[i].name, data_sets[0].inputs[i].name);  // traced arg names
    }
    EXPECT_GT(api_->model_memory_bytes(model_), 0u);
    for (const DataSet& data_set : data_sets) {
      HostOutputs host;
      ASSERT_EQ(Run(data_set.inputs, host), SMI_OK) << error_.message;
      ASSERT_EQ(host.order.size(), data_set.outputs.size());
      for (size_t i = 0; i < host.order.size(); ++i) {
        ExpectCloseToReference(host.by_name.at(host.order[i]), data_set.outputs[i].second);
      }
    }
  }
}

// Declared signature with the ONNX graph's names: outputs found by name.
TEST_P(TorchScriptFixtureTest, DeclaredNamesReachTheRightTensors) {
  const std::vector<DataSet> data_sets = ReadDataSets(FixtureDir(GetParam()));
  ASSERT_FALSE(data_sets.empty());
  std::string inputs, outputs;
  for (const HostInput& input : data_sets[0].inputs) {
    inputs += (inputs.empty() ? "" : ", ") + std::string(R"({"name": ")") + input.name +
              R"(", "datatype": ")" + KServeName(static_cast<DataType>(input.dtype)) + "\"}";
  }
  for (const auto& [name, tensor] : data_sets[0].outputs) {
    outputs += (outputs.empty() ? "" : ", ") + std::string(R"({"name": ")") + name + "\"}";
  }
  ASSERT_EQ(Load(FixtureDir(GetParam()).string(),
                 "{\"inputs\": [" + inputs + "], \"outputs\": [" + outputs + "]}"),
            SMI_OK)
      << error_.message;
  for (const DataSet& data_set : data_sets) {
    HostOutputs host;
    ASSERT_EQ(Run(data_set.inputs, host), SMI_OK) << error_.message;
    for (const auto& [name, reference] : data_set.outputs) {
      ExpectCloseToReference(host.by_name.at(name), reference);
    }
  }
}

// smi.h lets the host run one model from several threads at once.
TEST_P(TorchScriptFixtureTest, OneModelRunsConcurrently) {
  const std::vector<DataSet> data_sets = ReadDataSets(FixtureDir(GetParam()));
  ASSERT_FALSE(data_sets.empty());
  ASSERT_EQ(Load(FixtureDir(GetParam()).string()), SMI_OK) << error_.message;
  constexpr int kThreads = 8, kRunsPerThread = 15;
  std::atomic<int> failures{0}, mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int run = 0; run < kRunsPerThread; ++run) {
        const DataSet& data_set = data_sets[(t + run) % data_sets.size()];
        std::vector<smi_tensor_view> views;
        for (const HostInput& input : data_set.inputs) views.push_back(input.view());
        HostOutputs host;
        const smi_request request{static_cast<uint32_t>(views.size()), views.data(), 0, nullptr,
                                  host.allocator()};
        smi_error error{};
        if (api_->model_execute(model_, &request, 1, &error) != SMI_OK) {
          ++failures;
          continue;
        }
        for (size_t i = 0; i < host.order.size(); ++i) {
          const std::vector<float> values = host.by_name.at(host.order[i]).values<float>();
          const std::span<const float> reference = data_set.outputs[i].second.values<float>();
          for (size_t e = 0; e < reference.size(); ++e) {
            if (std::fabs(values[e] - reference[e]) > 1e-5 + 1e-4 * std::fabs(reference[e])) {
              ++mismatches;
              break;
            }
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TorchScriptFixtureTest,
                         ::testing::Values("mlp", "convnet", "tiny_bert"));

}  // namespace
}  // namespace mlos::plugins::torchscript
