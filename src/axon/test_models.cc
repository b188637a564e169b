#include "axon/test_models.h"

#include <onnx/onnx_pb.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace mlos::axon::testing {
namespace {

namespace fs = std::filesystem;

void SetFloatTensor(onnx::ValueInfoProto* value, const std::string& name) {
  value->set_name(name);
  onnx::TypeProto::Tensor* tensor = value->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  tensor->mutable_shape()->add_dim()->set_dim_param("batch");
  tensor->mutable_shape()->add_dim()->set_dim_value(4);
}

}  // namespace

TempDir::TempDir(const std::string& suffix) {
  std::string pattern = (fs::temp_directory_path() / "axon_test_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  if (!suffix.empty()) {
    path_ += "/" + suffix;
    fs::create_directories(path_);
  }
  path_ = fs::path(path_).string();
  root_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(root_, ignored);
}

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void WriteTinyOnnxModel(const std::string& path) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("axon-test");
  model.set_producer_version("1");
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("tiny");
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type("Relu");
  node->add_input("x");
  node->add_output("y");
  SetFloatTensor(graph->add_input(), "x");
  SetFloatTensor(graph->add_output(), "y");
  std::string bytes;
  model.SerializeToString(&bytes);
  WriteFile(path, bytes);
}

}  // namespace mlos::axon::testing
