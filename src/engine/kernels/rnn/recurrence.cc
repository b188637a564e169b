#include "engine/kernels/rnn/recurrence.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/math/blas.h"

namespace mlos::engine {
namespace {

struct ActivationInfo {
  std::string_view name;  // lower case; names match case-insensitively
  ActivationKind kind;
  bool takes_alpha, takes_beta;
  float default_alpha, default_beta;
};

// Defaults are those of the ONNX operator of the same name; Affine and ScaledTanh, which have
// none, default to the identity scalings (alpha 1, beta 0 and alpha 1, beta 1).
constexpr ActivationInfo kActivations[] = {
    {"relu", ActivationKind::kRelu, false, false, 0.0f, 0.0f},
    {"tanh", ActivationKind::kTanh, false, false, 0.0f, 0.0f},
    {"sigmoid", ActivationKind::kSigmoid, false, false, 0.0f, 0.0f},
    {"affine", ActivationKind::kAffine, true, true, 1.0f, 0.0f},
    {"leakyrelu", ActivationKind::kLeakyRelu, true, false, 0.01f, 0.0f},
    {"thresholdedrelu", ActivationKind::kThresholdedRelu, true, false, 1.0f, 0.0f},
    {"scaledtanh", ActivationKind::kScaledTanh, true, true, 1.0f, 1.0f},
    {"hardsigmoid", ActivationKind::kHardSigmoid, true, true, 0.2f, 0.5f},
    {"elu", ActivationKind::kElu, true, false, 1.0f, 0.0f},
    {"softsign", ActivationKind::kSoftsign, false, false, 0.0f, 0.0f},
    {"softplus", ActivationKind::kSoftplus, false, false, 0.0f, 0.0f},
};

// Parses `names` in order, each activation that takes alpha (beta) consuming the next entry of
// `alphas` (`betas`) or, when they run out, its default.
StatusOr<std::vector<Activation>> ParseActivations(std::span<const std::string> names,
                                                   std::span<const float> alphas,
                                                   std::span<const float> betas) {
  std::vector<Activation> parsed;
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    std::string lower = name;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const ActivationInfo* info = nullptr;
    for (const ActivationInfo& candidate : kActivations) {
      if (candidate.name == lower) info = &candidate;
    }
    if (info == nullptr) {
      return InvalidArgument("attribute activations: unknown activation '" + name +
                             "' (expected Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, "
                             "ScaledTanh, HardSigmoid, Elu, Softsign or Softplus)");
    }
    Activation activation{info->kind, info->default_alpha, info->default_beta};
    if (info->takes_alpha && next_alpha < alphas.size()) activation.alpha = alphas[next_alpha++];
    if (info->takes_beta && next_beta < betas.size()) activation.beta = betas[next_beta++];
    parsed.push_back(activation);
  }
  return parsed;
}

// [a, b, inner] -> [b, a, inner].
template <typename T>
void SwapLeadingAxes(const T* in, int64_t a, int64_t b, int64_t inner, T* out) {
  for (int64_t i = 0; i < a; ++i) {
    for (int64_t j = 0; j < b; ++j) {
      std::copy_n(in + (i * b + j) * inner, inner, out + (j * a + i) * inner);
    }
  }
}

constexpr const char* kInputNames[] = {"X",         "W",         "R", "B", "sequence_lens",
                                       "initial_h", "initial_c", "P"};

std::string InputName(size_t index) {
  return "input " + std::to_string(index) + " (" + kInputNames[index] + ")";
}

// OK iff optional input `index` is absent or has `dtype` and `shape`.
Status CheckInput(const KernelContext& context, size_t index, DataType dtype, const Shape& shape) {
  if (!context.has_input(index)) return Status::Ok();
  const Tensor& input = context.input(index);
  if (input.dtype() != dtype) {
    return InvalidArgument(InputName(index) + ": element type " + Name(input.dtype()) +
                           " does not match " + Name(dtype) +
                           (index == 4 ? std::string() : " of input 0 (X)"));
  }
  if (input.shape() != shape) {
    return InvalidArgument(InputName(index) + ": expected shape " + ShapeToString(shape) +
                           ", got " + ShapeToString(input.shape()));
  }
  return Status::Ok();
}

}  // namespace

template <typename T>
void ApplyActivation(const Activation& activation, float clip, T* values, int64_t count) {
  if (clip > 0.0f) {
    const T bound = static_cast<T>(clip);
    for (int64_t i = 0; i < count; ++i) values[i] = std::clamp(values[i], -bound, bound);
  }
  const T alpha = static_cast<T>(activation.alpha);
  const T beta = static_cast<T>(activation.beta);
  auto apply = [&](auto function) {
    for (int64_t i = 0; i < count; ++i) values[i] = function(values[i]);
  };
  switch (activation.kind) {
    case ActivationKind::kRelu:
      return apply([](T x) { return std::max(x, T(0)); });
    case ActivationKind::kTanh:
      return apply([](T x) { return std::tanh(x); });
    case ActivationKind::kSigmoid:
      return apply([](T x) { return T(1) / (T(1) + std::exp(-x)); });
    case ActivationKind::kAffine:
      return apply([&](T x) { return alpha * x + beta; });
    case ActivationKind::kLeakyRelu:
      return apply([&](T x) { return x >= T(0) ? x : alpha * x; });
    case ActivationKind::kThresholdedRelu:
      return apply([&](T x) { return x > alpha ? x : T(0); });
    case ActivationKind::kScaledTanh:
      return apply([&](T x) { return alpha * std::tanh(beta * x); });
    case ActivationKind::kHardSigmoid:
      return apply([&](T x) { return std::clamp(alpha * x + beta, T(0), T(1)); });
    case ActivationKind::kElu:
      return apply([&](T x) { return x >= T(0) ? x : alpha * std::expm1(x); });
    case ActivationKind::kSoftsign:
      return apply([](T x) { return x / (T(1) + std::fabs(x)); });
    case ActivationKind::kSoftplus:  // log(1 + e^x) without overflow for large x
      return apply([](T x) { return std::max(x, T(0)) + std::log1p(std::exp(-std::fabs(x))); });
  }
}

template void ApplyActivation<float>(const Activation&, float, float*, int64_t);
template void ApplyActivation<double>(const Activation&, float, double*, int64_t);

StatusOr<RecurrentAttributes> ReadRecurrentAttributes(
    const KernelInit& init, std::span<const std::string_view> default_activations) {
  const NodeAttributes& attributes = init.attributes;
  RecurrentAttributes result;
  if (attributes.Has("hidden_size")) {
    result.hidden_size = attributes.GetInt("hidden_size", 0);
    if (result.hidden_size <= 0) {
      return InvalidArgument("attribute hidden_size must be positive, got " +
                             std::to_string(result.hidden_size));
    }
  }
  const std::string direction = attributes.GetString("direction", "forward");
  if (direction == "bidirectional") {
    result.num_directions = 2;
  } else if (direction == "reverse") {
    result.reverse = true;
  } else if (direction != "forward") {
    return InvalidArgument("attribute direction must be forward, reverse or bidirectional, got '" +
                           direction + "'");
  }
  if (attributes.Has("clip")) {
    result.clip = attributes.GetFloat("clip", 0.0f);
    if (!(result.clip > 0.0f)) {
      return InvalidArgument("attribute clip must be positive, got " + std::to_string(result.clip));
    }
  }
  if (init.opset >= 14) {
    const int64_t layout = attributes.GetInt("layout", 0);
    if (layout != 0 && layout != 1) {
      return InvalidArgument("attribute layout must be 0 or 1, got " + std::to_string(layout));
    }
    result.batch_major = layout == 1;
  }

  const size_t per_direction = default_activations.size();
  std::vector<std::string> names = attributes.GetStrings("activations");
  if (names.empty()) {
    for (int d = 0; d < result.num_directions; ++d) {
      names.insert(names.end(), default_activations.begin(), default_activations.end());
    }
  }
  const bool shared_by_directions = result.num_directions == 2 && names.size() == per_direction;
  if (!shared_by_directions && names.size() != per_direction * result.num_directions) {
    return InvalidArgument("attribute activations lists " + std::to_string(names.size()) +
                           " functions; expected " + std::to_string(per_direction) +
                           " per direction for " + std::to_string(result.num_directions) +
                           " direction(s)");
  }
  ASSIGN_OR_RETURN(result.activations,
                   ParseActivations(names, attributes.GetFloats("activation_alpha"),
                                    attributes.GetFloats("activation_beta")));
  if (shared_by_directions) {
    result.activations.insert(result.activations.end(), result.activations.begin(),
                              result.activations.end());
  }
  result.activations_per_direction = static_cast<int>(per_direction);

  auto named = [&](int index) {
    return init.node.output_size() > index && !init.node.output(index).empty();
  };
  result.want_y = named(0);
  result.want_y_h = named(1);
  result.want_y_c = named(2);
  return result;
}

Status RecurrentKernel::Compute(KernelContext& context) const {
  if (!context.has_input(0) || !context.has_input(1) || !context.has_input(2)) {
    return InvalidArgument("inputs 0 (X), 1 (W) and 2 (R) are required");
  }
  return DispatchByType<TypeList<float, double>>(
      context.input(0).dtype(), "input 0 (X)",
      [&](auto tag) { return Run<typename decltype(tag)::type>(context); });
}

template <typename T>
Status RecurrentKernel::Run(KernelContext& context) const {
  const RecurrentAttributes& attributes = attributes_;
  const Tensor& x = context.input(0);
  if (x.shape().size() != 3) {
    return InvalidArgument("input 0 (X): expected rank 3, got shape " + ShapeToString(x.shape()));
  }
  const bool batch_major = attributes.batch_major;
  const int64_t seq_length = x.shape()[batch_major ? 1 : 0];
  const int64_t batch = x.shape()[batch_major ? 0 : 1];
  const int64_t input_size = x.shape()[2];
  const int64_t directions = attributes.num_directions;
  const Tensor& r = context.input(2);
  int64_t hidden = attributes.hidden_size;
  if (hidden == 0) {
    if (r.shape().size() != 3) {
      return InvalidArgument("input 2 (R): expected rank 3, got shape " + ShapeToString(r.shape()));
    }
    hidden = r.shape()[2];
  }
  const int64_t gate_width = shape_.gates * hidden;
  const DataType dtype = x.dtype();
  RETURN_IF_ERROR(CheckInput(context, 1, dtype, {directions, gate_width, input_size}));
  RETURN_IF_ERROR(CheckInput(context, 2, dtype, {directions, gate_width, hidden}));
  RETURN_IF_ERROR(CheckInput(context, 3, dtype, {directions, 2 * gate_width}));
  RETURN_IF_ERROR(CheckInput(context, 4, DataType::kInt32, {batch}));
  const Shape state_shape =
      batch_major ? Shape{batch, directions, hidden} : Shape{directions, batch, hidden};
  RETURN_IF_ERROR(CheckInput(context, 5, dtype, state_shape));
  if (shape_.has_cell_state) {
    RETURN_IF_ERROR(CheckInput(context, 6, dtype, state_shape));
    RETURN_IF_ERROR(CheckInput(context, 7, dtype, {directions, 3 * hidden}));
  }

  std::vector<int64_t> lengths(static_cast<size_t>(batch), seq_length);
  if (context.has_input(4)) {
    const int32_t* given = context.input(4).data<int32_t>();
    for (int64_t b = 0; b < batch; ++b) {
      if (given[b] < 0 || given[b] > seq_length) {
        return InvalidArgument("input 4 (sequence_lens): entry " + std::to_string(b) + " is " +
                               std::to_string(given[b]) + ", outside [0, " +
                               std::to_string(seq_length) + "]");
      }
      lengths[b] = given[b];
    }
  }
  const int64_t max_length = batch == 0 ? 0 : *std::max_element(lengths.begin(), lengths.end());

  // Everything below is in layout 0: X [seq, batch, input], states [directions, batch, hidden].
  const int64_t state_size = directions * batch * hidden;
  auto time_major = [&](size_t index, int64_t outer, int64_t inner,
                        std::vector<T>& buffer) -> const T* {
    if (!context.has_input(index)) return nullptr;
    const T* data = context.input(index).data<T>();
    if (!batch_major) return data;
    buffer.resize(static_cast<size_t>(outer * batch * inner));
    SwapLeadingAxes(data, batch, outer, inner, buffer.data());
    return buffer.data();
  };
  std::vector<T> x_buffer, initial_h_buffer, initial_c_buffer;
  const T* x_data = time_major(0, seq_length, input_size, x_buffer);
  const T* initial_h = time_major(5, directions, hidden, initial_h_buffer);
  const T* initial_c =
      shape_.has_cell_state ? time_major(6, directions, hidden, initial_c_buffer) : nullptr;
  const T* bias = context.has_input(3) ? context.input(3).data<T>() : nullptr;
  const T* peepholes =
      shape_.has_cell_state && context.has_input(7) ? context.input(7).data<T>() : nullptr;

  std::vector<T> y(attributes.want_y ? static_cast<size_t>(seq_length * state_size) : 0);
  std::vector<T> y_h(static_cast<size_t>(state_size));
  std::vector<T> y_c(shape_.has_cell_state ? static_cast<size_t>(state_size) : 0);

  std::vector<T> projected(static_cast<size_t>(seq_length * batch * gate_width));
  std::vector<T> row_bias(static_cast<size_t>(gate_width));
  std::vector<T> gates(static_cast<size_t>(batch * gate_width));
  std::vector<T> h(static_cast<size_t>(batch * hidden));
  std::vector<T> c(shape_.has_cell_state ? static_cast<size_t>(batch * hidden) : 0);
  std::vector<T> scratch(static_cast<size_t>(batch * hidden));
  std::vector<int64_t> active, time_of(static_cast<size_t>(batch));
  active.reserve(static_cast<size_t>(batch));

  for (int64_t d = 0; d < directions; ++d) {
    const bool reverse = attributes.reverse || d == 1;
    // projected[t, b] = X[t, b] * W^T + Wb + (the folded gates of) Rb.
    const int64_t rows = seq_length * batch;
    if (rows > 0 && input_size > 0) {
      Gemm<T>(context.pool, false, true, rows, gate_width, input_size, T(1), x_data, input_size,
              context.input(1).data<T>() + d * gate_width * input_size, input_size, T(0),
              projected.data(), gate_width);
    } else {
      std::fill(projected.begin(), projected.end(), T(0));
    }
    const T* rb = nullptr;
    if (bias != nullptr) {
      const T* wb = bias + d * 2 * gate_width;
      rb = wb + gate_width;
      const int64_t folded = shape_.folded_rb_gates * hidden;
      for (int64_t i = 0; i < gate_width; ++i) row_bias[i] = wb[i] + (i < folded ? rb[i] : T(0));
      for (int64_t row = 0; row < rows; ++row) {
        T* out = projected.data() + row * gate_width;
        for (int64_t i = 0; i < gate_width; ++i) out[i] += row_bias[i];
      }
    }
    const CellDirection<T> cell{
        batch,
        hidden,
        r.data<T>() + d * gate_width * hidden,
        rb,
        peepholes == nullptr ? nullptr : peepholes + d * 3 * hidden,
        attributes.activations.data() + d * attributes.activations_per_direction,
        attributes.clip};

    const int64_t state_offset = d * batch * hidden;
    auto load_state = [&](const T* initial, std::vector<T>& state) {
      if (initial == nullptr) {
        std::fill(state.begin(), state.end(), T(0));
      } else {
        std::copy_n(initial + state_offset, state.size(), state.begin());
      }
    };
    load_state(initial_h, h);
    if (shape_.has_cell_state) load_state(initial_c, c);

    for (int64_t step = 0; step < max_length; ++step) {
      active.clear();
      for (int64_t b = 0; b < batch; ++b) {
        if (step >= lengths[b]) continue;
        const int64_t t = reverse ? lengths[b] - 1 - step : step;
        time_of[b] = t;
        active.push_back(b);
        std::copy_n(projected.data() + (t * batch + b) * gate_width, gate_width,
                    gates.data() + b * gate_width);
      }
      Step(cell, active, gates.data(), h.data(), shape_.has_cell_state ? c.data() : nullptr,
           scratch.data());
      if (attributes.want_y) {
        for (int64_t b : active) {
          std::copy_n(h.data() + b * hidden, hidden,
                      y.data() + ((time_of[b] * directions + d) * batch + b) * hidden);
        }
      }
    }
    for (int64_t b = 0; b < batch; ++b) {
      if (lengths[b] == 0) continue;  // its final state stays zero
      std::copy_n(h.data() + b * hidden, hidden, y_h.data() + state_offset + b * hidden);
      if (shape_.has_cell_state) {
        std::copy_n(c.data() + b * hidden, hidden, y_c.data() + state_offset + b * hidden);
      }
    }
  }

  // Back to the node's layout: Y [seq, directions, batch, hidden] or [batch, seq, directions,
  // hidden]; Y_h and Y_c [directions, batch, hidden] or [batch, directions, hidden].
  auto emit = [&](size_t index, const std::vector<T>& values, Shape shape, int64_t outer) {
    Tensor& out = context.outputs[index];
    out = Tensor(dtype, std::move(shape));
    if (batch_major) {
      SwapLeadingAxes(values.data(), outer, batch, hidden, out.data<T>());
    } else {
      std::copy(values.begin(), values.end(), out.data<T>());
    }
  };
  if (attributes.want_y) {
    emit(0, y,
         batch_major ? Shape{batch, seq_length, directions, hidden}
                     : Shape{seq_length, directions, batch, hidden},
         seq_length * directions);
  }
  if (attributes.want_y_h) emit(1, y_h, state_shape, directions);
  if (attributes.want_y_c && shape_.has_cell_state) emit(2, y_c, state_shape, directions);
  return Status::Ok();
}

}  // namespace mlos::engine
