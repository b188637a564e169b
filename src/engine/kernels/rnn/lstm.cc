// LSTM (opset 7, 14), gates i, o, f, c, f = Sigmoid and g = h = Tanh by default:
//   it = f(Xt * Wi^T + Ht-1 * Ri^T + Pi (.) Ct-1 + Wbi + Rbi)
//   ft = f(Xt * Wf^T + Ht-1 * Rf^T + Pf (.) Ct-1 + Wbf + Rbf)    (1 - it with input_forget)
//   ct = g(Xt * Wc^T + Ht-1 * Rc^T + Wbc + Rbc)
//   Ct = ft (.) Ct-1 + it (.) ct
//   ot = f(Xt * Wo^T + Ht-1 * Ro^T + Po (.) Ct + Wbo + Rbo)
//   Ht = ot (.) h(Ct)
// `clip` bounds the input of every activation, h(Ct) included (Ct itself is kept unclipped).
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

class LstmKernel final : public RecurrentKernel {
 public:
  LstmKernel(RecurrentAttributes attributes, bool input_forget)
      : RecurrentKernel(std::move(attributes),
                        {.gates = 4, .folded_rb_gates = 4, .has_cell_state = true}),
        input_forget_(input_forget) {}

 private:
  template <typename T>
  void StepAs(const CellDirection<T>& direction, std::span<const int64_t> active, T* gates, T* h,
              T* c) const {
    const int64_t hidden = direction.hidden;
    const int64_t width = 4 * hidden;
    const Activation& f = direction.activations[0];
    const Activation& g = direction.activations[1];
    const Activation& h_activation = direction.activations[2];
    const T* p = direction.p;  // peepholes i, o, f
    const float clip = direction.clip;
    Gemm<T>(nullptr, false, true, direction.batch, width, hidden, T(1), h, hidden, direction.r, hidden, T(1),
            gates, width);
    for (int64_t b : active) {
      T* input_gate = gates + b * width;
      T* output_gate = input_gate + hidden;
      T* forget_gate = input_gate + 2 * hidden;
      T* cell_gate = input_gate + 3 * hidden;
      T* cell = c + b * hidden;
      if (p != nullptr) {
        for (int64_t i = 0; i < hidden; ++i) input_gate[i] += p[i] * cell[i];
      }
      ApplyActivation(f, clip, input_gate, hidden);
      if (input_forget_) {
        for (int64_t i = 0; i < hidden; ++i) forget_gate[i] = T(1) - input_gate[i];
      } else {
        if (p != nullptr) {
          for (int64_t i = 0; i < hidden; ++i) forget_gate[i] += p[2 * hidden + i] * cell[i];
        }
        ApplyActivation(f, clip, forget_gate, hidden);
      }
      ApplyActivation(g, clip, cell_gate, hidden);
      for (int64_t i = 0; i < hidden; ++i) {
        cell[i] = forget_gate[i] * cell[i] + input_gate[i] * cell_gate[i];
      }
      if (p != nullptr) {
        for (int64_t i = 0; i < hidden; ++i) output_gate[i] += p[hidden + i] * cell[i];
      }
      ApplyActivation(f, clip, output_gate, hidden);
      std::copy_n(cell, hidden, cell_gate);  // h(Ct), computed where ct was
      ApplyActivation(h_activation, clip, cell_gate, hidden);
      for (int64_t i = 0; i < hidden; ++i) h[b * hidden + i] = output_gate[i] * cell_gate[i];
    }
  }
  void Step(const CellDirection<float>& direction, std::span<const int64_t> active, float* gates,
            float* h, float* c, float* /*scratch*/) const override {
    StepAs(direction, active, gates, h, c);
  }
  void Step(const CellDirection<double>& direction, std::span<const int64_t> active, double* gates,
            double* h, double* c, double* /*scratch*/) const override {
    StepAs(direction, active, gates, h, c);
  }

  const bool input_forget_;
};

StatusOr<std::unique_ptr<Kernel>> CreateLstm(const KernelInit& init) {
  constexpr std::string_view kDefaults[] = {"Sigmoid", "Tanh", "Tanh"};
  ASSIGN_OR_RETURN(RecurrentAttributes attributes, ReadRecurrentAttributes(init, kDefaults));
  return std::unique_ptr<Kernel>(std::make_unique<LstmKernel>(
      std::move(attributes), init.attributes.GetInt("input_forget", 0) != 0));
}

}  // namespace

void RegisterLstmKernel(KernelRegistry& registry) {
  registry.Register({"", "LSTM", 7, 13, RecurrentTypes(), &CreateLstm});
  registry.Register({"", "LSTM", 14, kLatestOpset, RecurrentTypes(), &CreateLstm});
}

}  // namespace mlos::engine
