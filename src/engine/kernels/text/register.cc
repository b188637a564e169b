// Registers the text kernel family: one line per kernel file.
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterStringNormalizerKernel(KernelRegistry& registry);  // string_normalizer.cc
void RegisterTfIdfVectorizerKernel(KernelRegistry& registry);   // tfidf_vectorizer.cc

void RegisterTextKernels(KernelRegistry& registry) {
  RegisterStringNormalizerKernel(registry);
  RegisterTfIdfVectorizerKernel(registry);
}

}  // namespace mlos::engine
