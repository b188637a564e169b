#include "tools/bench-engine/bench_inputs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

namespace mlos::bench {
namespace {

using engine::NamedTensor;

// The smallest row count of the initializer tables that Gather nodes index with `input`; 0 when
// the input indexes none.
int64_t EmbeddingRows(const onnx::GraphProto& graph, const std::string& input) {
  std::map<std::string, int64_t> rows;
  for (const onnx::TensorProto& initializer : graph.initializer()) {
    if (initializer.dims_size() > 0) rows[initializer.name()] = initializer.dims(0);
  }
  int64_t smallest = 0;
  for (const onnx::NodeProto& node : graph.node()) {
    if (node.op_type() != "Gather" || node.input_size() < 2 || node.input(1) != input) continue;
    const auto table = rows.find(node.input(0));
    if (table == rows.end()) continue;
    smallest = smallest == 0 ? table->second : std::min(smallest, table->second);
  }
  return smallest;
}

StatusOr<Shape> ResolveShape(const onnx::ValueInfoProto& input, const InputSizes& sizes) {
  const onnx::TensorShapeProto& shape = input.type().tensor_type().shape();
  Shape resolved;
  for (int i = 0; i < shape.dim_size(); ++i) {
    const onnx::TensorShapeProto::Dimension& dim = shape.dim(i);
    if (dim.has_dim_value()) {
      resolved.push_back(dim.dim_value());
    } else if (const auto named = sizes.dims.find(dim.dim_param()); named != sizes.dims.end()) {
      resolved.push_back(named->second);
    } else if (i == 0) {
      resolved.push_back(sizes.batch);
    } else {
      return InvalidArgument("input '" + input.name() + "': dimension " + std::to_string(i) +
                             " ('" + dim.dim_param() + "') has no size; pass --dim " +
                             (dim.dim_param().empty() ? std::string("NAME") : dim.dim_param()) +
                             "=SIZE");
    }
  }
  return resolved;
}

template <typename T>
void FillIntegers(Tensor& tensor, int64_t bound, std::mt19937_64& random) {
  T* data = tensor.data<T>();
  std::uniform_int_distribution<int64_t> ids(0, std::max<int64_t>(bound, 1) - 1);
  for (int64_t i = 0; i < tensor.element_count(); ++i) {
    data[i] = static_cast<T>(bound > 0 ? ids(random) : 1);
  }
}

template <typename T>
void FillReals(Tensor& tensor, std::mt19937_64& random) {
  T* data = tensor.data<T>();
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  for (int64_t i = 0; i < tensor.element_count(); ++i) data[i] = static_cast<T>(uniform(random));
}

StatusOr<Tensor> MakeTensor(const onnx::GraphProto& graph, const onnx::ValueInfoProto& input,
                            const InputSizes& sizes, std::mt19937_64& random) {
  const std::optional<DataType> dtype = DataTypeFromCode(input.type().tensor_type().elem_type());
  ASSIGN_OR_RETURN(Shape shape, ResolveShape(input, sizes));
  if (!dtype) return Unimplemented("input '" + input.name() + "' has an unknown element type");
  Tensor tensor(*dtype, shape);
  const int64_t rows = EmbeddingRows(graph, input.name());
  switch (*dtype) {
    case DataType::kFloat32:
      FillReals<float>(tensor, random);
      break;
    case DataType::kFloat64:
      FillReals<double>(tensor, random);
      break;
    case DataType::kInt64:
      FillIntegers<int64_t>(tensor, rows, random);
      break;
    case DataType::kInt32:
      FillIntegers<int32_t>(tensor, rows, random);
      break;
    case DataType::kBool:
      std::fill_n(tensor.data<bool>(), tensor.element_count(), true);
      break;
    default:
      return Unimplemented("input '" + input.name() + "' is " + Name(*dtype) +
                           "; the benchmark makes float32, float64, int32, int64 and bool inputs");
  }
  return tensor;
}

}  // namespace

StatusOr<std::vector<NamedTensor>> MakeInputs(const onnx::ModelProto& model,
                                              const InputSizes& sizes) {
  const onnx::GraphProto& graph = model.graph();
  std::set<std::string> initializers;
  for (const onnx::TensorProto& initializer : graph.initializer()) {
    initializers.insert(initializer.name());
  }
  std::mt19937_64 random(sizes.seed);
  std::vector<NamedTensor> inputs;
  for (const onnx::ValueInfoProto& input : graph.input()) {
    if (initializers.count(input.name())) continue;
    ASSIGN_OR_RETURN(Tensor tensor, MakeTensor(graph, input, sizes, random));
    inputs.push_back({input.name(), std::move(tensor)});
  }
  return inputs;
}

Status WriteInputFiles(const std::string& dir, std::span<const NamedTensor> inputs) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Internal("cannot create " + dir + ": " + error.message());
  nlohmann::json index = nlohmann::json::array();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& tensor = inputs[i].tensor;
    const std::string file = dir + "/input_" + std::to_string(i) + ".bin";
    std::ofstream out(file, std::ios::binary);
    out.write(static_cast<const char*>(tensor.raw_data()),
              static_cast<std::streamsize>(tensor.byte_size()));
    if (!out) return Internal("cannot write " + file);
    index.push_back({{"name", inputs[i].name},
                     {"dtype", Name(tensor.dtype())},
                     {"shape", tensor.shape()},
                     {"file", file}});
  }
  std::ofstream out(dir + "/inputs.json");
  out << index.dump(1) << "\n";
  if (!out) return Internal("cannot write " + dir + "/inputs.json");
  return Status::Ok();
}

StatusOr<std::vector<NamedTensor>> ReadInputFiles(const std::string& dir) {
  const std::string index_path = dir + "/inputs.json";
  std::ifstream index_file(index_path);
  if (!index_file) return NotFound("cannot open " + index_path);
  std::vector<NamedTensor> inputs;
  try {
    for (const nlohmann::json& entry : nlohmann::json::parse(index_file)) {
      const std::string file = entry.at("file").get<std::string>();
      const std::optional<DataType> dtype = ParseDataType(entry.at("dtype").get<std::string>());
      if (!dtype) return InvalidArgument(index_path + ": unknown dtype of " + file);
      Tensor tensor(*dtype, entry.at("shape").get<Shape>());
      std::ifstream in(file, std::ios::binary);
      in.read(static_cast<char*>(tensor.raw_data()),
              static_cast<std::streamsize>(tensor.byte_size()));
      if (!in || in.peek() != std::char_traits<char>::eof()) {
        return InvalidArgument(file + " does not hold " + std::to_string(tensor.byte_size()) +
                               " bytes (" + Name(*dtype) + " " + ShapeToString(tensor.shape()) +
                               ")");
      }
      inputs.push_back({entry.at("name").get<std::string>(), std::move(tensor)});
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(index_path + ": " + e.what());
  }
  return inputs;
}

}  // namespace mlos::bench
