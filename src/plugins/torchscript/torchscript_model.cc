#include "plugins/torchscript/torchscript_model.h"

#include <c10/core/InferenceMode.h>
#include <torch/csrc/jit/serialization/import.h>

#include <algorithm>

#include "plugins/torchscript/tensor_conversion.h"
#include "plugins/torchscript/written_inputs.h"

namespace mlos::plugins::torchscript {
namespace {

// A LibTorch error message without its C++ backtrace (pass c10::Error::what_without_backtrace());
// for an error raised inside TorchScript, only the last line (e.g. "RuntimeError: mat1 and mat2
// shapes cannot be multiplied (2x15 and 16x32)"), not the TorchScript traceback above it.
std::string TorchMessage(std::string message) {
  while (!message.empty() && message.back() == '\n') message.pop_back();
  if (message.find("Traceback of TorchScript") != std::string::npos) {
    message = message.substr(message.rfind('\n') + 1);
  }
  return message;
}

uint64_t ParameterAndBufferBytes(const torch::jit::Module& module) {
  uint64_t bytes = 0;
  for (const at::Tensor& parameter : module.parameters()) bytes += parameter.nbytes();
  for (const at::Tensor& buffer : module.buffers()) bytes += buffer.nbytes();
  return bytes;
}

// The module prepared as `optimization` asks, or the module itself when LibTorch fails on it.
torch::jit::Module Optimized(torch::jit::Module module, Optimization optimization) {
  try {
    switch (optimization) {
      case Optimization::kNone:
        return module;
      case Optimization::kFreeze:
        return torch::jit::freeze(module);
      case Optimization::kOptimizeForInference:
        return torch::jit::optimize_for_inference(module);
    }
  } catch (const c10::Error&) {
    // Freezing refuses some modules (e.g. ones that mutate attributes); run them as loaded.
  }
  return module;
}

// Appends the tensors of `value` (a tensor, or a tuple or list of them, nested in order).
Status FlattenTensors(const c10::IValue& value, std::vector<at::Tensor>& tensors) {
  if (value.isTensor()) {
    tensors.push_back(value.toTensor());
  } else if (value.isTuple()) {
    for (const c10::IValue& element : value.toTupleRef().elements()) {
      RETURN_IF_ERROR(FlattenTensors(element, tensors));
    }
  } else if (value.isList()) {
    for (const c10::IValue& element : value.toListRef()) {
      RETURN_IF_ERROR(FlattenTensors(element, tensors));
    }
  } else {
    return Unimplemented("forward returned a " + value.tagKind() +
                         "; the torchscript plugin passes back only tensors");
  }
  return Status::Ok();
}

std::string QuotedNames(const std::vector<TensorSpec>& specs) {
  std::string names;
  for (const TensorSpec& spec : specs) names += (names.empty() ? "'" : ", '") + spec.name + "'";
  return names;
}

}  // namespace

StatusOr<std::unique_ptr<TorchScriptModel>> TorchScriptModel::Load(const std::string& file,
                                                                   const ModelOptions& options) {
  torch::jit::Module loaded;
  try {
    loaded = torch::jit::load(file, at::kCPU);
  } catch (const c10::Error& error) {
    return InvalidArgument("'" + file + "' is not a TorchScript model LibTorch can load: " +
                           TorchMessage(error.what_without_backtrace()));
  }
  loaded.eval();
  auto model = std::unique_ptr<TorchScriptModel>(new TorchScriptModel());
  model->memory_bytes_ = ParameterAndBufferBytes(loaded);
  ASSIGN_OR_RETURN(model->signature_, FindSignature(loaded, options));
  model->module_ = Optimized(loaded, options.optimization);
  model->written_inputs_ = ArgumentsWrittenInPlace(model->module_);
  model->written_inputs_.resize(model->signature_.inputs.size());
  return model;
}

StatusOr<std::vector<c10::IValue>> TorchScriptModel::ForwardArguments(
    const smi_request& request) const {
  const std::vector<TensorSpec>& specs = signature_.inputs;
  std::vector<const smi_tensor_view*> given(specs.size(), nullptr);
  for (uint32_t i = 0; i < request.input_count; ++i) {
    const smi_tensor_view& view = request.inputs[i];
    const std::string name = view.name != nullptr ? view.name : "";
    const auto spec = std::find_if(specs.begin(), specs.end(),
                                   [&](const TensorSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      return InvalidArgument("unknown input '" + name + "' (the model takes " + QuotedNames(specs) +
                             ")");
    }
    const size_t index = spec - specs.begin();
    if (given[index] != nullptr) return InvalidArgument("input '" + name + "' is given twice");
    given[index] = &view;
  }
  std::vector<c10::IValue> arguments;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (given[i] == nullptr) {
      if (!signature_.input_defaults[i]) {
        return InvalidArgument("missing input '" + specs[i].name + "'");
      }
      arguments.push_back(*signature_.input_defaults[i]);
      continue;
    }
    ASSIGN_OR_RETURN(at::Tensor tensor, TensorFromView(*given[i]));
    arguments.emplace_back(written_inputs_[i] ? tensor.clone() : std::move(tensor));
  }
  return arguments;
}

Status TorchScriptModel::Execute(const smi_request& request) const {
  if (request.input_count > 0 && request.inputs == nullptr) {
    return InvalidArgument("request inputs is NULL");
  }
  if (request.output_count > 0 && request.output_names == nullptr) {
    return InvalidArgument("request output_names is NULL");
  }
  c10::InferenceMode inference_mode;
  ASSIGN_OR_RETURN(std::vector<c10::IValue> arguments, ForwardArguments(request));
  c10::IValue result;
  try {
    result = module_.get_method("forward")(std::move(arguments));
  } catch (const c10::Error& error) {
    return InvalidArgument("forward failed: " + TorchMessage(error.what_without_backtrace()));
  } catch (const std::runtime_error& error) {  // the TorchScript interpreter rethrows as this
    return InvalidArgument("forward failed: " + TorchMessage(error.what()));
  }
  std::vector<at::Tensor> tensors;
  RETURN_IF_ERROR(FlattenTensors(result, tensors));
  const std::vector<TensorSpec>& outputs = signature_.outputs;
  if (tensors.size() != outputs.size()) {
    return Internal("forward returned " + std::to_string(tensors.size()) +
                    " tensors but the model has " + std::to_string(outputs.size()) + " outputs (" +
                    QuotedNames(outputs) + ")");
  }
  if (request.output_count == 0) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      RETURN_IF_ERROR(CopyTensorToHost(outputs[i].name, tensors[i], request.allocator));
    }
    return Status::Ok();
  }
  for (uint32_t i = 0; i < request.output_count; ++i) {
    const std::string name = request.output_names[i] != nullptr ? request.output_names[i] : "";
    const auto spec = std::find_if(outputs.begin(), outputs.end(),
                                   [&](const TensorSpec& s) { return s.name == name; });
    if (spec == outputs.end()) {
      return InvalidArgument("unknown output '" + name + "' (the model has " +
                             QuotedNames(outputs) + ")");
    }
    RETURN_IF_ERROR(CopyTensorToHost(name, tensors[spec - outputs.begin()], request.allocator));
  }
  return Status::Ok();
}

}  // namespace mlos::plugins::torchscript
