// The optimizers of domain ai.onnx.preview.training (version 1): Adagrad, Adam and Momentum.
// Each updates n tensors at once. Inputs: R (learning rate, float/double scalar), T (update count,
// int64 scalar), then n tensors X, n gradients G, and n tensors of each optimizer state (Adagrad:
// H; Momentum: V; Adam: V, H), all float or double, each group sharing X's shape and type.
// Outputs: n new X, then n new tensors of each state, in input order. Arithmetic runs in double.
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"

namespace mlos::engine {
namespace {

constexpr const char* kTrainingDomain = "ai.onnx.preview.training";
using StateTypes = TypeList<float, double>;

StatusOr<double> ReadLearningRate(const Tensor& rate) {
  if (rate.element_count() != 1) {
    return InvalidArgument("input 0 (R): expected one value, got shape " +
                           ShapeToString(rate.shape()));
  }
  if (rate.dtype() == DataType::kFloat32) return static_cast<double>(rate.data<float>()[0]);
  if (rate.dtype() == DataType::kFloat64) return rate.data<double>()[0];
  return UnsupportedType("input 0 (R)", rate.dtype());
}

StatusOr<int64_t> ReadUpdateCount(const Tensor& count) {
  if (count.dtype() != DataType::kInt64) return UnsupportedType("input 1 (T)", count.dtype());
  return ReadScalarInteger(count, "input 1 (T)");
}

// Applies `rule` elementwise to every group: rule(x, g, state) returns the new x and updates
// `state` (kStates values, old on entry, new on exit) in place.
template <size_t kStates, typename Rule>
Status ApplyUpdate(KernelContext& context, const Rule& rule) {
  constexpr size_t kKinds = 2 + kStates;  // X, G, states
  const size_t tensors = context.input_count() - 2;
  const size_t groups = tensors / kKinds;
  if (context.input_count() < 2 || groups == 0 || tensors % kKinds != 0) {
    return InvalidArgument("expected R, T and " + std::to_string(kKinds) +
                           " inputs per updated tensor, got " +
                           std::to_string(context.input_count()) + " inputs");
  }
  if (context.outputs.size() != groups * (kKinds - 1)) {
    return InvalidArgument("expected " + std::to_string(groups * (kKinds - 1)) + " outputs for " +
                           std::to_string(groups) + " updated tensors, got " +
                           std::to_string(context.outputs.size()));
  }
  for (size_t group = 0; group < groups; ++group) {
    std::array<const Tensor*, kKinds> in;
    for (size_t kind = 0; kind < kKinds; ++kind) {
      const size_t index = 2 + kind * groups + group;
      if (!context.has_input(index))
        return InvalidArgument("input " + std::to_string(index) + " is missing");
      in[kind] = &context.input(index);
      if (in[kind]->dtype() != in[0]->dtype() || in[kind]->shape() != in[0]->shape()) {
        return InvalidArgument("input " + std::to_string(index) + " (" + Name(in[kind]->dtype()) +
                               " " + ShapeToString(in[kind]->shape()) + ") does not match input " +
                               std::to_string(2 + group) + " (" + Name(in[0]->dtype()) + " " +
                               ShapeToString(in[0]->shape()) + ")");
      }
    }
    const Tensor& x = *in[0];
    std::array<Tensor*, kStates + 1> out;
    for (size_t kind = 0; kind <= kStates; ++kind) {
      out[kind] = &context.outputs[kind * groups + group];
      *out[kind] = Tensor(x.dtype(), x.shape());
    }
    RETURN_IF_ERROR(
        DispatchByType<StateTypes>(x.dtype(), "input " + std::to_string(2 + group), [&](auto tag) {
          using T = typename decltype(tag)::type;
          for (int64_t i = 0; i < x.element_count(); ++i) {
            std::array<double, kStates> state;
            for (size_t s = 0; s < kStates; ++s) state[s] = in[2 + s]->template data<T>()[i];
            const double x_new = rule(static_cast<double>(x.data<T>()[i]),
                                      static_cast<double>(in[1]->template data<T>()[i]), state);
            out[0]->template data<T>()[i] = static_cast<T>(x_new);
            for (size_t s = 0; s < kStates; ++s)
              out[1 + s]->template data<T>()[i] = static_cast<T>(state[s]);
          }
          return Status::Ok();
        }));
  }
  return Status::Ok();
}

// Adagrad: r = R / (1 + T * decay_factor); g' = norm_coefficient * x + g; h += g'^2;
// x -= r * g' / (sqrt(h) + epsilon).
class AdagradKernel final : public Kernel {
 public:
  explicit AdagradKernel(const NodeAttributes& attributes)
      : decay_factor_(attributes.GetFloat("decay_factor", 0.0f)),
        epsilon_(attributes.GetFloat("epsilon", 1e-6f)),
        norm_coefficient_(attributes.GetFloat("norm_coefficient", 0.0f)) {}

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const double rate, ReadLearningRate(context.input(0)));
    ASSIGN_OR_RETURN(const int64_t count, ReadUpdateCount(context.input(1)));
    const double adjusted_rate = rate / (1.0 + static_cast<double>(count) * decay_factor_);
    return ApplyUpdate<1>(context, [&](double x, double g, std::array<double, 1>& state) {
      const double regularized = norm_coefficient_ * x + g;
      state[0] += regularized * regularized;
      return x - adjusted_rate * regularized / (std::sqrt(state[0]) + epsilon_);
    });
  }

 private:
  const double decay_factor_, epsilon_, norm_coefficient_;
};

// Adam: g' = norm_coefficient * x + g; v = alpha * v + (1 - alpha) * g';
// h = beta * h + (1 - beta) * g'^2; r = R * sqrt(1 - beta^T) / (1 - alpha^T) when T > 0, else R;
// x = (1 - norm_coefficient_post) * (x - r * v / (sqrt(h) + epsilon)).
class AdamKernel final : public Kernel {
 public:
  explicit AdamKernel(const NodeAttributes& attributes)
      : alpha_(attributes.GetFloat("alpha", 0.9f)),
        beta_(attributes.GetFloat("beta", 0.999f)),
        epsilon_(attributes.GetFloat("epsilon", 1e-6f)),
        norm_coefficient_(attributes.GetFloat("norm_coefficient", 0.0f)),
        norm_coefficient_post_(attributes.GetFloat("norm_coefficient_post", 0.0f)) {}

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const double rate, ReadLearningRate(context.input(0)));
    ASSIGN_OR_RETURN(const int64_t count, ReadUpdateCount(context.input(1)));
    const double steps = static_cast<double>(count);
    const double adjusted_rate =
        count > 0 ? rate * std::sqrt(1.0 - std::pow(beta_, steps)) / (1.0 - std::pow(alpha_, steps))
                  : rate;
    return ApplyUpdate<2>(context, [&](double x, double g, std::array<double, 2>& state) {
      const double regularized = norm_coefficient_ * x + g;
      double& momentum = state[0];
      double& squared = state[1];
      momentum = alpha_ * momentum + (1.0 - alpha_) * regularized;
      squared = beta_ * squared + (1.0 - beta_) * regularized * regularized;
      const double x_new = x - adjusted_rate * momentum / (std::sqrt(squared) + epsilon_);
      return (1.0 - norm_coefficient_post_) * x_new;
    });
  }

 private:
  const double alpha_, beta_, epsilon_, norm_coefficient_, norm_coefficient_post_;
};

// Momentum: g' = norm_coefficient * x + g; v = alpha * v + (T > 0 ? beta : 1) * g';
// standard: x -= R * v; nesterov: x -= R * (g' + alpha * v).
class MomentumKernel final : public Kernel {
 public:
  MomentumKernel(double alpha, double beta, double norm_coefficient, bool nesterov)
      : alpha_(alpha), beta_(beta), norm_coefficient_(norm_coefficient), nesterov_(nesterov) {}

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const double rate, ReadLearningRate(context.input(0)));
    ASSIGN_OR_RETURN(const int64_t count, ReadUpdateCount(context.input(1)));
    const double gradient_scale = count > 0 ? beta_ : 1.0;
    return ApplyUpdate<1>(context, [&](double x, double g, std::array<double, 1>& state) {
      const double regularized = norm_coefficient_ * x + g;
      state[0] = alpha_ * state[0] + gradient_scale * regularized;
      return x - rate * (nesterov_ ? regularized + alpha_ * state[0] : state[0]);
    });
  }

 private:
  const double alpha_, beta_, norm_coefficient_;
  const bool nesterov_;
};

StatusOr<std::unique_ptr<Kernel>> CreateAdagrad(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<AdagradKernel>(init.attributes));
}

StatusOr<std::unique_ptr<Kernel>> CreateAdam(const KernelInit& init) {
  return std::unique_ptr<Kernel>(std::make_unique<AdamKernel>(init.attributes));
}

StatusOr<std::unique_ptr<Kernel>> CreateMomentum(const KernelInit& init) {
  for (const char* required : {"alpha", "beta", "norm_coefficient", "mode"}) {
    if (!init.attributes.Has(required))
      return InvalidArgument(std::string("attribute '") + required + "' is required");
  }
  const std::string mode = init.attributes.GetString("mode", "");
  if (mode != "standard" && mode != "nesterov") {
    return InvalidArgument("attribute 'mode' must be 'standard' or 'nesterov', got '" + mode + "'");
  }
  return std::unique_ptr<Kernel>(std::make_unique<MomentumKernel>(
      init.attributes.GetFloat("alpha", 0.0f), init.attributes.GetFloat("beta", 0.0f),
      init.attributes.GetFloat("norm_coefficient", 0.0f), mode == "nesterov"));
}

}  // namespace

void RegisterOptimizerKernels(KernelRegistry& registry) {
  const std::vector<DataType> rate_types = DataTypesOf(StateTypes{});
  registry.Register({kTrainingDomain, "Adagrad", 1, 1 << 30, rate_types, &CreateAdagrad});
  registry.Register({kTrainingDomain, "Adam", 1, 1 << 30, rate_types, &CreateAdam});
  registry.Register({kTrainingDomain, "Momentum", 1, 1 << 30, rate_types, &CreateMomentum});
}

}  // namespace mlos::engine
