// FuseGelu (passes.h): the decomposed GELU forms torch exports, fused into one com.mlos Gelu.
//
//   exact: Div(x, sqrt 2) | Mul(x, 1/sqrt 2) -> Erf -> Add(., 1) -> 0.5 x (.)
//   tanh:  Pow(x, 3) -> Mul(., 0.044715) -> Add(x, .) -> Mul(., sqrt(2/pi)) -> Tanh -> Add(., 1)
//          -> 0.5 x (.)
// where "0.5 x (.)" is any chain of two Muls bringing in x and 0.5 (Mul(Mul(x, .), 0.5),
// Mul(Mul(., 0.5), x), ...) or one Mul by a single-use Mul(x, 0.5). Every intermediate value must
// be read only by the next node of the pattern; the constants must be float32, which makes x
// float32 too (the Gelu kernel's one type).
#include <optional>
#include <string>
#include <vector>

#include "engine/optimizer/graph_view.h"
#include "engine/optimizer/passes.h"
#include "engine/optimizer/pattern_match.h"

namespace mlos::engine {
namespace {

using pattern::IsFloatScalar;
using pattern::IsOp;
using pattern::OtherInput;
using pattern::SingleUseOutput;

constexpr double kSqrt2 = 1.41421356237309505;
constexpr double kSqrt2OverPi = 0.79788456080286536;
constexpr double kTanhCubicCoefficient = 0.044715;

struct GeluMatch {
  std::string x;
  std::string output;
  std::vector<const onnx::NodeProto*> nodes;  // everything the fused node replaces
};

// The x of `scaled` = x / sqrt 2 or x * (1/sqrt 2), appending that node; nullopt otherwise.
std::optional<std::string> MatchErfArgument(const GraphView& view, const std::string& scaled,
                                            GeluMatch& match) {
  const onnx::NodeProto* node = view.Producer(scaled);
  if (node == nullptr || !SingleUseOutput(view, *node)) return std::nullopt;
  if (IsOp(node, "Div") && node->input_size() == 2 && IsFloatScalar(view, node->input(1), kSqrt2)) {
    match.nodes.push_back(node);
    return node->input(0);
  }
  if (IsOp(node, "Mul") && node->input_size() == 2) {
    for (int i = 0; i < 2; ++i) {
      if (IsFloatScalar(view, node->input(1 - i), 1.0 / kSqrt2)) {
        match.nodes.push_back(node);
        return node->input(i);
      }
    }
  }
  return std::nullopt;
}

// True when `value` is a constant holding the single number 3 (Pow's exponent: float or integer).
bool IsConstantThree(const GraphView& view, const std::string& value) {
  std::optional<Tensor> tensor = view.Constant(value);
  if (!tensor || tensor->element_count() != 1) return false;
  switch (tensor->dtype()) {
    case DataType::kFloat32: return tensor->data<float>()[0] == 3.0f;
    case DataType::kFloat64: return tensor->data<double>()[0] == 3.0;
    case DataType::kInt32: return tensor->data<int32_t>()[0] == 3;
    case DataType::kInt64: return tensor->data<int64_t>()[0] == 3;
    default: return false;
  }
}

// The x of `argument` = sqrt(2/pi) * (x + 0.044715 * x^3), appending its four nodes.
std::optional<std::string> MatchTanhArgument(const GraphView& view, const std::string& argument,
                                             GeluMatch& match) {
  const onnx::NodeProto* scale = view.Producer(argument);
  if (!IsOp(scale, "Mul") || !SingleUseOutput(view, *scale) || scale->input_size() != 2) {
    return std::nullopt;
  }
  for (int s = 0; s < 2; ++s) {
    if (!IsFloatScalar(view, scale->input(1 - s), kSqrt2OverPi)) continue;
    const onnx::NodeProto* sum = view.Producer(scale->input(s));
    if (!IsOp(sum, "Add") || !SingleUseOutput(view, *sum) || sum->input_size() != 2) continue;
    for (int c = 0; c < 2; ++c) {
      const std::string& x = sum->input(1 - c);
      const onnx::NodeProto* cubic = view.Producer(sum->input(c));
      if (!IsOp(cubic, "Mul") || !SingleUseOutput(view, *cubic) || cubic->input_size() != 2) continue;
      for (int p = 0; p < 2; ++p) {
        if (!IsFloatScalar(view, cubic->input(1 - p), kTanhCubicCoefficient)) continue;
        const onnx::NodeProto* power = view.Producer(cubic->input(p));
        if (!IsOp(power, "Pow") || !SingleUseOutput(view, *power) || power->input_size() != 2 ||
            power->input(0) != x) {
          continue;
        }
        if (!IsConstantThree(view, power->input(1))) continue;
        match.nodes.insert(match.nodes.end(), {scale, sum, cubic, power});
        return x;
      }
    }
  }
  return std::nullopt;
}

// From `one_plus` = 1 + erf(.) or 1 + tanh(.) onwards: the Muls that multiply it by x and 0.5.
// Sets match.output and appends the nodes; false when the chain is not there.
bool MatchHalfXProduct(const GraphView& view, std::string current, const std::string& x,
                       GeluMatch& match) {
  bool need_x = true, need_half = true;
  while (need_x || need_half) {
    const onnx::NodeProto* mul = view.SoleConsumer(current, "Mul");
    if (mul == nullptr || mul->output_size() != 1) return false;
    std::optional<std::string> other = OtherInput(*mul, current);
    if (!other) return false;
    const onnx::NodeProto* half_x = view.Producer(*other);
    if (*other == x && need_x) {
      need_x = false;
    } else if (need_half && IsFloatScalar(view, *other, 0.5)) {
      need_half = false;
    } else if (need_x && need_half && IsOp(half_x, "Mul") && SingleUseOutput(view, *half_x) &&
               OtherInput(*half_x, x) && IsFloatScalar(view, *OtherInput(*half_x, x), 0.5)) {
      need_x = need_half = false;
      match.nodes.push_back(half_x);
    } else {
      return false;
    }
    match.nodes.push_back(mul);
    current = mul->output(0);
  }
  match.output = current;
  return true;
}

// The whole pattern around the Erf or Tanh node `core`.
std::optional<GeluMatch> MatchGelu(const GraphView& view, const onnx::NodeProto& core) {
  if (core.input_size() != 1 || core.output_size() != 1) return std::nullopt;
  GeluMatch match;
  std::optional<std::string> x = IsOp(&core, "Erf") ? MatchErfArgument(view, core.input(0), match)
                                                    : MatchTanhArgument(view, core.input(0), match);
  if (!x) return std::nullopt;
  match.x = *x;
  match.nodes.push_back(&core);
  const onnx::NodeProto* add_one = view.SoleConsumer(core.output(0), "Add");
  if (add_one == nullptr || add_one->output_size() != 1) return std::nullopt;
  std::optional<std::string> one = OtherInput(*add_one, core.output(0));
  if (!one || !IsFloatScalar(view, *one, 1.0)) return std::nullopt;
  match.nodes.push_back(add_one);
  if (!MatchHalfXProduct(view, add_one->output(0), match.x, match)) return std::nullopt;
  return match;
}

}  // namespace

int FuseGelu(onnx::GraphProto& graph) {
  GraphView view(graph);
  int rewrites = 0;
  const int node_count = graph.node_size();
  for (int i = 0; i < node_count; ++i) {
    const onnx::NodeProto& core = graph.node(i);
    if (!IsOp(&core, "Erf") && !IsOp(&core, "Tanh")) continue;
    std::optional<GeluMatch> match = MatchGelu(view, core);
    if (!match) continue;
    onnx::NodeProto* gelu = graph.add_node();
    gelu->set_op_type("Gelu");
    gelu->set_domain(kMlosDomain);
    gelu->set_name(core.name() + "/FusedGelu");
    gelu->add_input(match->x);
    gelu->add_output(match->output);
    onnx::AttributeProto* approximation = gelu->add_attribute();
    approximation->set_name("approximation");
    approximation->set_type(onnx::AttributeProto::STRING);
    approximation->set_s(IsOp(&core, "Erf") ? "none" : "tanh");
    for (const onnx::NodeProto* node : match->nodes) view.Remove(node);
    ++rewrites;
  }
  view.Commit();
  return rewrites;
}

}  // namespace mlos::engine
