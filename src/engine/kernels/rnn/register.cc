// Registers the rnn kernel family: every file of the family, listed in registrations.h.
#include "engine/kernels/rnn/registrations.h"

namespace mlos::engine {

void RegisterRnnKernels(KernelRegistry& registry) {
  RegisterRnnKernel(registry);
  RegisterGruKernel(registry);
  RegisterLstmKernel(registry);
}

}  // namespace mlos::engine
