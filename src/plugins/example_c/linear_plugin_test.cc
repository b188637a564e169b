// Tests the example C plugin as Core uses it: the built module is dlopen'ed and driven only
// through the table its one exported symbol returns.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "mlos/smi.h"
#include "mlos/smi_cpp.h"

namespace {

namespace smi = mlos::smi;

// y = W·x + b with W = [[1, 2, 3], [-1, 0, 1]], b = [0.5, -2]: input x [batch, 3], output y
// [batch, 2].
constexpr const char* kLinearModel = R"(mlos-linear 1   # a comment
input x 3
output y 2
weights
   1  2  3
  -1  0  1
bias 0.5 -2
)";

// Host side of one request: owns the output buffers the plugin asks the allocator for.
struct HostOutputs {
  struct Output {
    smi_dtype dtype = SMI_DTYPE_INVALID;
    std::vector<int64_t> shape;
    std::vector<float> values;
  };
  std::map<std::string, Output> by_name;
  bool refuse = false;  // the allocator returns NULL, as a host out of memory does

  smi_allocator allocator() {
    return {this,
            [](void* context, const char* name, smi_dtype dtype, int32_t rank, const int64_t* shape,
               uint64_t byte_size) -> void* {
              auto* host = static_cast<HostOutputs*>(context);
              if (host->refuse) return nullptr;
              Output& output = host->by_name[name];
              output = {dtype, std::vector<int64_t>(shape, shape + rank),
                        std::vector<float>(byte_size / sizeof(float) + 1)};
              return output.values.data();
            }};
  }
  std::vector<float> Values(const std::string& name) const {
    const Output& output = by_name.at(name);
    return {output.values.begin(), output.values.end() - 1};
  }
};

// An FP32 [rows, columns] input view over `values`.
struct Input {
  Input(std::string name, std::vector<float> values, int64_t rows, int64_t columns)
      : name(std::move(name)), values(std::move(values)), shape{rows, columns} {}
  smi_tensor_view View() const {
    return {name.c_str(), SMI_DTYPE_FLOAT32, 2,
            shape,        values.data(),     values.size() * sizeof(float)};
  }
  std::string name;
  std::vector<float> values;
  int64_t shape[2];
};

class LinearPluginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    library_ = dlopen(MLOS_LINEAR_PLUGIN_MODULE, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library_, nullptr) << dlerror();
    init_ = reinterpret_cast<smi_plugin_init_fn>(dlsym(library_, SMI_PLUGIN_INIT_SYMBOL));
    ASSERT_NE(init_, nullptr) << dlerror();
  }
  static void TearDownTestSuite() {
    if (library_ != nullptr) dlclose(library_);
    library_ = nullptr;
  }

  void SetUp() override {
    api_ = init_(SMI_VERSION_MAJOR, SMI_VERSION_MINOR);
    ASSERT_NE(api_, nullptr);
    ASSERT_EQ(smi::Plugin::Create(api_, "{}", &plugin_, &error_), SMI_OK) << error_.text();
    char pattern[] = "/tmp/mlos_linear_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    model_.reset();
    plugin_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Write(const std::string& text, const std::string& name = "model.linear") {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  smi_status Load(const std::string& path, const char* config = "{}") {
    return plugin_.LoadModel(path.c_str(), config, &model_, &error_);
  }

  static inline void* library_ = nullptr;
  static inline smi_plugin_init_fn init_ = nullptr;
  const smi_plugin_api* api_ = nullptr;
  smi::Plugin plugin_;
  smi::Model model_;
  smi::Error error_;
  std::filesystem::path dir_;
};

TEST_F(LinearPluginTest, DescribesItself) {
  EXPECT_EQ(api_->abi_major, static_cast<uint32_t>(SMI_VERSION_MAJOR));
  EXPECT_EQ(api_->abi_minor, static_cast<uint32_t>(SMI_VERSION_MINOR));
  EXPECT_EQ(api_->struct_size, sizeof(smi_plugin_api));
  EXPECT_STREQ(api_->id, "linear");
  ASSERT_NE(api_->execution_formats, nullptr);
  EXPECT_STREQ(api_->execution_formats[0], "mlos-linear");
  EXPECT_EQ(api_->execution_formats[1], nullptr);
  EXPECT_NE(api_->model_memory_bytes, nullptr);
  // A host of another major version gets no table; a newer minor one does.
  EXPECT_EQ(init_(SMI_VERSION_MAJOR + 1, 0), nullptr);
  EXPECT_EQ(init_(SMI_VERSION_MAJOR, SMI_VERSION_MINOR + 1), api_);
}

TEST_F(LinearPluginTest, ExportsOnlyItsInitSymbol) {
  // A static function of the plugin must not be reachable by name.
  EXPECT_EQ(dlsym(library_, "linear_model_execute"), nullptr);
  EXPECT_EQ(dlsym(library_, "set_error"), nullptr);
}

TEST_F(LinearPluginTest, ReportsSignatureAndMemory) {
  ASSERT_EQ(Load(Write(kLinearModel), R"({"threads": 2, "inputs": []})"), SMI_OK) << error_.text();
  smi_signature signature{};
  ASSERT_EQ(model_.Signature(&signature, &error_), SMI_OK) << error_.text();
  ASSERT_EQ(signature.input_count, 1u);
  EXPECT_STREQ(signature.inputs[0].name, "x");
  EXPECT_EQ(signature.inputs[0].dtype, SMI_DTYPE_FLOAT32);
  ASSERT_EQ(signature.inputs[0].rank, 2);
  EXPECT_EQ(signature.inputs[0].shape[0], -1);
  EXPECT_EQ(signature.inputs[0].shape[1], 3);
  ASSERT_EQ(signature.output_count, 1u);
  EXPECT_STREQ(signature.outputs[0].name, "y");
  EXPECT_EQ(signature.outputs[0].dtype, SMI_DTYPE_FLOAT32);
  ASSERT_EQ(signature.outputs[0].rank, 2);
  EXPECT_EQ(signature.outputs[0].shape[0], -1);
  EXPECT_EQ(signature.outputs[0].shape[1], 2);
  EXPECT_EQ(model_.MemoryBytes(), (2 * 3 + 2) * sizeof(float));
}

TEST_F(LinearPluginTest, ComputesWxPlusB) {
  ASSERT_EQ(Load(Write(kLinearModel)), SMI_OK) << error_.text();
  const Input x("x", {1, 1, 1, 0.5f, -1, 2}, 2, 3);
  const smi_tensor_view view = x.View();
  HostOutputs host;
  const smi_request request{1, &view, 0, nullptr, host.allocator()};
  smi_error errors[1]{};
  ASSERT_EQ(model_.Execute(&request, 1, errors), SMI_OK) << errors[0].message;
  EXPECT_EQ(errors[0].code, SMI_OK);
  const HostOutputs::Output& y = host.by_name.at("y");
  EXPECT_EQ(y.dtype, SMI_DTYPE_FLOAT32);
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, 2}));
  // Row 1: [1+2+3+0.5, -1+1-2]; row 2: [0.5-2+6+0.5, -0.5+2-2].
  EXPECT_EQ(host.Values("y"), (std::vector<float>{6.5f, -2, 5, -0.5f}));
}

TEST_F(LinearPluginTest, ReluClampsNegativeOutputs) {
  std::string text = kLinearModel;
  text.replace(text.find("weights"), 0, "activation relu\n");
  ASSERT_EQ(Load(Write(text)), SMI_OK) << error_.text();
  const Input x("x", {1, 1, 1}, 1, 3);
  const smi_tensor_view view = x.View();
  HostOutputs host;
  const smi_request request{1, &view, 0, nullptr, host.allocator()};
  ASSERT_EQ(model_.Execute(&request, 1, nullptr), SMI_OK);
  EXPECT_EQ(host.Values("y"), (std::vector<float>{6.5f, 0}));
}

TEST_F(LinearPluginTest, EmptyBatchGivesEmptyOutput) {
  ASSERT_EQ(Load(Write(kLinearModel)), SMI_OK) << error_.text();
  const Input x("x", {}, 0, 3);
  const smi_tensor_view view = x.View();
  HostOutputs host;
  const smi_request request{1, &view, 0, nullptr, host.allocator()};
  smi_error errors[1]{};
  ASSERT_EQ(model_.Execute(&request, 1, errors), SMI_OK) << errors[0].message;
  EXPECT_EQ(host.by_name.at("y").shape, (std::vector<int64_t>{0, 2}));
}

TEST_F(LinearPluginTest, HonoursOutputNames) {
  ASSERT_EQ(Load(Write(kLinearModel)), SMI_OK) << error_.text();
  const Input x("x", {1, 1, 1}, 1, 3);
  const smi_tensor_view view = x.View();
  const char* const wanted[] = {"y"};
  const char* const unknown[] = {"y", "z"};
  HostOutputs asked_y, asked_z;
  const smi_request requests[] = {{1, &view, 1, wanted, asked_y.allocator()},
                                  {1, &view, 2, unknown, asked_z.allocator()}};
  smi_error errors[2]{};
  EXPECT_EQ(model_.Execute(requests, 2, errors), SMI_ERR_NOT_FOUND);
  EXPECT_EQ(errors[0].code, SMI_OK);
  EXPECT_EQ(asked_y.Values("y"), (std::vector<float>{6.5f, -2}));
  EXPECT_EQ(errors[1].code, SMI_ERR_NOT_FOUND);
  EXPECT_EQ(std::string(errors[1].message), "unknown output 'z' (the model's output is 'y')");
  EXPECT_TRUE(asked_z.by_name.empty());
}

TEST_F(LinearPluginTest, OnlyTheBadRequestOfABatchFails) {
  ASSERT_EQ(Load(Write(kLinearModel)), SMI_OK) << error_.text();
  const Input good("x", {1, 1, 1}, 1, 3);
  const Input wrong_width("x", {1, 1, 1, 1}, 1, 4);
  const smi_tensor_view good_view = good.View(), bad_view = wrong_width.View();
  HostOutputs first, second, third;
  const smi_request requests[] = {{1, &good_view, 0, nullptr, first.allocator()},
                                  {1, &bad_view, 0, nullptr, second.allocator()},
                                  {1, &good_view, 0, nullptr, third.allocator()}};
  smi_error errors[3]{};
  EXPECT_EQ(model_.Execute(requests, 3, errors), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(errors[0].code, SMI_OK);
  EXPECT_EQ(errors[1].code, SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(errors[1].message), "input 'x': expected shape [batch, 3], got [1, 4]");
  EXPECT_EQ(errors[2].code, SMI_OK);
  EXPECT_EQ(first.Values("y"), (std::vector<float>{6.5f, -2}));
  EXPECT_TRUE(second.by_name.empty());
  EXPECT_EQ(third.Values("y"), (std::vector<float>{6.5f, -2}));
  // Without error slots the status still says that a request failed.
  EXPECT_EQ(model_.Execute(requests, 3, nullptr), SMI_ERR_INVALID_ARGUMENT);
}

// Each way a request can be wrong fails with its own message.
TEST_F(LinearPluginTest, RefusesBadRequests) {
  ASSERT_EQ(Load(Write(kLinearModel)), SMI_OK) << error_.text();
  const Input x("x", {1, 1, 1, 1, 1, 1}, 2, 3);
  const Input other("w", {1, 1, 1}, 1, 3);
  const int64_t rank3[] = {1, 2, 3};
  const int64_t negative[] = {-1, 3};
  const smi_tensor_view good = x.View();
  struct Case {
    smi_tensor_view view;
    const char* expected;
  };
  smi_tensor_view int32 = good, rank = good, batch = good, short_bytes = good, no_data = good;
  int32.dtype = SMI_DTYPE_INT32;
  rank.rank = 3;
  rank.shape = rank3;
  batch.shape = negative;
  short_bytes.byte_size -= 4;
  no_data.data = nullptr;
  const Case cases[] = {
      {int32, "input 'x': expected FP32 (SMI dtype 1), got SMI dtype 6"},
      {rank, "input 'x': expected rank 2 [batch, 3], got rank 3"},
      {batch, "input 'x': expected shape [batch, 3], got [-1, 3]"},
      {short_bytes, "input 'x': shape [2, 3] needs 24 bytes, the view has 20"},
      {no_data, "input 'x': shape [2, 3] needs 24 bytes, the view has 24 and no data"},
      {other.View(), "unknown input 'w' (the model's only input is 'x')"},
  };
  for (const Case& bad : cases) {
    HostOutputs host;
    const smi_request request{1, &bad.view, 0, nullptr, host.allocator()};
    smi_error errors[1]{};
    EXPECT_EQ(model_.Execute(&request, 1, errors), SMI_ERR_INVALID_ARGUMENT) << bad.expected;
    EXPECT_EQ(std::string(errors[0].message), bad.expected);
    EXPECT_TRUE(host.by_name.empty()) << bad.expected;
  }
  HostOutputs host;
  const smi_request no_inputs{0, nullptr, 0, nullptr, host.allocator()};
  smi_error errors[1]{};
  EXPECT_EQ(model_.Execute(&no_inputs, 1, errors), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(errors[0].message), "missing input 'x'");
}

TEST_F(LinearPluginTest, AllocatorFailureIsOutOfMemory) {
  ASSERT_EQ(Load(Write(kLinearModel)), SMI_OK) << error_.text();
  const Input x("x", {1, 1, 1}, 1, 3);
  const smi_tensor_view view = x.View();
  HostOutputs host;
  host.refuse = true;
  const smi_request request{1, &view, 0, nullptr, host.allocator()};
  smi_error errors[1]{};
  EXPECT_EQ(model_.Execute(&request, 1, errors), SMI_ERR_OUT_OF_MEMORY);
  EXPECT_EQ(std::string(errors[0].message), "output 'y': the host could not allocate 8 bytes");
}

TEST_F(LinearPluginTest, ExecutesConcurrentlyOnOneModel) {
  ASSERT_EQ(Load(Write(kLinearModel)), SMI_OK) << error_.text();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const float value = static_cast<float>(t * 1000 + i);
        const Input x("x", {value, 0, 0}, 1, 3);
        const smi_tensor_view view = x.View();
        HostOutputs host;
        const smi_request request{1, &view, 0, nullptr, host.allocator()};
        if (model_.Execute(&request, 1, nullptr) != SMI_OK ||
            host.Values("y") != std::vector<float>{value + 0.5f, -value - 2}) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, (std::vector<int>{0, 0, 0, 0}));
}

TEST_F(LinearPluginTest, MissingFileIsNotFound) {
  const std::string path = (dir_ / "nowhere.linear").string();
  EXPECT_EQ(Load(path), SMI_ERR_NOT_FOUND);
  EXPECT_EQ(error_.code, SMI_ERR_NOT_FOUND);
  EXPECT_EQ(error_.text(), path + ": cannot open the model file");
  EXPECT_FALSE(model_);
}

TEST_F(LinearPluginTest, DirectoryIsRefused) {
  EXPECT_EQ(Load(dir_.string()), SMI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(error_.text(), dir_.string() + ": cannot read the model file");
  EXPECT_FALSE(model_);
}

// Every malformed file fails to load with SMI_ERR_INVALID_ARGUMENT and "<path>:<line>: <what>".
TEST_F(LinearPluginTest, RefusesMalformedFiles) {
  const std::string head = "mlos-linear 1\ninput x 2\noutput y 1\n";  // lines 1-3
  struct Case {
    std::string text;
    std::string expected;  // after "<path>:"
  };
  const Case cases[] = {
      {"", "1: unexpected end of file: expected 'mlos-linear 1'"},
      {"# only a comment\n\n", "1: unexpected end of file: expected 'mlos-linear 1'"},
      {"mlos-linar 1\n", "1: expected 'mlos-linear 1', found 'mlos-linar'"},
      {"mlos-linear 2\n", "1: format version 2 is not supported (this plugin reads 1)"},
      {"mlos-linear one\n", "1: the format version must be a whole number, found 'one'"},
      {"mlos-linear 1\nweights 1 2\n", "2: expected 'input <name> <size>', found 'weights'"},
      {"mlos-linear 1\ninput x! 2\n",
       "2: the input name 'x!' has a character other than [A-Za-z0-9_.-]"},
      {"mlos-linear 1\ninput " + std::string(64, 'a') + " 2\n",
       "2: the input name '" + std::string(64, 'a') + "' is longer than 63 characters"},
      {"mlos-linear 1\ninput x 0\n", "2: the input size must be between 1 and 65536, found '0'"},
      {"mlos-linear 1\ninput x -3\n", "2: the input size must be a whole number, found '-3'"},
      {"mlos-linear 1\ninput x 2.5\n", "2: the input size must be a whole number, found '2.5'"},
      {"mlos-linear 1\ninput x 99999999999999999999999\n",
       "2: the input size must be between 1 and 65536, found '99999999999999999999999'"},
      {"mlos-linear 1\ninput x 65536\noutput y 65536\nweights\n",
       "3: 65536 x 65536 weights are more than this plugin takes (16777216)"},
      {"mlos-linear 1\ninput x 2\noutput x 1\n", "3: the input and the output are both named 'x'"},
      {head + "activation tanh\n", "4: the activation must be 'none' or 'relu', found 'tanh'"},
      {head + "activation",
       "4: the activation must be 'none' or 'relu', found 'the end of the file'"},
      {head + "bias 1\n", "4: expected 'weights <numbers>', found 'bias'"},
      {head + "weights 1\nbias 0\n", "5: weights value 2 of 2 is not a number: 'bias'"},
      {head + "weights 1 2x\nbias 0\n", "4: weights value 2 of 2 is not a number: '2x'"},
      {head + "weights 1 nan\nbias 0\n", "4: weights value 2 of 2 is not finite in FP32: 'nan'"},
      {head + "weights 1 -inf\nbias 0\n", "4: weights value 2 of 2 is not finite in FP32: '-inf'"},
      {head + "weights 1 1e39\nbias 0\n", "4: weights value 2 of 2 is not finite in FP32: '1e39'"},
      {head + "weights 1\n", "4: unexpected end of file: expected 2 weights values, found 1"},
      {head + "weights 1 2\n", "4: unexpected end of file: expected 'bias <numbers>'"},
      {head + "weights 1 2\nbias\n", "5: unexpected end of file: expected 1 bias values, found 0"},
      {head + "weights 1 2\nbias 0 0\n", "5: unexpected '0' after the last bias value"},
      {head + "weights 1 2\nbias 0\n\nextra\n", "7: unexpected 'extra' after the last bias value"},
      {head + "weights 1 " + std::string(200, '1') + "\n",
       "4: token '11111111111111111111...' is longer than 127 characters"},
      {"mlos-linear 1\n\x01\xff\x7f junk",
       "2: expected 'input <name> <size>', found '\?\?\?'"},
  };
  for (const Case& bad : cases) {
    const std::string path = Write(bad.text);
    EXPECT_EQ(Load(path), SMI_ERR_INVALID_ARGUMENT) << bad.text;
    EXPECT_EQ(error_.code, SMI_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(error_.text(), path + ":" + bad.expected);
    EXPECT_FALSE(model_) << bad.text;
  }
}

TEST_F(LinearPluginTest, AcceptsCommentsAnyLayoutAndExplicitNoActivation) {
  const std::string text =
      "# a model\r\nmlos-linear 1 input x 2 output y 1 activation none\n"
      "weights 0x1p1 -2.5e0 # hexadecimal and exponent floats\nbias 1e-3";
  ASSERT_EQ(Load(Write(text)), SMI_OK) << error_.text();
  const Input x("x", {1, 1}, 1, 2);
  const smi_tensor_view view = x.View();
  HostOutputs host;
  const smi_request request{1, &view, 0, nullptr, host.allocator()};
  ASSERT_EQ(model_.Execute(&request, 1, nullptr), SMI_OK);
  EXPECT_FLOAT_EQ(host.Values("y")[0], 2 - 2.5f + 1e-3f);
}

}  // namespace
