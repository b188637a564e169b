#include "engine/shape_inference_guard.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mlos::engine {
namespace {

// The most elements a shape operand (ConstantOfShape's input, Expand's shape) may declare: libonnx
// adds one output dimension per element, so a declared length of 2^40 exhausts memory.
constexpr int64_t kMaxShapeLength = 64;

// What a check sees of one node: its inputs' types and its attributes, named as the schema names
// them.
class NodeView {
 public:
  NodeView(const onnx::OpSchema& schema, onnx::InferenceContext& ctx)
      : schema_(schema), ctx_(ctx) {}

  // The rank of input `index` when its type is a tensor of known shape.
  std::optional<int> Rank(size_t index) const {
    const onnx::TensorShapeProto* shape = Shape(index);
    if (shape == nullptr) return std::nullopt;
    return shape->dim_size();
  }

  const onnx::TensorShapeProto* Shape(size_t index) const {
    if (index >= ctx_.getNumInputs()) return nullptr;
    const onnx::TypeProto* type = ctx_.getInputType(index);
    if (type == nullptr || !type->has_tensor_type() || !type->tensor_type().has_shape()) {
      return nullptr;
    }
    return &type->tensor_type().shape();
  }

  size_t InputCount() const { return ctx_.getNumInputs(); }

  std::optional<int64_t> IntAttribute(const std::string& name) const {
    const onnx::AttributeProto* attribute = ctx_.getAttribute(name);
    if (attribute == nullptr || !attribute->has_i()) return std::nullopt;
    return attribute->i();
  }

  // "input 1 (B)": the position and the schema's name for it.
  std::string Input(size_t index) const {
    const auto& formals = schema_.inputs();
    std::string name =
        formals.empty() ? "" : formals[std::min(index, formals.size() - 1)].GetName();
    return "input " + std::to_string(index) + (name.empty() ? "" : " (" + name + ")");
  }

  [[noreturn]] void Refuse(const std::string& what) const {
    throw ShapeInferenceRefusal(schema_.Name() + ": " + what);
  }

  // Refuses input `index` when its rank is known and outside [min_rank, max_rank].
  void RequireRank(size_t index, int min_rank, int max_rank) const {
    const std::optional<int> rank = Rank(index);
    if (!rank || (*rank >= min_rank && *rank <= max_rank)) return;
    const std::string wanted =
        min_rank == max_rank ? "rank " + std::to_string(min_rank)
        : max_rank == INT32_MAX
            ? "rank " + std::to_string(min_rank) + " or more"
            : "rank " + std::to_string(min_rank) + " to " + std::to_string(max_rank);
    Refuse(Input(index) + " must have " + wanted + ", but has rank " + std::to_string(*rank));
  }

 private:
  const onnx::OpSchema& schema_;
  onnx::InferenceContext& ctx_;
};

// Every input: no negative dimension (GatherND's inference indexes with one).
void CheckDimensions(const NodeView& node) {
  for (size_t i = 0; i < node.InputCount(); ++i) {
    const onnx::TensorShapeProto* shape = node.Shape(i);
    if (shape == nullptr) continue;
    for (const onnx::TensorShapeProto::Dimension& dim : shape->dim()) {
      if (dim.has_dim_value() && dim.dim_value() < 0) {
        node.Refuse(node.Input(i) + " has a negative dimension (" +
                    std::to_string(dim.dim_value()) + ")");
      }
    }
  }
}

// Conv-like ops index the weights' spatial dimensions by the data's and the reverse.
void CheckConvolution(const NodeView& node, size_t weights) {
  const std::optional<int> data = node.Rank(0);
  const std::optional<int> kernel = node.Rank(weights);
  if (!data || !kernel || *data == *kernel) return;
  node.Refuse(node.Input(0) + " has rank " + std::to_string(*data) + " but the weights, " +
              node.Input(weights) + ", have rank " + std::to_string(*kernel));
}

void CheckAxis(const NodeView& node, const std::string& name, int64_t fallback, size_t input) {
  const std::optional<int> rank = node.Rank(input);
  if (!rank) return;
  const int64_t axis = node.IntAttribute(name).value_or(fallback);
  if (axis < -*rank || axis >= *rank) {
    node.Refuse("attribute '" + name + "' is " + std::to_string(axis) + ", outside [-" +
                std::to_string(*rank) + ", " + std::to_string(*rank) + ") for " +
                node.Input(input) + " of rank " + std::to_string(*rank));
  }
}

void CheckIntAttributeRange(const NodeView& node, const std::string& name, int64_t low,
                            int64_t high) {
  const std::optional<int64_t> value = node.IntAttribute(name);
  if (!value || (*value >= low && *value <= high)) return;
  node.Refuse("attribute '" + name + "' is " + std::to_string(*value) + ", outside [" +
              std::to_string(low) + ", " + std::to_string(high) + "]");
}

// A 1-D shape operand: its length becomes the output's rank.
void CheckShapeOperand(const NodeView& node, size_t index) {
  const onnx::TensorShapeProto* shape = node.Shape(index);
  if (shape == nullptr || shape->dim_size() != 1 || !shape->dim(0).has_dim_value()) return;
  if (shape->dim(0).dim_value() > kMaxShapeLength) {
    node.Refuse(node.Input(index) + " declares a shape of " +
                std::to_string(shape->dim(0).dim_value()) + " dimensions; at most " +
                std::to_string(kMaxShapeLength) + " are supported");
  }
}

using Check = std::function<void(const NodeView&)>;

// The checks each op needs beyond CheckDimensions, by op type (any domain version).
const std::unordered_map<std::string_view, Check>& OpChecks() {
  static const auto* checks = new std::unordered_map<std::string_view, Check>{
      {"Conv", [](const NodeView& n) { CheckConvolution(n, 1); }},
      {"ConvInteger", [](const NodeView& n) { CheckConvolution(n, 1); }},
      {"ConvTranspose", [](const NodeView& n) { CheckConvolution(n, 1); }},
      {"QLinearConv", [](const NodeView& n) { CheckConvolution(n, 3); }},
      {"Gemm",
       [](const NodeView& n) {
         n.RequireRank(0, 2, 2);
         n.RequireRank(1, 2, 2);
       }},
      {"RNN",
       [](const NodeView& n) {
         for (size_t i : {0, 1, 2}) n.RequireRank(i, 3, 3);
       }},
      {"GRU",
       [](const NodeView& n) {
         for (size_t i : {0, 1, 2}) n.RequireRank(i, 3, 3);
       }},
      {"LSTM",
       [](const NodeView& n) {
         for (size_t i : {0, 1, 2}) n.RequireRank(i, 3, 3);
       }},
      {"STFT", [](const NodeView& n) { n.RequireRank(0, 3, 3); }},
      {"DFT", [](const NodeView& n) { n.RequireRank(0, 2, INT32_MAX); }},
      {"LayerNormalization",
       [](const NodeView& n) {
         n.RequireRank(0, 1, INT32_MAX);
         CheckAxis(n, "axis", -1, 0);
       }},
      {"GatherND",
       [](const NodeView& n) { CheckIntAttributeRange(n, "batch_dims", 0, INT32_MAX); }},
      {"DepthToSpace",
       [](const NodeView& n) { CheckIntAttributeRange(n, "blocksize", 1, INT32_MAX); }},
      {"SpaceToDepth",
       [](const NodeView& n) { CheckIntAttributeRange(n, "blocksize", 1, INT32_MAX); }},
      {"ConstantOfShape", [](const NodeView& n) { CheckShapeOperand(n, 0); }},
      {"Expand", [](const NodeView& n) { CheckShapeOperand(n, 1); }},
  };
  return *checks;
}

onnx::InferenceFunction Guarded(const onnx::OpSchema& schema) {
  const auto found = OpChecks().find(schema.Name());
  Check check = found == OpChecks().end() ? Check() : found->second;
  return [&schema, check = std::move(check),
          infer = schema.GetTypeAndShapeInferenceFunction()](onnx::InferenceContext& ctx) {
    const NodeView node(schema, ctx);
    CheckDimensions(node);
    if (check) check(node);
    infer(ctx);
  };
}

// libonnx's registry with each schema that has an inference function replaced, on first use, by a
// copy whose function runs the checks first.
class GuardedRegistry final : public onnx::ISchemaRegistry {
 public:
  const onnx::OpSchema* GetSchema(const std::string& key, const int max_inclusive_version,
                                  const std::string& domain) const override {
    const onnx::OpSchema* schema =
        onnx::OpSchemaRegistry::Schema(key, max_inclusive_version, domain);
    if (schema == nullptr || !schema->has_type_and_shape_inference_function()) return schema;
    std::lock_guard lock(mutex_);
    std::unique_ptr<onnx::OpSchema>& guarded = guarded_[schema];
    if (!guarded) {
      guarded = std::make_unique<onnx::OpSchema>(*schema);
      guarded->TypeAndShapeInferenceFunction(Guarded(*schema));
    }
    return guarded.get();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::map<const onnx::OpSchema*, std::unique_ptr<onnx::OpSchema>> guarded_;
};

}  // namespace

const onnx::ISchemaRegistry* GuardedSchemaRegistry() {
  static const auto* registry = new GuardedRegistry();
  return registry;
}

}  // namespace mlos::engine
