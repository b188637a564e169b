#include "engine/kernel_registry.h"

#include <algorithm>

namespace mlos::engine {
namespace {

std::string NormalizeDomain(std::string_view domain) {
  return domain == "ai.onnx" ? std::string() : std::string(domain);
}

std::string Key(std::string_view domain, std::string_view op_type) {
  return NormalizeDomain(domain) + "::" + std::string(op_type);
}

bool AcceptsType(const KernelRegistration& registration, DataType type) {
  if (registration.types.empty() || type == DataType::kInvalid) return true;
  return std::find(registration.types.begin(), registration.types.end(), type) !=
         registration.types.end();
}

}  // namespace

void KernelRegistry::Register(KernelRegistration registration) {
  registration.domain = NormalizeDomain(registration.domain);
  by_op_[Key(registration.domain, registration.op_type)].push_back(std::move(registration));
}

StatusOr<const KernelRegistration*> KernelRegistry::Find(std::string_view domain,
                                                         std::string_view op_type, int opset,
                                                         DataType first_input_type) const {
  const std::string domain_name = domain.empty() ? "ai.onnx" : std::string(domain);
  auto it = by_op_.find(Key(domain, op_type));
  if (it == by_op_.end()) {
    return Unimplemented("operator " + std::string(op_type) + " (domain " + domain_name +
                         ") is not supported");
  }
  const KernelRegistration* best = nullptr;
  bool opset_matched = false;
  for (const KernelRegistration& registration : it->second) {
    if (registration.since_version > opset || registration.until_version < opset) continue;
    opset_matched = true;
    if (!AcceptsType(registration, first_input_type)) continue;
    if (best == nullptr || registration.since_version > best->since_version) best = &registration;
  }
  if (best != nullptr) return best;
  if (opset_matched) {
    return Unimplemented("operator " + std::string(op_type) + " (domain " + domain_name +
                         ", opset " + std::to_string(opset) + ") has no kernel for element type " +
                         Name(first_input_type));
  }
  return Unimplemented("operator " + std::string(op_type) + " (domain " + domain_name +
                       ") is not supported at opset " + std::to_string(opset));
}

const KernelRegistry& KernelRegistry::BuiltIn() {
  static const KernelRegistry* registry = [] {
    auto* built = new KernelRegistry();
    RegisterAllKernels(*built);
    return built;
  }();
  return *registry;
}

}  // namespace mlos::engine
