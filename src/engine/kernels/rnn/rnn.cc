// RNN (opset 7, 14): Ht = f(Xt * Wi^T + Ht-1 * Ri^T + Wbi + Rbi), f = Tanh by default. Opset 14
// adds the `layout` attribute; the loop and its options live in recurrence.h.
#include <algorithm>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "engine/kernel_registry.h"
#include "engine/kernels/math/blas.h"
#include "engine/kernels/rnn/recurrence.h"
#include "engine/kernels/rnn/registrations.h"

namespace mlos::engine {
namespace {

class RnnKernel final : public RecurrentKernel {
 public:
  explicit RnnKernel(RecurrentAttributes attributes)
      : RecurrentKernel(std::move(attributes), {.gates = 1, .folded_rb_gates = 1}) {}

 private:
  template <typename T>
  void StepAs(const CellDirection<T>& direction, std::span<const int64_t> active, T* gates,
              T* h) const {
    const int64_t hidden = direction.hidden;
    Gemm<T>(nullptr, false, true, direction.batch, hidden, hidden, T(1), h, hidden, direction.r, hidden,
            T(1), gates, hidden);
    for (int64_t b : active) {
      T* row = gates + b * hidden;
      ApplyActivation(direction.activations[0], direction.clip, row, hidden);
      std::copy_n(row, hidden, h + b * hidden);
    }
  }
  void Step(const CellDirection<float>& direction, std::span<const int64_t> active, float* gates,
            float* h, float* /*c*/, float* /*scratch*/) const override {
    StepAs(direction, active, gates, h);
  }
  void Step(const CellDirection<double>& direction, std::span<const int64_t> active, double* gates,
            double* h, double* /*c*/, double* /*scratch*/) const override {
    StepAs(direction, active, gates, h);
  }
};

StatusOr<std::unique_ptr<Kernel>> CreateRnn(const KernelInit& init) {
  constexpr std::string_view kDefaults[] = {"Tanh"};
  ASSIGN_OR_RETURN(RecurrentAttributes attributes, ReadRecurrentAttributes(init, kDefaults));
  return std::unique_ptr<Kernel>(std::make_unique<RnnKernel>(std::move(attributes)));
}

}  // namespace

void RegisterRnnKernel(KernelRegistry& registry) {
  registry.Register({"", "RNN", 7, 13, RecurrentTypes(), &CreateRnn});
  registry.Register({"", "RNN", 14, kLatestOpset, RecurrentTypes(), &CreateRnn});
}

}  // namespace mlos::engine
