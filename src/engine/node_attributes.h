// NodeAttributes: typed, defaulted read access to an ONNX node's attributes.
// A view over the NodeProto, which must outlive it. Thread-safe for concurrent reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <onnx/onnx_pb.h>

#include "common/status.h"
#include "common/tensor.h"

namespace mlos::engine {

class NodeAttributes {
 public:
  explicit NodeAttributes(const onnx::NodeProto& node) : node_(&node) {}

  bool Has(std::string_view name) const;
  int64_t GetInt(std::string_view name, int64_t default_value) const;
  float GetFloat(std::string_view name, float default_value) const;
  std::string GetString(std::string_view name, std::string_view default_value) const;
  // Empty when absent.
  std::vector<int64_t> GetInts(std::string_view name) const;
  std::vector<float> GetFloats(std::string_view name) const;
  std::vector<std::string> GetStrings(std::string_view name) const;
  // nullptr when absent.
  const onnx::TensorProto* GetTensor(std::string_view name) const;
  const onnx::GraphProto* GetGraph(std::string_view name) const;

 private:
  const onnx::AttributeProto* Find(std::string_view name) const;
  const onnx::NodeProto* node_;
};

}  // namespace mlos::engine
