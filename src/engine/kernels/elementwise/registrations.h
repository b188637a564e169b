// The files of the elementwise family, each registering its kernels; register.cc calls them all.
#pragma once

#include "engine/kernel_registry.h"

namespace mlos::engine {

// Latest opset a registration covers: "until further notice".
inline constexpr int kLatestOpset = 1 << 30;

void RegisterBinaryKernels(KernelRegistry& registry);      // binary.cc
void RegisterVariadicKernels(KernelRegistry& registry);    // variadic.cc
void RegisterUnaryMathKernels(KernelRegistry& registry);   // unary_math.cc
void RegisterActivationKernels(KernelRegistry& registry);  // activations.cc
void RegisterCastKernels(KernelRegistry& registry);        // cast.cc
void RegisterWhereKernels(KernelRegistry& registry);       // where.cc

}  // namespace mlos::engine
