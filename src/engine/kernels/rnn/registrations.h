// The files of the rnn family, each registering its kernels; register.cc calls them all.
#pragma once

#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/registrations.h"  // kLatestOpset

namespace mlos::engine {

// The element types every recurrent kernel computes in.
inline std::vector<DataType> RecurrentTypes() { return DataTypesOf(TypeList<float, double>{}); }

// rnn.cc: RNN.
void RegisterRnnKernel(KernelRegistry& registry);
// gru.cc: GRU.
void RegisterGruKernel(KernelRegistry& registry);
// lstm.cc: LSTM.
void RegisterLstmKernel(KernelRegistry& registry);

}  // namespace mlos::engine
