// What the runner needs to know about a case's model.onnx, read from the protobuf directly (not
// through the engine, so it is known even when the engine fails to load the model): the declared
// kinds of the graph inputs and outputs (how to read the .pb files), every operator used
// (subgraphs included) and how to check the outputs of random operators.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/dtype.h"
#include "common/status.h"

namespace mlos::conformance {

struct DeclaredValue {
  enum class Kind { kTensor, kSequence, kOptional, kOther };
  std::string name;
  Kind kind = Kind::kTensor;
  // The tensor element type: of the tensor, of a sequence's items, or of what an optional holds
  // (kInvalid when the model does not say).
  DataType element_type = DataType::kInvalid;
};

// Random operators: RandomUniform(Like), RandomNormal(Like), Bernoulli, Multinomial, and Dropout
// given a training_mode input.
// How a graph output of a model with random operators is checked: dtype and shape only, plus the
// range of the values when a random operator produces the output directly.
struct RandomOutputCheck {
  enum class Range { kAny, kZeroOrOne, kBetween };
  Range range = Range::kAny;
  double low = 0, high = 1;  // for kBetween, inclusive
};

struct ModelFacts {
  std::vector<DeclaredValue> inputs;   // graph inputs that are not initializers, in order
  std::vector<DeclaredValue> outputs;  // graph outputs, in order
  // Op types of every node, subgraphs included; "domain:Op" outside the default domain.
  std::set<std::string> operators;
  bool has_random_operators = false;
  std::map<std::string, RandomOutputCheck> random_checks;  // by output name
};

// InvalidArgument naming the file when it cannot be read or parsed.
StatusOr<ModelFacts> ReadModelFacts(const std::string& path);

}  // namespace mlos::conformance
