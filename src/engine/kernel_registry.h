// KernelRegistry: maps (domain, op type, opset, element type) to a kernel factory.
//
// Each kernel family (kernels/<family>/) contributes its registrations through one function
// named Register<Family>Kernels(KernelRegistry&); kernels/all_kernels.cc is the one list that
// calls them all. For a node, the registry picks the registration with the newest
// `since_version` that is <= the model's opset for that domain (and >= nothing above
// `until_version`), among those whose `types` accept the node's first input type (an empty
// `types` list accepts every type). The default domain is "" (ai.onnx).
// Thread-safety: populate once, then read concurrently.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/kernel.h"

namespace mlos::engine {

struct KernelRegistration {
  std::string domain;  // "" or "ai.onnx" for the default domain
  std::string op_type;
  int since_version = 1;
  int until_version = 1 << 30;  // inclusive
  std::vector<DataType> types;  // accepted types of input 0; empty = any
  KernelFactory factory = nullptr;
  // True for kernels that take sequences or optionals (through KernelContext::values); other
  // kernels fail cleanly when handed a sequence.
  bool value_inputs = false;
};

class KernelRegistry {
 public:
  void Register(KernelRegistration registration);

  // Returns the matching registration or NotFound/Unimplemented naming op, domain and opset.
  // `first_input_type` may be kInvalid (unknown): the type check is then skipped.
  StatusOr<const KernelRegistration*> Find(std::string_view domain, std::string_view op_type,
                                           int opset, DataType first_input_type) const;

  // The process-wide registry holding every built-in kernel.
  static const KernelRegistry& BuiltIn();

 private:
  std::unordered_map<std::string, std::vector<KernelRegistration>> by_op_;  // key: domain + "::" + op
};

// Defined in kernels/all_kernels.cc: registers every built-in kernel family.
void RegisterAllKernels(KernelRegistry& registry);

}  // namespace mlos::engine
