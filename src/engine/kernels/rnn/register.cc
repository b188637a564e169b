// Registers the rnn kernel family (RNN, GRU, LSTM).
#include "engine/kernel_registry.h"

namespace mlos::engine {

void RegisterRnnKernels(KernelRegistry& /*registry*/) {}

}  // namespace mlos::engine
