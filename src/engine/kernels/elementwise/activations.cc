// Activation kernels: Relu, Sigmoid, LeakyRelu, Elu, Selu, Celu, ThresholdedRelu, HardSigmoid,
// HardSwish, Softplus, Softsign, Shrink, and Clip (bounds as attributes before opset 11, inputs
// after).
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/kernels/elementwise/unary.h"
#include "engine/thread_pool.h"

namespace mlos::engine {
namespace {

constexpr double kTranscendentalCost = 20.0;

struct Relu {
  template <typename C>
  C operator()(C x) const { return x > C(0) ? x : C(0); }
};
struct Sigmoid {
  static constexpr double kCost = kTranscendentalCost;
  template <typename C>
  C operator()(C x) const { return C(1) / (C(1) + std::exp(-x)); }
};
class LeakyRelu {
 public:
  explicit LeakyRelu(const KernelInit& init) : alpha_(init.attributes.GetFloat("alpha", 0.01f)) {}
  template <typename C>
  C operator()(C x) const { return x >= C(0) ? x : static_cast<C>(alpha_) * x; }

 private:
  float alpha_;
};
class Elu {
 public:
  static constexpr double kCost = kTranscendentalCost;
  explicit Elu(const KernelInit& init) : alpha_(init.attributes.GetFloat("alpha", 1.0f)) {}
  template <typename C>
  C operator()(C x) const { return x > C(0) ? x : static_cast<C>(alpha_) * std::expm1(x); }

 private:
  float alpha_;
};
class Selu {
 public:
  static constexpr double kCost = kTranscendentalCost;
  explicit Selu(const KernelInit& init)
      : alpha_(init.attributes.GetFloat("alpha", 1.67326319217681884765625f)),
        gamma_(init.attributes.GetFloat("gamma", 1.05070102214813232421875f)) {}
  template <typename C>
  C operator()(C x) const {
    return static_cast<C>(gamma_) * (x > C(0) ? x : static_cast<C>(alpha_) * std::expm1(x));
  }

 private:
  float alpha_;
  float gamma_;
};
class Celu {
 public:
  static constexpr double kCost = kTranscendentalCost;
  explicit Celu(const KernelInit& init) : alpha_(init.attributes.GetFloat("alpha", 1.0f)) {}
  template <typename C>
  C operator()(C x) const {
    const C alpha = static_cast<C>(alpha_);
    return x > C(0) ? x : alpha * std::expm1(x / alpha);
  }

 private:
  float alpha_;
};
class ThresholdedRelu {
 public:
  explicit ThresholdedRelu(const KernelInit& init)
      : alpha_(init.attributes.GetFloat("alpha", 1.0f)) {}
  template <typename C>
  C operator()(C x) const { return x > static_cast<C>(alpha_) ? x : C(0); }

 private:
  float alpha_;
};
class HardSigmoid {
 public:
  explicit HardSigmoid(const KernelInit& init)
      : alpha_(init.attributes.GetFloat("alpha", 0.2f)),
        beta_(init.attributes.GetFloat("beta", 0.5f)) {}
  template <typename C>
  C operator()(C x) const {
    return std::clamp(static_cast<C>(alpha_) * x + static_cast<C>(beta_), C(0), C(1));
  }

 private:
  float alpha_;
  float beta_;
};
struct HardSwish {
  template <typename C>
  C operator()(C x) const { return x * std::clamp(x / C(6) + C(0.5), C(0), C(1)); }
};
// log(1 + e^x), written so that neither branch overflows.
struct Softplus {
  static constexpr double kCost = kTranscendentalCost;
  template <typename C>
  C operator()(C x) const {
    return x > C(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
};
struct Softsign {
  template <typename C>
  C operator()(C x) const { return x / (C(1) + std::fabs(x)); }
};

// Shrink: x + bias below -lambd, x - bias above lambd, 0 in between.
class Shrink {
 public:
  explicit Shrink(const KernelInit& init)
      : lambd_(init.attributes.GetFloat("lambd", 0.5f)),
        bias_(init.attributes.GetFloat("bias", 0.0f)) {}
  template <typename C>
  C operator()(C x) const {
    const double value = static_cast<double>(x);
    if (value < -lambd_) return static_cast<C>(value + bias_);
    if (value > lambd_) return static_cast<C>(value - bias_);
    return C(0);
  }

 private:
  double lambd_;
  double bias_;
};

// Clip: min(max(x, low), high). Before opset 11 the bounds are float attributes; from 11 they are
// optional scalar inputs 1 and 2 of x's type. A missing bound does not clip.
class ClipKernel : public Kernel {
 public:
  explicit ClipKernel(const KernelInit& init)
      : bounds_are_inputs_(init.opset >= 11),
        min_attribute_(init.attributes.GetFloat("min", std::numeric_limits<float>::lowest())),
        max_attribute_(init.attributes.GetFloat("max", std::numeric_limits<float>::max())) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    return DispatchByType<NumericTypes>(input.dtype(), "input 0 (input)", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      C low = std::numeric_limits<C>::lowest();
      C high = std::numeric_limits<C>::max();
      if (bounds_are_inputs_) {
        RETURN_IF_ERROR(ReadBound<T>(context, 1, "min", low));
        RETURN_IF_ERROR(ReadBound<T>(context, 2, "max", high));
      } else {
        low = ConvertElement<C>(min_attribute_);
        high = ConvertElement<C>(max_attribute_);
      }
      Tensor output(input.dtype(), input.shape());
      const T* in = input.data<T>();
      T* out = output.data<T>();
      ParallelFor(context.pool, input.element_count(), 1.0, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          // Not std::clamp: low > high is allowed and yields high, as in ONNX.
          out[i] = static_cast<T>(std::min(std::max(static_cast<C>(in[i]), low), high));
        }
      });
      context.outputs[0] = std::move(output);
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  static Status ReadBound(const KernelContext& context, int index, const char* name,
                          ComputeType<T>& bound) {
    if (!context.has_input(index)) return Status::Ok();
    const Tensor& tensor = context.input(index);
    if (tensor.dtype() != context.input(0).dtype() || tensor.element_count() != 1) {
      return InvalidArgument(InputName(index, name) + ": expected a single " +
                             Name(context.input(0).dtype()) + " value, got " +
                             Name(tensor.dtype()) + " of shape " + ShapeToString(tensor.shape()));
    }
    bound = static_cast<ComputeType<T>>(tensor.data<T>()[0]);
    return Status::Ok();
  }

  bool bounds_are_inputs_;
  float min_attribute_;
  float max_attribute_;
};

}  // namespace

void RegisterActivationKernels(KernelRegistry& registry) {
  RegisterUnary<Relu, SignedNumericTypes>(registry, "Relu", 1);
  RegisterUnary<Sigmoid, FloatTypes>(registry, "Sigmoid", 1);
  RegisterUnary<LeakyRelu, FloatTypes>(registry, "LeakyRelu", 1);
  RegisterUnary<Elu, FloatTypes>(registry, "Elu", 1);
  RegisterUnary<Selu, FloatTypes>(registry, "Selu", 6);
  RegisterUnary<Celu, FloatTypes>(registry, "Celu", 12);
  RegisterUnary<ThresholdedRelu, FloatTypes>(registry, "ThresholdedRelu", 10);
  RegisterUnary<HardSigmoid, FloatTypes>(registry, "HardSigmoid", 1);
  RegisterUnary<HardSwish, FloatTypes>(registry, "HardSwish", 14);
  RegisterUnary<Softplus, FloatTypes>(registry, "Softplus", 1);
  RegisterUnary<Softsign, FloatTypes>(registry, "Softsign", 1);
  RegisterUnary<Shrink, NumericTypes>(registry, "Shrink", 9);
  registry.Register({"", "Clip", 6, 10, DataTypesOf(FloatTypes{}), &CreateKernel<ClipKernel, 1>});
  registry.Register({"", "Clip", 11, kLatestOpset, DataTypesOf(NumericTypes{}),
                     &CreateKernel<ClipKernel, 1, 3>});
}

}  // namespace mlos::engine
