#include "plugins/torchscript/signature.h"

#include <string>

namespace mlos::plugins::torchscript {
namespace {

using c10::TypeKind;

TensorSpec Undeclared(std::string name) { return {std::move(name), DataType::kFloat32, false, {}}; }

// The number of tensors forward's result type holds when the type alone tells (a tensor, or a
// tuple of tensors); nullopt otherwise (lists, dictionaries, ...).
std::optional<size_t> TensorCount(const c10::TypePtr& type) {
  if (type->kind() == TypeKind::TensorType) return 1;
  if (type->kind() != TypeKind::TupleType) return std::nullopt;
  size_t count = 0;
  for (const c10::TypePtr& element : type->containedTypes()) {
    const std::optional<size_t> inner = TensorCount(element);
    if (!inner) return std::nullopt;
    count += *inner;
  }
  return count;
}

// A Tensor, or an Optional[Tensor] (which a request may leave out if it has a default).
bool IsTensorArgument(const c10::TypePtr& type) {
  if (type->kind() == TypeKind::TensorType) return true;
  return type->kind() == TypeKind::OptionalType &&
         type->containedTypes()[0]->kind() == TypeKind::TensorType;
}

std::string ArgumentNames(const std::vector<c10::Argument>& arguments) {
  std::string names;
  for (const c10::Argument& argument : arguments) {
    names += (names.empty() ? "'" : ", '") + argument.name() + "'";
  }
  return names;
}

}  // namespace

StatusOr<Signature> FindSignature(const torch::jit::Module& module, const ModelOptions& options) {
  const c10::optional<torch::jit::Method> forward = module.find_method("forward");
  if (!forward) return InvalidArgument("the module has no forward method");
  const c10::FunctionSchema& schema = forward->function().getSchema();
  // arguments()[0] is self.
  const std::vector<c10::Argument> arguments(schema.arguments().begin() + 1,
                                             schema.arguments().end());
  for (const c10::Argument& argument : arguments) {
    if (!IsTensorArgument(argument.type())) {
      return Unimplemented("forward's argument '" + argument.name() + "' is a " +
                           argument.type()->str() + "; the torchscript plugin passes only tensors");
    }
  }

  Signature signature;
  if (options.inputs && options.inputs->size() > arguments.size()) {
    return InvalidArgument(
        std::to_string(options.inputs->size()) + " inputs are declared but forward takes " +
        std::to_string(arguments.size()) + " (" + ArgumentNames(arguments) + ")");
  }
  const size_t declared = options.inputs ? options.inputs->size() : arguments.size();
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (i < declared) {
      signature.inputs.push_back(options.inputs ? (*options.inputs)[i]
                                                : Undeclared(arguments[i].name()));
      // Spelled out: c10::optional<IValue> would convert into an IValue holding None.
      const c10::optional<c10::IValue>& default_value = arguments[i].default_value();
      signature.input_defaults.push_back(default_value ? std::optional<c10::IValue>(*default_value)
                                                       : std::nullopt);
    } else if (!arguments[i].default_value()) {
      return InvalidArgument("forward's argument '" + arguments[i].name() +
                             "' has no default value and is not among the declared inputs");
    }
  }

  if (schema.returns().size() != 1) return Unimplemented("forward returns several values");
  const c10::TypePtr& result = schema.returns()[0].type();
  const std::optional<size_t> result_count = TensorCount(result);
  if (options.outputs) {
    if (result_count && *result_count != options.outputs->size()) {
      return InvalidArgument(std::to_string(options.outputs->size()) +
                             " outputs are declared but forward returns " + result->str());
    }
    signature.outputs = *options.outputs;
  } else if (!result_count) {
    return Unimplemented("forward returns " + result->str() +
                         ", which does not say how many tensors it holds; declare the outputs");
  } else if (result->kind() == TypeKind::TensorType) {
    signature.outputs.push_back(Undeclared("output"));
  } else {
    for (size_t i = 0; i < *result_count; ++i) {
      signature.outputs.push_back(Undeclared("output" + std::to_string(i)));
    }
  }
  return signature;
}

}  // namespace mlos::plugins::torchscript
