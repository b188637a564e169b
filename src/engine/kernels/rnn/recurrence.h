// What RNN, GRU and LSTM share: their attributes (direction, hidden_size, clip, layout and the
// activation list), the validation of their inputs, and the loop over time steps that drives a
// cell. A cell file (rnn.cc, gru.cc, lstm.cc) supplies only the per-step gate arithmetic.
//
// The loop works in layout 0 ([seq, batch, ...]); layout 1 inputs are transposed in and outputs
// transposed out. For each direction it computes X * W^T + Wb (+ Rb) for all time steps with one
// Gemm, then per step gathers the rows of the batch entries still inside their sequence_lens into
// a [batch, gates * hidden] block and hands it to the cell. A reverse direction walks each batch
// entry's sequence backwards from its own last valid step. Y is zero past a sequence's length;
// Y_h / Y_c hold the state after its last valid step (zero for a sequence of length 0).
// Kernels built on it are stateless; Compute() is safe to call concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/kernel.h"

namespace mlos::engine {

enum class ActivationKind {
  kRelu,
  kTanh,
  kSigmoid,
  kAffine,
  kLeakyRelu,
  kThresholdedRelu,
  kScaledTanh,
  kHardSigmoid,
  kElu,
  kSoftsign,
  kSoftplus,
};

struct Activation {
  ActivationKind kind = ActivationKind::kTanh;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// Applies `activation` in place to `count` values, first clamping them to [-clip, clip] when
// clip > 0 (ONNX applies `clip` to the input of every activation).
template <typename T>
void ApplyActivation(const Activation& activation, float clip, T* values, int64_t count);

// The attributes every recurrent op shares, read and checked at load time.
struct RecurrentAttributes {
  int64_t hidden_size = 0;  // 0 when the attribute is absent: taken from R
  int num_directions = 1;
  bool reverse = false;      // direction == "reverse"
  float clip = 0.0f;         // 0: no clipping
  bool batch_major = false;  // layout == 1 (opset 14+)
  // activations_per_direction entries for the forward (or only) direction, then as many for
  // the backward one.
  std::vector<Activation> activations;
  int activations_per_direction = 0;
  // Which outputs the node names: Y, Y_h and (LSTM) Y_c.
  bool want_y = false, want_y_h = false, want_y_c = false;
};

// Reads the shared attributes. `default_activations` is one direction's default list, e.g.
// {"Sigmoid", "Tanh"} for GRU. A bidirectional node may list one direction's activations; they
// then serve both. activation_alpha/beta are consumed in list order by the activations that take
// them; missing ones default to the values of the matching ONNX operator.
StatusOr<RecurrentAttributes> ReadRecurrentAttributes(
    const KernelInit& init, std::span<const std::string_view> default_activations);

// One direction of a recurrent layer, as a cell sees it at a time step.
template <typename T>
struct CellDirection {
  int64_t batch = 0;
  int64_t hidden = 0;
  const T* r = nullptr;   // R of this direction: [gates * hidden, hidden]
  const T* rb = nullptr;  // Rb of this direction [gates * hidden], or nullptr without B
  const T* p = nullptr;   // LSTM peepholes [3 * hidden], or nullptr without P
  const Activation* activations = nullptr;  // activations_per_direction entries
  float clip = 0.0f;
};

struct RecurrentShape {
  int gates = 1;                // gate blocks in W, R and each half of B: 1 RNN, 3 GRU, 4 LSTM
  int folded_rb_gates = 1;      // leading gate blocks whose Rb the loop adds to X * W^T
  bool has_cell_state = false;  // LSTM: inputs initial_c, P and output Y_c
};

// The base of the RNN, GRU and LSTM kernels: Compute() validates the inputs (X, W, R, B,
// sequence_lens, initial_h, and with a cell state initial_c, P), loops over directions and
// steps calling Step(), and fills the named outputs. float and double.
class RecurrentKernel : public Kernel {
 public:
  RecurrentKernel(RecurrentAttributes attributes, RecurrentShape shape)
      : attributes_(std::move(attributes)), shape_(shape) {}
  Status Compute(KernelContext& context) const final;

 protected:
  // Advances the rows `active` of the state by one step. `gates` is [batch, gates * hidden]
  // holding X * W^T + Wb plus the folded part of Rb for the active rows (other rows are
  // scratch, as is `scratch`, [batch, hidden]). `h` and `c` ([batch, hidden]; c is null without
  // a cell state) are updated in place for the active rows only.
  virtual void Step(const CellDirection<float>& direction, std::span<const int64_t> active,
                    float* gates, float* h, float* c, float* scratch) const = 0;
  virtual void Step(const CellDirection<double>& direction, std::span<const int64_t> active,
                    double* gates, double* h, double* c, double* scratch) const = 0;

 private:
  template <typename T>
  Status Run(KernelContext& context) const;

  const RecurrentAttributes attributes_;
  const RecurrentShape shape_;
};

}  // namespace mlos::engine
