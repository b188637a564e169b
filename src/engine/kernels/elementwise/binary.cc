// Two-input elementwise kernels with broadcasting: arithmetic (Add, Sub, Mul, Div, Mod, Pow,
// BitShift), comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual), logic (And, Or, Xor), PRelu.
#include <cmath>
#include <type_traits>

#include "engine/kernels/elementwise/broadcast_apply.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/legacy_broadcast.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

constexpr double kArithmeticCost = 1.0;
constexpr double kTranscendentalCost = 20.0;

Status CheckSameType(const KernelContext& context) {
  const DataType a = context.input(0).dtype();
  const DataType b = context.input(1).dtype();
  if (a == b) return Status::Ok();
  return InvalidArgument(std::string("input 1 (B): element type ") + Name(b) +
                         " does not match input 0 (A) type " + Name(a));
}

// Integer division and remainder by zero trap the CPU: reject them as bad input instead.
template <typename T>
Status CheckNoZeroDivisor(const Tensor& divisor) {
  if constexpr (std::is_integral_v<T>) {
    for (T value : divisor.values<T>()) {
      if (value == 0) return InvalidArgument("input 1 (B): integer division by zero");
    }
  }
  return Status::Ok();
}

struct Add {
  template <typename C>
  C operator()(C a, C b) const { return a + b; }
};
struct Sub {
  template <typename C>
  C operator()(C a, C b) const { return a - b; }
};
struct Mul {
  template <typename C>
  C operator()(C a, C b) const { return a * b; }
};
struct Div {
  template <typename T>
  Status Validate(const Tensor& divisor) const { return CheckNoZeroDivisor<T>(divisor); }
  template <typename C>
  C operator()(C a, C b) const {
    // INT_MIN / -1 overflows (and traps); negate in unsigned arithmetic instead (wraps).
    if constexpr (std::is_integral_v<C> && std::is_signed_v<C>) {
      if (b == -1) return static_cast<C>(-static_cast<std::make_unsigned_t<C>>(a));
    }
    return a / b;
  }
};
// ONNX Mod: with fmod=0 the result takes the divisor's sign (integers only), with fmod=1 the
// dividend's (C fmod / %).
class Mod {
 public:
  explicit Mod(const KernelInit& init) : fmod_(init.attributes.GetInt("fmod", 0) != 0) {}
  template <typename T>
  Status Validate(const Tensor& divisor) const {
    if (kIsFloatingPoint<T> && !fmod_) {
      return InvalidArgument("attribute fmod must be 1 for floating-point inputs");
    }
    return CheckNoZeroDivisor<T>(divisor);
  }
  template <typename C>
  C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>) {
      return std::fmod(a, b);
    } else {
      if constexpr (std::is_signed_v<C>) {
        if (b == -1) return 0;
      }
      const C remainder = static_cast<C>(a % b);
      if constexpr (std::is_signed_v<C>) {
        if (!fmod_ && remainder != 0 && ((remainder < 0) != (b < 0))) {
          return static_cast<C>(remainder + b);
        }
      }
      return remainder;
    }
  }

 private:
  bool fmod_;
};

// BitShift on unsigned integers; shifting by the bit width or more gives 0.
class BitShift {
 public:
  explicit BitShift(const KernelInit& init)
      : direction_(init.attributes.GetString("direction", "")) {}
  template <typename T>
  Status Validate(const Tensor&) const {
    if (direction_ == "LEFT" || direction_ == "RIGHT") return Status::Ok();
    return InvalidArgument("attribute direction: '" + direction_ + "' is not LEFT or RIGHT");
  }
  template <typename C>
  C operator()(C value, C shift) const {
    if (shift >= sizeof(C) * 8) return 0;
    return static_cast<C>(direction_ == "LEFT" ? value << shift : value >> shift);
  }

 private:
  std::string direction_;
};

struct Equal {
  template <typename C>
  bool operator()(C a, C b) const { return a == b; }
};
struct Less {
  template <typename C>
  bool operator()(C a, C b) const { return a < b; }
};
struct Greater {
  template <typename C>
  bool operator()(C a, C b) const { return a > b; }
};
struct LessOrEqual {
  template <typename C>
  bool operator()(C a, C b) const { return a <= b; }
};
struct GreaterOrEqual {
  template <typename C>
  bool operator()(C a, C b) const { return a >= b; }
};
struct And {
  bool operator()(bool a, bool b) const { return a && b; }
};
struct Or {
  bool operator()(bool a, bool b) const { return a || b; }
};
struct Xor {
  bool operator()(bool a, bool b) const { return a != b; }
};

// The arithmetic operators whose operator() also computes on vector_math::FloatVec.
template <typename Op>
constexpr bool kVectorizable = std::is_same_v<Op, Add> || std::is_same_v<Op, Sub> ||
                               std::is_same_v<Op, Mul> || std::is_same_v<Op, Div>;

// out = op(a, b) for inputs of one type T, computed in ComputeType<T>; the output is T, or bool
// when kBoolResult.
template <typename Op, typename Types, bool kBoolResult>
class SameTypeBinaryKernel : public Kernel {
 public:
  SameTypeBinaryKernel() = default;
  explicit SameTypeBinaryKernel(const KernelInit& init)
    requires std::is_constructible_v<Op, const KernelInit&>
      : op_(init) {}

  Status Compute(KernelContext& context) const override {
    RETURN_IF_ERROR(CheckSameType(context));
    const Tensor& a = context.input(0);
    const Tensor& b = context.input(1);
    return DispatchByType<Types>(a.dtype(), "input 0 (A)", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      using Out = std::conditional_t<kBoolResult, bool, T>;
      if constexpr (requires { op_.template Validate<T>(b); }) {
        RETURN_IF_ERROR(op_.template Validate<T>(b));
      }
      if constexpr (std::is_same_v<T, float> && kVectorizable<Op>) {
        // Also callable on FloatVec, so BroadcastBinary runs it a FloatVec at a time.
        auto apply = [this](auto x, auto y) { return op_(x, y); };
        ASSIGN_OR_RETURN(context.outputs[0], (BroadcastBinary<float, float, float>(
                                                 a, b, context.pool, kArithmeticCost, apply)));
        return Status::Ok();
      }
      auto apply = [this](T x, T y) {
        return static_cast<Out>(op_(static_cast<C>(x), static_cast<C>(y)));
      };
      ASSIGN_OR_RETURN(context.outputs[0],
                       (BroadcastBinary<T, T, Out>(a, b, context.pool, kArithmeticCost, apply)));
      return Status::Ok();
    });
  }

 private:
  Op op_;
};

// Pow: the exponent may have another type than the base (opset 12+); the result has the base's
// type. Computed in double, with x*x for the common exponent 2 (decomposed LayerNorm).
class PowKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& base = context.input(0);
    const Tensor& exponent = context.input(1);
    return DispatchByType<NumericTypes>(base.dtype(), "input 0 (X)", [&](auto base_tag) -> Status {
      using T = typename decltype(base_tag)::type;
      return DispatchByType<NumericTypes>(exponent.dtype(), "input 1 (Y)", [&](auto exponent_tag) {
        using E = typename decltype(exponent_tag)::type;
        auto power = [](T x, E y) {
          const double b = static_cast<double>(static_cast<ComputeType<T>>(x));
          const double e = static_cast<double>(static_cast<ComputeType<E>>(y));
          return ConvertElement<T>(e == 2.0 ? b * b : std::pow(b, e));
        };
        ASSIGN_OR_RETURN(context.outputs[0], (BroadcastBinary<T, E, T>(base, exponent, context.pool,
                                                                      kTranscendentalCost, power)));
        return Status::Ok();
      });
    });
  }
};

// PRelu: x < 0 ? slope * x : x, with slope broadcast to x's shape (unidirectionally).
class PReluKernel : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    RETURN_IF_ERROR(CheckSameType(context));
    const Tensor& x = context.input(0);
    const Tensor& slope = context.input(1);
    return DispatchByType<SignedNumericTypes>(x.dtype(), "input 0 (X)", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      using C = ComputeType<T>;
      auto prelu = [](T value, T factor) {
        const C v = static_cast<C>(value);
        return static_cast<T>(v < C(0) ? static_cast<C>(static_cast<C>(factor) * v) : v);
      };
      ASSIGN_OR_RETURN(Tensor out, (BroadcastBinary<T, T, T>(x, slope, context.pool,
                                                           kArithmeticCost, prelu)));
      if (out.shape() != x.shape()) {
        return InvalidArgument("input 1 (slope) has shape " + ShapeToString(slope.shape()) +
                               ", which does not broadcast to input 0 (X) shape " +
                               ShapeToString(x.shape()));
      }
      context.outputs[0] = std::move(out);
      return Status::Ok();
    });
  }
};

template <typename Op, typename Types, bool kBoolResult = false>
void RegisterSameType(KernelRegistry& registry, const char* op_type, int since_version) {
  registry.Register({"", op_type, since_version, kLatestOpset, DataTypesOf(Types{}),
                     &CreateKernel<SameTypeBinaryKernel<Op, Types, kBoolResult>, 2>});
}

// Opsets 1-6 of an arithmetic operator: the same kernel behind legacy broadcasting.
template <typename Op>
void RegisterLegacyArithmetic(KernelRegistry& registry, const char* op_type) {
  registry.Register({"", op_type, 1, 6, DataTypesOf(NumericTypes{}),
                     &CreateLegacyBroadcastKernel<
                         &CreateKernel<SameTypeBinaryKernel<Op, NumericTypes, false>, 2>>});
}

}  // namespace

void RegisterBinaryKernels(KernelRegistry& registry) {
  // Opset 7 introduced multidirectional broadcasting; earlier versions broadcast the legacy way.
  RegisterLegacyArithmetic<Add>(registry, "Add");
  RegisterLegacyArithmetic<Sub>(registry, "Sub");
  RegisterLegacyArithmetic<Mul>(registry, "Mul");
  RegisterLegacyArithmetic<Div>(registry, "Div");
  RegisterSameType<Add, NumericTypes>(registry, "Add", 7);
  RegisterSameType<Sub, NumericTypes>(registry, "Sub", 7);
  RegisterSameType<Mul, NumericTypes>(registry, "Mul", 7);
  RegisterSameType<Div, NumericTypes>(registry, "Div", 7);
  RegisterSameType<Mod, NumericTypes>(registry, "Mod", 10);
  RegisterSameType<BitShift, UnsignedIntTypes>(registry, "BitShift", 11);
  RegisterSameType<Equal, NumericAndBoolTypes, true>(registry, "Equal", 7);
  RegisterSameType<Less, NumericTypes, true>(registry, "Less", 7);
  RegisterSameType<Greater, NumericTypes, true>(registry, "Greater", 7);
  RegisterSameType<LessOrEqual, NumericTypes, true>(registry, "LessOrEqual", 12);
  RegisterSameType<GreaterOrEqual, NumericTypes, true>(registry, "GreaterOrEqual", 12);
  RegisterSameType<And, BoolTypes, true>(registry, "And", 7);
  RegisterSameType<Or, BoolTypes, true>(registry, "Or", 7);
  RegisterSameType<Xor, BoolTypes, true>(registry, "Xor", 7);
  registry.Register({"", "Pow", 1, 6, DataTypesOf(NumericTypes{}),
                     &CreateLegacyBroadcastKernel<&CreateKernel<PowKernel, 2>>});
  registry.Register({"", "Pow", 7, kLatestOpset, DataTypesOf(NumericTypes{}),
                     &CreateKernel<PowKernel, 2>});
  registry.Register({"", "PRelu", 1, 6, DataTypesOf(SignedNumericTypes{}),
                     &CreateLegacyPReluKernel<&CreateKernel<PReluKernel, 2>>});
  registry.Register({"", "PRelu", 7, kLatestOpset, DataTypesOf(SignedNumericTypes{}),
                     &CreateKernel<PReluKernel, 2>});
}

}  // namespace mlos::engine
