// One-input math kernels: Abs, Neg, Sign, Reciprocal, Floor, Ceil, Round, Sqrt, Exp, Log, Erf,
// the trigonometric and hyperbolic functions, Not, IsNaN, IsInf.
#include <cmath>

#include "engine/kernels/elementwise/unary.h"

namespace mlos::engine {
namespace {

constexpr double kTranscendentalCost = 20.0;

struct Abs {
  template <typename C>
  C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>) {
      return x;
    } else {
      return x < C(0) ? static_cast<C>(-x) : x;
    }
  }
};
struct Neg {
  template <typename C>
  C operator()(C x) const { return static_cast<C>(-x); }
};
struct Sign {
  template <typename C>
  C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>) {
      return x > C(0) ? C(1) : C(0);
    } else {
      return x > C(0) ? C(1) : (x < C(0) ? C(-1) : C(0));
    }
  }
};
struct Reciprocal {
  template <typename C>
  C operator()(C x) const { return C(1) / x; }
};
struct Floor {
  template <typename C>
  C operator()(C x) const { return std::floor(x); }
};
struct Ceil {
  template <typename C>
  C operator()(C x) const { return std::ceil(x); }
};
// Halves round to even, as ONNX specifies (the default floating-point rounding mode).
struct Round {
  template <typename C>
  C operator()(C x) const { return std::nearbyint(x); }
};
struct Not {
  bool operator()(bool x) const { return !x; }
};
struct IsNaN {
  template <typename C>
  bool operator()(C x) const { return std::isnan(x); }
};
class IsInf {
 public:
  explicit IsInf(const KernelInit& init)
      : negative_(init.attributes.GetInt("detect_negative", 1) != 0),
        positive_(init.attributes.GetInt("detect_positive", 1) != 0) {}
  template <typename C>
  bool operator()(C x) const {
    return std::isinf(x) && (x > 0 ? positive_ : negative_);
  }

 private:
  bool negative_;
  bool positive_;
};

// A transcendental function of the standard library as an Op.
#define MLOS_STD_FUNCTION_OP(OpName, std_name)                          \
  struct OpName {                                                       \
    static constexpr double kCost = kTranscendentalCost;                \
    template <typename C>                                               \
    C operator()(C x) const { return std::std_name(x); }                \
  };
MLOS_STD_FUNCTION_OP(Sqrt, sqrt)
MLOS_STD_FUNCTION_OP(Exp, exp)
MLOS_STD_FUNCTION_OP(Log, log)
MLOS_STD_FUNCTION_OP(Erf, erf)
MLOS_STD_FUNCTION_OP(Tanh, tanh)
MLOS_STD_FUNCTION_OP(Sin, sin)
MLOS_STD_FUNCTION_OP(Cos, cos)
MLOS_STD_FUNCTION_OP(Tan, tan)
MLOS_STD_FUNCTION_OP(Asin, asin)
MLOS_STD_FUNCTION_OP(Acos, acos)
MLOS_STD_FUNCTION_OP(Atan, atan)
MLOS_STD_FUNCTION_OP(Sinh, sinh)
MLOS_STD_FUNCTION_OP(Cosh, cosh)
MLOS_STD_FUNCTION_OP(Asinh, asinh)
MLOS_STD_FUNCTION_OP(Acosh, acosh)
MLOS_STD_FUNCTION_OP(Atanh, atanh)
#undef MLOS_STD_FUNCTION_OP

}  // namespace

void RegisterUnaryMathKernels(KernelRegistry& registry) {
  RegisterUnary<Abs, NumericTypes>(registry, "Abs", 1);
  RegisterUnary<Neg, SignedNumericTypes>(registry, "Neg", 1);
  RegisterUnary<Sign, NumericTypes>(registry, "Sign", 9);
  RegisterUnary<Reciprocal, FloatTypes>(registry, "Reciprocal", 1);
  RegisterUnary<Floor, FloatTypes>(registry, "Floor", 1);
  RegisterUnary<Ceil, FloatTypes>(registry, "Ceil", 1);
  RegisterUnary<Round, FloatTypes>(registry, "Round", 11);
  RegisterUnary<Not, BoolTypes>(registry, "Not", 1);
  RegisterUnary<IsNaN, FloatTypes>(registry, "IsNaN", 9);
  RegisterUnary<IsInf, FloatTypes>(registry, "IsInf", 10);
  RegisterUnary<Sqrt, FloatTypes>(registry, "Sqrt", 1);
  RegisterUnary<Exp, FloatTypes>(registry, "Exp", 1);
  RegisterUnary<Log, FloatTypes>(registry, "Log", 1);
  RegisterUnary<Erf, FloatTypes>(registry, "Erf", 9);
  RegisterUnary<Tanh, FloatTypes>(registry, "Tanh", 1);
  RegisterUnary<Sin, FloatTypes>(registry, "Sin", 7);
  RegisterUnary<Cos, FloatTypes>(registry, "Cos", 7);
  RegisterUnary<Tan, FloatTypes>(registry, "Tan", 7);
  RegisterUnary<Asin, FloatTypes>(registry, "Asin", 7);
  RegisterUnary<Acos, FloatTypes>(registry, "Acos", 7);
  RegisterUnary<Atan, FloatTypes>(registry, "Atan", 7);
  RegisterUnary<Sinh, FloatTypes>(registry, "Sinh", 9);
  RegisterUnary<Cosh, FloatTypes>(registry, "Cosh", 9);
  RegisterUnary<Asinh, FloatTypes>(registry, "Asinh", 9);
  RegisterUnary<Acosh, FloatTypes>(registry, "Acosh", 9);
  RegisterUnary<Atanh, FloatTypes>(registry, "Atanh", 9);
}

}  // namespace mlos::engine
