// Test helpers: build small ONNX models in memory with the onnx protobuf API and save them into a
// temporary directory. Header-only; include only from *_test.cc files.
#pragma once

#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/tensor.h"

namespace mlos::engine::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mlos_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path_ / name, std::ios::binary) << bytes;
  }

 private:
  std::filesystem::path path_;
};

// ModelBuilder(13).Input("x", kFloat32, {-1, 4}).Node("Relu", {"x"}, {"y"}).Output(...).
// A -1 dimension becomes the symbolic dimension "N".
class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 13) {
    model_.set_ir_version(8);
    model_.set_producer_name("mlos-test");
    auto* import = model_.add_opset_import();
    import->set_domain("");
    import->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  ModelBuilder& Import(const std::string& domain, int version) {
    auto* import = model_.add_opset_import();
    import->set_domain(domain);
    import->set_version(version);
    return *this;
  }
  ModelBuilder& Input(const std::string& name, DataType dtype, const Shape& shape) {
    SetValueInfo(model_.mutable_graph()->add_input(), name, dtype, shape);
    return *this;
  }
  ModelBuilder& Output(const std::string& name, DataType dtype, const Shape& shape) {
    SetValueInfo(model_.mutable_graph()->add_output(), name, dtype, shape);
    return *this;
  }
  ModelBuilder& FloatInitializer(const std::string& name, const Shape& shape,
                                 const std::vector<float>& values) {
    onnx::TensorProto* tensor = model_.mutable_graph()->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t dim : shape) tensor->add_dims(dim);
    tensor->set_raw_data(values.data(), values.size() * sizeof(float));
    return *this;
  }
  onnx::NodeProto& Node(const std::string& op_type, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "",
                        const std::string& domain = "") {
    onnx::NodeProto* node = model_.mutable_graph()->add_node();
    node->set_op_type(op_type);
    node->set_name(name.empty() ? op_type + "_" + std::to_string(model_.graph().node_size())
                                : name);
    node->set_domain(domain);
    for (const std::string& input : inputs) node->add_input(input);
    for (const std::string& output : outputs) node->add_output(output);
    return *node;
  }

  onnx::ModelProto& proto() { return model_; }
  // Writes the model as `dir`/`file_name` and returns the path.
  std::string Save(const TempDir& dir, const std::string& file_name = "model.onnx") const {
    dir.Write(file_name, model_.SerializeAsString());
    return dir.File(file_name);
  }

 private:
  static void SetValueInfo(onnx::ValueInfoProto* value, const std::string& name, DataType dtype,
                           const Shape& shape) {
    value->set_name(name);
    auto* tensor_type = value->mutable_type()->mutable_tensor_type();
    tensor_type->set_elem_type(static_cast<int32_t>(dtype));
    auto* proto_shape = tensor_type->mutable_shape();
    for (int64_t dim : shape) {
      if (dim >= 0) {
        proto_shape->add_dim()->set_dim_value(dim);
      } else {
        proto_shape->add_dim()->set_dim_param("N");
      }
    }
  }

  onnx::ModelProto model_;
};

// A float32 tensor holding `values`.
inline Tensor FloatTensor(Shape shape, const std::vector<float>& values) {
  Tensor tensor(DataType::kFloat32, std::move(shape));
  std::copy(values.begin(), values.end(), tensor.data<float>());
  return tensor;
}

}  // namespace mlos::engine::testing
