// GRU (opset 7, 14), gates z (update), r (reset), h (hidden), f = Sigmoid and g = Tanh by default:
//   zt = f(Xt * Wz^T + Ht-1 * Rz^T + Wbz + Rbz)
//   rt = f(Xt * Wr^T + Ht-1 * Rr^T + Wbr + Rbr)
//   ht = g(Xt * Wh^T + (rt (.) Ht-1) * Rh^T + Rbh + Wbh)      linear_before_reset = 0
//   ht = g(Xt * Wh^T + rt (.) (Ht-1 * Rh^T + Rbh) + Wbh)      linear_before_reset != 0
//   Ht = (1 - zt) (.) ht + zt (.) Ht-1
// Opset 14 adds the `layout` attribute; the loop and its options live in recurrence.h.
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

class GruKernel final : public RecurrentKernel {
 public:
  GruKernel(RecurrentAttributes attributes, bool linear_before_reset)
      // Rbh is not folded into X * W^T: it sits inside rt (.) (...) when linear_before_reset.
      : RecurrentKernel(std::move(attributes), {.gates = 3, .folded_rb_gates = 2}),
        linear_before_reset_(linear_before_reset) {}

 private:
  template <typename T>
  void StepAs(const CellDirection<T>& direction, std::span<const int64_t> active, T* gates, T* h,
              T* scratch) const {
    const int64_t hidden = direction.hidden;
    const int64_t width = 3 * hidden;
    const T* rh = direction.r + 2 * hidden * hidden;
    const T* rbh = direction.rb == nullptr ? nullptr : direction.rb + 2 * hidden;
    const Activation& f = direction.activations[0];
    const Activation& g = direction.activations[1];
    // [z r] += Ht-1 * [Rz Rr]^T, then zt and rt, which sit side by side in each row.
    Gemm<T>(nullptr, false, true, direction.batch, 2 * hidden, hidden, T(1), h, hidden, direction.r, hidden,
            T(1), gates, width);
    for (int64_t b : active) ApplyActivation(f, direction.clip, gates + b * width, 2 * hidden);
    if (linear_before_reset_) {
      Gemm<T>(nullptr, false, true, direction.batch, hidden, hidden, T(1), h, hidden, rh, hidden, T(0),
              scratch, hidden);
      for (int64_t b : active) {
        const T* reset = gates + b * width + hidden;
        T* candidate = gates + b * width + 2 * hidden;
        const T* recurrent = scratch + b * hidden;
        for (int64_t i = 0; i < hidden; ++i) {
          candidate[i] += reset[i] * (recurrent[i] + (rbh == nullptr ? T(0) : rbh[i]));
        }
      }
    } else {
      for (int64_t b : active) {
        const T* reset = gates + b * width + hidden;
        for (int64_t i = 0; i < hidden; ++i) scratch[b * hidden + i] = reset[i] * h[b * hidden + i];
      }
      Gemm<T>(nullptr, false, true, direction.batch, hidden, hidden, T(1), scratch, hidden, rh, hidden, T(1),
              gates + 2 * hidden, width);
      if (rbh != nullptr) {
        for (int64_t b : active) {
          T* candidate = gates + b * width + 2 * hidden;
          for (int64_t i = 0; i < hidden; ++i) candidate[i] += rbh[i];
        }
      }
    }
    for (int64_t b : active) {
      const T* update = gates + b * width;
      T* candidate = gates + b * width + 2 * hidden;
      ApplyActivation(g, direction.clip, candidate, hidden);
      T* state = h + b * hidden;
      for (int64_t i = 0; i < hidden; ++i) {
        state[i] = (T(1) - update[i]) * candidate[i] + update[i] * state[i];
      }
    }
  }
  void Step(const CellDirection<float>& direction, std::span<const int64_t> active, float* gates,
            float* h, float* /*c*/, float* scratch) const override {
    StepAs(direction, active, gates, h, scratch);
  }
  void Step(const CellDirection<double>& direction, std::span<const int64_t> active, double* gates,
            double* h, double* /*c*/, double* scratch) const override {
    StepAs(direction, active, gates, h, scratch);
  }

  const bool linear_before_reset_;
};

StatusOr<std::unique_ptr<Kernel>> CreateGru(const KernelInit& init) {
  constexpr std::string_view kDefaults[] = {"Sigmoid", "Tanh"};
  ASSIGN_OR_RETURN(RecurrentAttributes attributes, ReadRecurrentAttributes(init, kDefaults));
  return std::unique_ptr<Kernel>(std::make_unique<GruKernel>(
      std::move(attributes), init.attributes.GetInt("linear_before_reset", 0) != 0));
}

}  // namespace

void RegisterGruKernel(KernelRegistry& registry) {
  registry.Register({"", "GRU", 7, 13, RecurrentTypes(), &CreateGru});
  registry.Register({"", "GRU", 14, kLatestOpset, RecurrentTypes(), &CreateGru});
}

}  // namespace mlos::engine
