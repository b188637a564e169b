// com.mlos FusedConv: Conv followed by an optional residual Add and an optional activation, in one
// pass over the output (emitted by optimizer/conv_fusion.cc; the operator is ours, not ONNX's).
//
// Inputs: X, W, optional B (Conv's), optional Z (the residual: Y's shape). Attributes: Conv's,
// plus "activation" (absent or "" for none; "Relu", "Clip", "LeakyRelu" or "Sigmoid") and
// "activation_params" (Clip: [min, max]; LeakyRelu: [alpha]). Y = activation(conv + B + Z).
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/nn/conv.h"

namespace mlos::engine {
namespace {

StatusOr<ConvEpilogue> ReadEpilogue(const NodeAttributes& attributes) {
  const std::string activation = attributes.GetString("activation", "");
  const std::vector<float> params = attributes.GetFloats("activation_params");
  const auto expect_params = [&](size_t count) -> Status {
    if (params.size() == count) return Status::Ok();
    return InvalidArgument("attribute activation_params: " + activation + " takes " +
                           std::to_string(count) + " values, got " + std::to_string(params.size()));
  };
  ConvEpilogue epilogue;
  if (activation.empty()) {
    RETURN_IF_ERROR(expect_params(0));
  } else if (activation == "Relu") {
    epilogue.activation = ConvActivation::kRelu;
    RETURN_IF_ERROR(expect_params(0));
  } else if (activation == "Sigmoid") {
    epilogue.activation = ConvActivation::kSigmoid;
    RETURN_IF_ERROR(expect_params(0));
  } else if (activation == "Clip") {
    epilogue.activation = ConvActivation::kClip;
    RETURN_IF_ERROR(expect_params(2));
    epilogue.min = params[0];
    epilogue.max = params[1];
  } else if (activation == "LeakyRelu") {
    epilogue.activation = ConvActivation::kLeakyRelu;
    RETURN_IF_ERROR(expect_params(1));
    epilogue.alpha = params[0];
  } else {
    return InvalidArgument("attribute activation: unknown value '" + activation + "'");
  }
  return epilogue;
}

StatusOr<std::unique_ptr<Kernel>> CreateFusedConv(const KernelInit& init) {
  ASSIGN_OR_RETURN(const ConvEpilogue epilogue, ReadEpilogue(init.attributes));
  return CreateConvKernel(init, epilogue);
}

}  // namespace

void RegisterFusedConvKernel(KernelRegistry& registry) {
  registry.Register({"com.mlos", "FusedConv", 1, 1 << 30, DataTypesOf(TypeList<float, double>{}),
                     &CreateFusedConv});
}

}  // namespace mlos::engine
