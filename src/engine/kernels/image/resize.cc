// Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9): resamples an n-d tensor.
//
// Every resized axis gets a plan: for each output index, the input indices it reads and their
// weights (one tap for nearest, 2 for linear, 4 for cubic, more when antialiasing), or "outside"
// (tf_crop_and_resize past the input, which yields extrapolation_value). Nearest gathers straight
// from the input; linear and cubic are separable and run one axis at a time, last axis first, which
// is the order of the ONNX reference implementation (so rounding matches it).
//
// Conventions that follow the ONNX reference rather than the prose of the spec: the resized length
// in the coordinate formulas is scale * input length (a fraction when scales are given), output
// sizes from scales are floor(input length * scale), and Upsample / Resize-10 map coordinates
// asymmetrically and pick nearest like onnxruntime ("simple": floor when upsampling, ceil when
// downsampling).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/common/float_values.h"
#include "engine/kernels/image/registrations.h"

namespace mlos::engine {
namespace {

enum class Mode { kNearest, kLinear, kCubic };
enum class Coordinates {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize,
};
enum class Nearest { kSimple, kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };
enum class AspectRatioPolicy { kStretch, kNotLarger, kNotSmaller };
// Where the scales come from: Upsample-7's attribute, the second input (Upsample-9, Resize-10),
// or Resize-11's (X, roi, scales, sizes).
enum class Signature { kScalesAttribute, kScalesInput, kRoiScalesSizes };

struct ResizeOptions {
  Signature signature = Signature::kRoiScalesSizes;
  Mode mode = Mode::kNearest;
  Coordinates coordinates = Coordinates::kHalfPixel;
  Nearest nearest = Nearest::kRoundPreferFloor;
  double cubic_coeff_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0;
  bool antialias = false;
  AspectRatioPolicy policy = AspectRatioPolicy::kStretch;
  std::vector<int64_t> axes;   // attribute, unresolved; empty = every axis
  std::vector<double> scales;  // Upsample-7's attribute
};

// Taps of one axis: output index o reads input indices[begin[o] .. begin[o + 1]) with weights.
struct AxisPlan {
  int64_t input_size = 0;
  int64_t output_size = 0;
  std::vector<int64_t> begin;
  std::vector<int64_t> indices;
  std::vector<double> weights;
  std::vector<uint8_t> outside;
  bool identity = true;
};

double CubicWeight(double x, double a) {
  x = std::fabs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// Maps output coordinate `x` of an axis to the input coordinate.
double InputCoordinate(const ResizeOptions& options, double x, double scale, int64_t input_size,
                       int64_t output_size, double roi_start, double roi_end) {
  const double resized_length = scale * static_cast<double>(input_size);
  const double last = static_cast<double>(input_size - 1);
  switch (options.coordinates) {
    case Coordinates::kHalfPixel:
      return (x + 0.5) / scale - 0.5;
    case Coordinates::kHalfPixelSymmetric: {
      const double adjustment = static_cast<double>(output_size) / resized_length;
      const double center = static_cast<double>(input_size) / 2;
      return center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
    }
    case Coordinates::kPytorchHalfPixel:
      return resized_length > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case Coordinates::kAlignCorners:
      return resized_length == 1 ? 0 : x * last / (resized_length - 1);
    case Coordinates::kAsymmetric:
      return x / scale;
    case Coordinates::kTfHalfPixelForNn:
      return (x + 0.5) / scale;
    case Coordinates::kTfCropAndResize:
      return resized_length == 1
                 ? (roi_end - roi_start) * last / 2 + roi_start * last
                 : x * (roi_end - roi_start) * last / (resized_length - 1) + roi_start * last;
  }
  return 0;
}

int64_t NearestIndex(Nearest rule, double x, double scale) {
  switch (rule) {
    case Nearest::kSimple:
      return static_cast<int64_t>(scale < 1 ? std::ceil(x) : std::trunc(x));
    case Nearest::kRoundPreferFloor:
      return static_cast<int64_t>(std::ceil(x - 0.5));
    case Nearest::kRoundPreferCeil:
      return static_cast<int64_t>(std::floor(x + 0.5));
    case Nearest::kFloor:
      return static_cast<int64_t>(std::floor(x));
    case Nearest::kCeil:
      return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

// The plan of an axis that is not resized: output index o reads input index o.
AxisPlan IdentityPlan(int64_t size) {
  AxisPlan plan;
  plan.input_size = plan.output_size = size;
  for (int64_t o = 0; o <= size; ++o) plan.begin.push_back(o);
  for (int64_t o = 0; o < size; ++o) plan.indices.push_back(o);
  plan.weights.assign(static_cast<size_t>(size), 1.0);
  plan.outside.assign(static_cast<size_t>(size), 0);
  return plan;
}

AxisPlan PlanAxis(const ResizeOptions& options, int64_t input_size, int64_t output_size,
                  double scale, double roi_start, double roi_end) {
  AxisPlan plan;
  plan.input_size = input_size;
  plan.output_size = output_size;
  plan.begin.push_back(0);
  const double last = static_cast<double>(input_size - 1);
  // Antialiasing widens the filter by 1 / scale when downsampling.
  const double filter_scale = options.antialias && scale < 1 ? scale : 1;
  for (int64_t o = 0; o < output_size; ++o) {
    const double x = InputCoordinate(options, static_cast<double>(o), scale, input_size,
                                     output_size, roi_start, roi_end);
    const bool outside =
        options.coordinates == Coordinates::kTfCropAndResize && (x < 0 || x > last);
    plan.outside.push_back(outside);
    if (outside) {
      plan.identity = false;
    } else if (options.mode == Mode::kNearest) {
      const int64_t index =
          std::clamp<int64_t>(NearestIndex(options.nearest, x, scale), 0, input_size - 1);
      plan.indices.push_back(index);
      plan.weights.push_back(1);
      if (index != o) plan.identity = false;
    } else {
      // The taps sit at base + j; ratio is in (0, 1] (an integral x counts from the pixel on its
      // left), as in the reference.
      int64_t base = static_cast<int64_t>(std::floor(x));
      double ratio = x - static_cast<double>(base);
      if (ratio == 0) {
        base -= 1;
        ratio = 1;
      }
      const bool linear = options.mode == Mode::kLinear;
      const int64_t first = static_cast<int64_t>(std::floor((linear ? -1 : -2) / filter_scale)) + 1;
      const int64_t end = 2 - first;
      const size_t start = plan.weights.size();
      double sum = 0;
      for (int64_t j = first; j < end; ++j) {
        const double distance = (static_cast<double>(j) - ratio) * filter_scale;
        double weight = linear ? std::max(0.0, 1 - std::fabs(distance))
                               : CubicWeight(distance, options.cubic_coeff_a);
        const int64_t index = base + j;
        if (options.exclude_outside && (index < 0 || index >= input_size)) weight = 0;
        plan.indices.push_back(std::clamp<int64_t>(index, 0, input_size - 1));
        plan.weights.push_back(weight);
        sum += weight;
      }
      if ((options.antialias || options.exclude_outside) && sum != 0) {
        for (size_t i = start; i < plan.weights.size(); ++i) plan.weights[i] /= sum;
      }
      double own_weight = 0;
      for (size_t i = start; i < plan.weights.size(); ++i) {
        if (plan.indices[i] == o)
          own_weight += plan.weights[i];
        else if (plan.weights[i] != 0)
          plan.identity = false;
      }
      if (own_weight != 1) plan.identity = false;
    }
    plan.begin.push_back(static_cast<int64_t>(plan.indices.size()));
  }
  if (output_size != input_size) plan.identity = false;
  return plan;
}

// Nearest: every output element copies one input element (or is extrapolation_value).
// REQUIRES: rank >= 1.
template <typename T>
void GatherNearest(const Tensor& x, const std::vector<AxisPlan>& plans, const Shape& output_shape,
                   const T& extrapolation, ThreadPool* pool, Tensor& y) {
  const size_t rank = output_shape.size();
  const std::vector<int64_t> strides = DenseStrides(x.shape());
  const T* in = Elements<T>(x);
  T* out = Elements<T>(y);
  const int64_t row_length = output_shape[rank - 1];
  const int64_t rows = DimensionProduct(output_shape, 0, rank - 1);
  ParallelFor(pool, rows, static_cast<double>(row_length), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t rest = row, offset = 0;
      bool outside = false;
      for (size_t a = rank - 1; a-- > 0;) {
        const int64_t o = rest % output_shape[a];
        rest /= output_shape[a];
        const AxisPlan& plan = plans[a];
        if (plan.outside[o])
          outside = true;
        else
          offset += plan.indices[plan.begin[o]] * strides[a];
      }
      T* row_out = out + row * row_length;
      const AxisPlan& plan = plans[rank - 1];
      for (int64_t o = 0; o < row_length; ++o) {
        row_out[o] =
            outside || plan.outside[o] ? extrapolation : in[offset + plan.indices[plan.begin[o]]];
      }
    }
  });
}

// Linear and cubic: weighted sums along one axis at a time, in Accumulator precision.
template <typename T>
void Interpolate(const Tensor& x, const std::vector<AxisPlan>& plans, double extrapolation,
                 ThreadPool* pool, Tensor& y) {
  using Accumulator =
      std::conditional_t<std::is_same_v<T, double> || (std::is_integral_v<T> && sizeof(T) >= 4),
                         double, float>;
  const T* in = x.data<T>();
  std::vector<Accumulator> current(static_cast<size_t>(x.element_count()));
  for (size_t i = 0; i < current.size(); ++i)
    current[i] = static_cast<Accumulator>(static_cast<ComputeType<T>>(in[i]));
  Shape shape = x.shape();
  for (size_t a = shape.size(); a-- > 0;) {
    const AxisPlan& plan = plans[a];
    if (plan.identity) continue;
    const int64_t outer = DimensionProduct(shape, 0, a);
    const int64_t inner = DimensionProduct(shape, a + 1, shape.size());
    const int64_t input_size = shape[a], output_size = plan.output_size;
    std::vector<Accumulator> next(static_cast<size_t>(outer * output_size * inner));
    ParallelFor(
        pool, outer * output_size,
        static_cast<double>(inner * (plan.weights.size() / std::max<int64_t>(1, output_size) + 1)),
        [&](int64_t begin, int64_t end) {
          for (int64_t item = begin; item < end; ++item) {
            const int64_t n = item / output_size, o = item % output_size;
            Accumulator* target = next.data() + item * inner;
            if (plan.outside[o]) {
              std::fill(target, target + inner, static_cast<Accumulator>(extrapolation));
              continue;
            }
            std::fill(target, target + inner, Accumulator(0));
            for (int64_t t = plan.begin[o]; t < plan.begin[o + 1]; ++t) {
              const Accumulator weight = static_cast<Accumulator>(plan.weights[t]);
              if (weight == 0) continue;
              const Accumulator* source =
                  current.data() + (n * input_size + plan.indices[t]) * inner;
              for (int64_t i = 0; i < inner; ++i) target[i] += weight * source[i];
            }
          }
        });
    current = std::move(next);
    shape[a] = output_size;
  }
  T* out = y.data<T>();
  for (size_t i = 0; i < current.size(); ++i) {
    if constexpr (std::is_integral_v<T>) {
      out[i] = ConvertElement<T>(std::nearbyint(current[i]));
    } else {
      out[i] = static_cast<T>(static_cast<ComputeType<T>>(current[i]));
    }
  }
}

class ResizeKernel final : public Kernel {
 public:
  explicit ResizeKernel(ResizeOptions options) : options_(std::move(options)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& input_shape = x.shape();
    const int64_t rank = static_cast<int64_t>(input_shape.size());

    std::vector<int64_t> axes;
    if (options_.axes.empty()) {
      for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
    } else {
      ASSIGN_OR_RETURN(axes, ResolveAxes(options_.axes, rank, "attribute axes"));
    }
    const size_t count = axes.size();

    // Inputs by signature; an empty tensor counts as absent (Resize-11 needs a scales input).
    auto present = [&](size_t i) {
      return context.has_input(i) && context.input(i).element_count() > 0;
    };
    std::vector<double> scales, roi;
    std::vector<int64_t> sizes;
    const char* scales_name = "input 2 (scales)";
    if (options_.signature == Signature::kScalesAttribute) {
      scales = options_.scales;
      scales_name = "attribute scales";
    } else if (options_.signature == Signature::kScalesInput) {
      scales_name = "input 1 (scales)";
      if (!context.has_input(1)) return InvalidArgument("input 1 (scales) is required");
      ASSIGN_OR_RETURN(scales, ReadFloatValues(context.input(1), scales_name));
    } else {
      if (present(1)) {
        ASSIGN_OR_RETURN(roi, ReadFloatValues(context.input(1), "input 1 (roi)"));
      }
      if (present(2)) {
        ASSIGN_OR_RETURN(scales, ReadFloatValues(context.input(2), scales_name));
      }
      if (present(3)) {
        ASSIGN_OR_RETURN(sizes, ReadIntegers(context.input(3), "input 3 (sizes)"));
      }
      if (scales.empty() == sizes.empty()) {
        return InvalidArgument(
            "exactly one of input 2 (scales) and input 3 (sizes) must be given and non-empty");
      }
      if (!roi.empty() && roi.size() != 2 * count) {
        return InvalidArgument("input 1 (roi): expected " + std::to_string(2 * count) +
                               " values (starts and ends), got " + std::to_string(roi.size()));
      }
    }

    // Per resized axis: scale and output size.
    std::vector<double> axis_scales(count);
    std::vector<int64_t> axis_sizes(count);
    if (!sizes.empty()) {
      if (sizes.size() != count) {
        return InvalidArgument("input 3 (sizes): expected " + std::to_string(count) +
                               " values, got " + std::to_string(sizes.size()));
      }
      for (size_t i = 0; i < count; ++i) {
        if (sizes[i] < 0) {
          return InvalidArgument("input 3 (sizes): " + std::to_string(sizes[i]) +
                                 " is not a valid size");
        }
        axis_scales[i] = static_cast<double>(sizes[i]) / static_cast<double>(input_shape[axes[i]]);
        axis_sizes[i] = sizes[i];
      }
      if (options_.policy != AspectRatioPolicy::kStretch && count > 0) {
        const bool not_larger = options_.policy == AspectRatioPolicy::kNotLarger;
        double scale = axis_scales[0];
        for (double s : axis_scales) scale = not_larger ? std::min(scale, s) : std::max(scale, s);
        for (size_t i = 0; i < count; ++i) {
          axis_scales[i] = scale;
          axis_sizes[i] = static_cast<int64_t>(
              std::floor(scale * static_cast<double>(input_shape[axes[i]]) + 0.5));
        }
      }
    } else {
      if (scales.size() != count) {
        return InvalidArgument(std::string(scales_name) + ": expected " + std::to_string(count) +
                               " values, got " + std::to_string(scales.size()));
      }
      for (size_t i = 0; i < count; ++i) {
        if (!(scales[i] > 0)) {
          return InvalidArgument(std::string(scales_name) + ": scale " + std::to_string(scales[i]) +
                                 " is not positive");
        }
        axis_scales[i] = scales[i];
        axis_sizes[i] =
            static_cast<int64_t>(std::floor(scales[i] * static_cast<double>(input_shape[axes[i]])));
      }
    }

    Shape output_shape = input_shape;
    std::vector<AxisPlan> plans(static_cast<size_t>(rank));
    std::vector<int64_t> axis_position(static_cast<size_t>(rank), -1);
    for (size_t i = 0; i < count; ++i) axis_position[axes[i]] = static_cast<int64_t>(i);
    for (int64_t a = 0; a < rank; ++a) {
      const int64_t i = axis_position[a];
      const int64_t input_size = input_shape[a];
      if (i < 0) {
        plans[a] = IdentityPlan(input_size);
        continue;
      }
      output_shape[a] = axis_sizes[i];
      if (input_size == 0 && axis_sizes[i] > 0) {
        return InvalidArgument("input 0 (X): cannot resize an empty axis " + std::to_string(a) +
                               " to " + std::to_string(axis_sizes[i]));
      }
      const double roi_start = roi.empty() ? 0 : roi[i], roi_end = roi.empty() ? 1 : roi[i + count];
      plans[a] = PlanAxis(options_, input_size, axis_sizes[i], axis_scales[i], roi_start, roi_end);
    }

    Tensor& y = context.outputs[0];
    if (rank == 0) {
      y = x;
      return Status::Ok();
    }
    y = Tensor(x.dtype(), output_shape);
    if (y.element_count() == 0) return Status::Ok();
    if (options_.mode == Mode::kNearest) {
      if (x.dtype() == DataType::kString) {
        GatherNearest<std::string>(x, plans, output_shape, std::string(), context.pool, y);
        return Status::Ok();
      }
      return DispatchByType<NumericAndBoolTypes>(x.dtype(), "input 0 (X)", [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T extrapolation = ConvertElement<T>(options_.extrapolation_value);
        GatherNearest<T>(x, plans, output_shape, extrapolation, context.pool, y);
        return Status::Ok();
      });
    }
    return DispatchByType<NumericTypes>(x.dtype(), "input 0 (X)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      Interpolate<T>(x, plans, options_.extrapolation_value, context.pool, y);
      return Status::Ok();
    });
  }

 private:
  const ResizeOptions options_;
};

StatusOr<std::unique_ptr<Kernel>> CreateResize(const KernelInit& init, Signature signature) {
  const NodeAttributes& attributes = init.attributes;
  ResizeOptions options;
  options.signature = signature;
  const bool legacy = signature != Signature::kRoiScalesSizes;

  const std::string mode = attributes.GetString("mode", "nearest");
  if (mode == "nearest") {
    options.mode = Mode::kNearest;
  } else if (mode == "linear" || (legacy && mode == "bilinear")) {
    options.mode = Mode::kLinear;
  } else if (mode == "cubic" && !legacy) {
    options.mode = Mode::kCubic;
  } else {
    return InvalidArgument("attribute mode: '" + mode + "' is not supported");
  }

  if (legacy) {
    options.coordinates = Coordinates::kAsymmetric;
    options.nearest = Nearest::kSimple;
    if (signature == Signature::kScalesAttribute) {
      for (float scale : attributes.GetFloats("scales")) options.scales.push_back(scale);
      if (options.scales.empty()) return InvalidArgument("attribute scales is required");
    }
    return std::unique_ptr<Kernel>(std::make_unique<ResizeKernel>(std::move(options)));
  }

  const std::string coordinates =
      attributes.GetString("coordinate_transformation_mode", "half_pixel");
  if (coordinates == "half_pixel") {
    options.coordinates = Coordinates::kHalfPixel;
  } else if (coordinates == "half_pixel_symmetric") {
    options.coordinates = Coordinates::kHalfPixelSymmetric;
  } else if (coordinates == "pytorch_half_pixel") {
    options.coordinates = Coordinates::kPytorchHalfPixel;
  } else if (coordinates == "align_corners") {
    options.coordinates = Coordinates::kAlignCorners;
  } else if (coordinates == "asymmetric") {
    options.coordinates = Coordinates::kAsymmetric;
  } else if (coordinates == "tf_half_pixel_for_nn") {
    options.coordinates = Coordinates::kTfHalfPixelForNn;
  } else if (coordinates == "tf_crop_and_resize") {
    options.coordinates = Coordinates::kTfCropAndResize;
  } else {
    return InvalidArgument("attribute coordinate_transformation_mode: '" + coordinates +
                           "' is not supported");
  }

  const std::string nearest = attributes.GetString("nearest_mode", "round_prefer_floor");
  if (nearest == "round_prefer_floor") {
    options.nearest = Nearest::kRoundPreferFloor;
  } else if (nearest == "round_prefer_ceil") {
    options.nearest = Nearest::kRoundPreferCeil;
  } else if (nearest == "floor") {
    options.nearest = Nearest::kFloor;
  } else if (nearest == "ceil") {
    options.nearest = Nearest::kCeil;
  } else {
    return InvalidArgument("attribute nearest_mode: '" + nearest + "' is not supported");
  }

  const std::string policy = attributes.GetString("keep_aspect_ratio_policy", "stretch");
  if (policy == "stretch") {
    options.policy = AspectRatioPolicy::kStretch;
  } else if (policy == "not_larger") {
    options.policy = AspectRatioPolicy::kNotLarger;
  } else if (policy == "not_smaller") {
    options.policy = AspectRatioPolicy::kNotSmaller;
  } else {
    return InvalidArgument("attribute keep_aspect_ratio_policy: '" + policy + "' is not supported");
  }

  options.cubic_coeff_a = attributes.GetFloat("cubic_coeff_a", -0.75f);
  options.exclude_outside = attributes.GetInt("exclude_outside", 0) != 0;
  options.extrapolation_value = attributes.GetFloat("extrapolation_value", 0.0f);
  options.antialias = attributes.GetInt("antialias", 0) != 0;
  options.axes = attributes.GetInts("axes");
  return std::unique_ptr<Kernel>(std::make_unique<ResizeKernel>(std::move(options)));
}

StatusOr<std::unique_ptr<Kernel>> CreateUpsample7(const KernelInit& init) {
  return CreateResize(init, Signature::kScalesAttribute);
}
StatusOr<std::unique_ptr<Kernel>> CreateScalesInputResize(const KernelInit& init) {
  return CreateResize(init, Signature::kScalesInput);
}
StatusOr<std::unique_ptr<Kernel>> CreateResize11(const KernelInit& init) {
  return CreateResize(init, Signature::kRoiScalesSizes);
}

}  // namespace

void RegisterResizeKernels(KernelRegistry& registry) {
  registry.Register({"", "Upsample", 7, 8, {}, &CreateUpsample7});
  registry.Register({"", "Upsample", 9, 9, {}, &CreateScalesInputResize});
  registry.Register({"", "Resize", 10, 10, {}, &CreateScalesInputResize});
  registry.Register({"", "Resize", 11, 1 << 30, {}, &CreateResize11});
}

}  // namespace mlos::engine
