// DFT and STFT (opset 17). Both take real ([..., 1]) or complex ([..., 2]) float tensors and
// return complex ones ([..., 2]); both transform with FourierTransform (fft.h), so every length
// costs O(n log n). `onesided` keeps bins [0, n / 2]: for real input these are all the distinct
// values (the rest are their conjugates); for complex input the spec leaves onesided undefined and
// we return the same truncation of the full transform.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/signal/fft.h"

namespace mlos::engine {
namespace {

// Rough operations per transformed line, for ParallelFor.
double TransformCost(int64_t length) {
  return 8.0 * static_cast<double>(length) * std::log2(static_cast<double>(length) + 1.0);
}

// Writes bins [0, kept) of `line`, times `scale`, as (real, imaginary) pairs `stride` apart.
template <typename T>
void StoreBins(const std::vector<Complex>& line, int64_t kept, double scale, T* out,
               int64_t stride) {
  for (int64_t k = 0; k < kept; ++k) {
    out[k * stride] = ConvertElement<T>(line[static_cast<size_t>(k)].real() * scale);
    out[k * stride + 1] = ConvertElement<T>(line[static_cast<size_t>(k)].imag() * scale);
  }
}

Status CheckComplexLayout(const Shape& shape, int64_t min_rank, const char* what,
                          const char* layout) {
  if (static_cast<int64_t>(shape.size()) < min_rank || (shape.back() != 1 && shape.back() != 2)) {
    return InvalidArgument(std::string(what) + ": expected shape " + layout +
                           " with a last dimension of 1 (real) or 2 (complex), got " +
                           ShapeToString(shape));
  }
  return Status::Ok();
}

// DFT along `axis` (counted over the dimensions before the last, real/imaginary, one); input 1,
// when present, is the transform length: longer signals are cut, shorter ones zero-padded.
// `inverse` divides by the length.
class DftKernel final : public Kernel {
 public:
  explicit DftKernel(const KernelInit& init)
      : axis_(init.attributes.GetInt("axis", 1)),
        inverse_(init.attributes.GetInt("inverse", 0) != 0),
        onesided_(init.attributes.GetInt("onesided", 0) != 0) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    RETURN_IF_ERROR(
        CheckComplexLayout(shape, 2, "input 0 (input)", "[batch, signal dimensions..., 1 or 2]"));
    const int64_t rank = static_cast<int64_t>(shape.size());
    ASSIGN_OR_RETURN(const int64_t axis, ResolveAxis(axis_, rank - 1, "attribute axis"));
    const int64_t extent = shape[axis];
    int64_t length = extent;
    if (context.has_input(1)) {
      ASSIGN_OR_RETURN(length, ReadScalarInteger(context.input(1), "input 1 (dft_length)"));
    }
    if (length < 1) {
      return InvalidArgument("the transform length must be positive, got " +
                             std::to_string(length) +
                             (context.has_input(1) ? " from input 1 (dft_length)"
                                                   : " from dimension " + std::to_string(axis)));
    }
    const int64_t kept = onesided_ ? length / 2 + 1 : length;
    Shape output_shape = shape;
    output_shape[axis] = kept;
    output_shape.back() = 2;
    const int64_t outer = DimensionProduct(shape, 0, axis);
    const int64_t inner = DimensionProduct(shape, axis + 1, shape.size() - 1);
    const int64_t components = shape.back();
    const int64_t copied = std::min(extent, length);
    const double scale = inverse_ ? 1.0 / static_cast<double>(length) : 1.0;
    const FourierTransform transform(static_cast<size_t>(length));
    Tensor output(input.dtype(), output_shape);
    RETURN_IF_ERROR(DispatchByType<FloatTypes>(input.dtype(), "input 0 (input)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = input.data<T>();
      T* out = output.data<T>();
      ParallelFor(context.pool, outer * inner, TransformCost(length),
                  [&](int64_t begin, int64_t end) {
                    std::vector<Complex> line(static_cast<size_t>(length)), scratch;
                    for (int64_t index = begin; index < end; ++index) {
                      const int64_t o = index / inner, i = index % inner;
                      std::fill(line.begin(), line.end(), Complex(0.0, 0.0));
                      for (int64_t j = 0; j < copied; ++j) {
                        const T* value = in + ((o * extent + j) * inner + i) * components;
                        line[static_cast<size_t>(j)] =
                            Complex(ConvertElement<double>(value[0]),
                                    components == 2 ? ConvertElement<double>(value[1]) : 0.0);
                      }
                      transform.Run(line.data(), inverse_, scratch);
                      StoreBins(line, kept, scale, out + (o * kept * inner + i) * 2, inner * 2);
                    }
                  });
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  const int64_t axis_;
  const bool inverse_, onesided_;
};

// STFT of signal [batch, length, 1 or 2]: frames of frame_length samples every frame_step
// samples, each multiplied by the window (input 2, when present) and transformed; output
// [batch, frames, bins, 2]. The frame length is input 3, or else the window's length.
class StftKernel final : public Kernel {
 public:
  explicit StftKernel(const KernelInit& init)
      : onesided_(init.attributes.GetInt("onesided", 1) != 0) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& signal = context.input(0);
    const Shape& shape = signal.shape();
    RETURN_IF_ERROR(
        CheckComplexLayout(shape, 3, "input 0 (signal)", "[batch, signal_length, 1 or 2]"));
    if (shape.size() != 3) {
      return InvalidArgument("input 0 (signal): expected rank 3, got shape " +
                             ShapeToString(shape));
    }
    ASSIGN_OR_RETURN(const int64_t step,
                     ReadScalarInteger(context.input(1), "input 1 (frame_step)"));
    if (step < 1) {
      return InvalidArgument("input 1 (frame_step): must be positive, got " + std::to_string(step));
    }
    const Tensor* window = context.has_input(2) ? &context.input(2) : nullptr;
    if (window != nullptr && (window->shape().size() != 1 || window->dtype() != signal.dtype())) {
      return InvalidArgument(std::string("input 2 (window): expected a 1-D ") +
                             Name(signal.dtype()) + " tensor, got " + Name(window->dtype()) +
                             " of shape " + ShapeToString(window->shape()));
    }
    int64_t frame_length = window != nullptr ? window->shape()[0] : 0;
    if (context.has_input(3)) {
      ASSIGN_OR_RETURN(frame_length, ReadScalarInteger(context.input(3), "input 3 (frame_length)"));
      if (window != nullptr && window->shape()[0] != frame_length) {
        return InvalidArgument("input 2 (window): has " + std::to_string(window->shape()[0]) +
                               " samples but input 3 (frame_length) is " +
                               std::to_string(frame_length));
      }
    } else if (window == nullptr) {
      return InvalidArgument(
          "needs input 2 (window) or input 3 (frame_length) for the frame length");
    }
    const int64_t signal_length = shape[1];
    if (frame_length < 1 || frame_length > signal_length) {
      return InvalidArgument("the frame length " + std::to_string(frame_length) +
                             " must be in [1, " + std::to_string(signal_length) +
                             "], the signal length");
    }
    const int64_t batch = shape[0], components = shape[2];
    const int64_t frames = (signal_length - frame_length) / step + 1;
    const int64_t kept = onesided_ ? frame_length / 2 + 1 : frame_length;
    const FourierTransform transform(static_cast<size_t>(frame_length));
    Tensor output(signal.dtype(), {batch, frames, kept, 2});
    RETURN_IF_ERROR(DispatchByType<FloatTypes>(signal.dtype(), "input 0 (signal)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = signal.data<T>();
      const T* weights = window != nullptr ? window->data<T>() : nullptr;
      T* out = output.data<T>();
      ParallelFor(
          context.pool, batch * frames, TransformCost(frame_length),
          [&](int64_t begin, int64_t end) {
            std::vector<Complex> line(static_cast<size_t>(frame_length)), scratch;
            for (int64_t index = begin; index < end; ++index) {
              const int64_t b = index / frames, frame = index % frames;
              const T* samples = in + (b * signal_length + frame * step) * components;
              for (int64_t j = 0; j < frame_length; ++j) {
                const double weight = weights != nullptr ? ConvertElement<double>(weights[j]) : 1.0;
                const T* value = samples + j * components;
                line[static_cast<size_t>(j)] =
                    weight * Complex(ConvertElement<double>(value[0]),
                                     components == 2 ? ConvertElement<double>(value[1]) : 0.0);
              }
              transform.Run(line.data(), /*inverse=*/false, scratch);
              StoreBins(line, kept, 1.0, out + index * kept * 2, 2);
            }
          });
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  const bool onesided_;
};

}  // namespace

void RegisterDftKernels(KernelRegistry& registry) {
  registry.Register(
      {"", "DFT", 17, 1 << 30, DataTypesOf(FloatTypes{}), &CreateKernel<DftKernel, 1, 2>});
  registry.Register(
      {"", "STFT", 17, 1 << 30, DataTypesOf(FloatTypes{}), &CreateKernel<StftKernel, 2, 4>});
}

}  // namespace mlos::engine
