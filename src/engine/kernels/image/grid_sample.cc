// GridSample (opset 16): samples X [N, C, H, W] at the normalized (x, y) locations of
// grid [N, H_out, W_out, 2] (-1 and 1 are the edges, or the edge pixels' centers with
// align_corners), giving [N, C, H_out, W_out]. Modes bilinear, nearest (ties to even) and bicubic
// (A = -0.75); padding zeros, border or reflection. Matches torch.nn.functional.grid_sample, which
// the ONNX reference follows: bicubic applies the padding to each of its 16 taps.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/float_values.h"
#include "engine/kernels/image/registrations.h"

namespace mlos::engine {
namespace {

enum class SampleMode { kBilinear, kNearest, kBicubic };
enum class Padding { kZeros, kBorder, kReflection };

class GridSampleKernel final : public Kernel {
 public:
  GridSampleKernel(SampleMode mode, Padding padding, bool align_corners)
      : mode_(mode), padding_(padding), align_corners_(align_corners) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& grid = context.input(1);
    if (x.shape().size() != 4) {
      return Unimplemented("input 0 (X): only 4-D [N, C, H, W] inputs are supported, got shape " +
                           ShapeToString(x.shape()));
    }
    const int64_t batch = x.shape()[0], channels = x.shape()[1], height = x.shape()[2],
                  width = x.shape()[3];
    if (grid.shape().size() != 4 || grid.shape()[0] != batch || grid.shape()[3] != 2) {
      return InvalidArgument("input 1 (grid): expected shape [" + std::to_string(batch) +
                             ", H_out, W_out, 2], got " + ShapeToString(grid.shape()));
    }
    const int64_t out_height = grid.shape()[1], out_width = grid.shape()[2];
    ASSIGN_OR_RETURN(const std::vector<double> locations, ReadFloatValues(grid, "input 1 (grid)"));
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), {batch, channels, out_height, out_width});
    return DispatchByType<FloatTypes>(x.dtype(), "input 0 (X)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      const int64_t points = out_height * out_width;
      ParallelFor(
          context.pool, batch * channels, static_cast<double>(points * 16),
          [&](int64_t begin, int64_t end) {
            for (int64_t plane = begin; plane < end; ++plane) {
              const int64_t n = plane / channels;
              const T* image = in + plane * height * width;
              const double* where = locations.data() + n * points * 2;
              for (int64_t p = 0; p < points; ++p) {
                const double value = Sample(image, height, width, where[2 * p], where[2 * p + 1]);
                out[plane * points + p] = static_cast<T>(static_cast<ComputeType<T>>(value));
              }
            }
          });
      return Status::Ok();
    });
  }

 private:
  double Unnormalize(double coordinate, int64_t size) const {
    return align_corners_ ? (coordinate + 1) / 2 * static_cast<double>(size - 1)
                          : ((coordinate + 1) * static_cast<double>(size) - 1) / 2;
  }

  // Reflects `coordinate` into [low / 2, high / 2] (given doubled, as in torch).
  static double Reflect(double coordinate, double twice_low, double twice_high) {
    if (twice_low == twice_high) return 0;
    const double minimum = twice_low / 2, span = (twice_high - twice_low) / 2;
    coordinate = std::fabs(coordinate - minimum);
    const double extra = std::fmod(coordinate, span);
    const int64_t flips = static_cast<int64_t>(std::floor(coordinate / span));
    return flips % 2 == 0 ? extra + minimum : span - extra + minimum;
  }

  // Applies border or reflection padding to an unnormalized coordinate.
  double Pad(double coordinate, int64_t size) const {
    const double last = static_cast<double>(size - 1);
    if (padding_ == Padding::kBorder) return std::clamp(coordinate, 0.0, last);
    if (padding_ == Padding::kReflection) {
      coordinate =
          align_corners_ ? Reflect(coordinate, 0, 2 * last) : Reflect(coordinate, -1, 2 * last + 1);
      return std::clamp(coordinate, 0.0, last);
    }
    return coordinate;
  }

  template <typename T>
  static double Pixel(const T* image, int64_t height, int64_t width, int64_t row, int64_t column) {
    if (row < 0 || row >= height || column < 0 || column >= width) return 0;
    return static_cast<double>(static_cast<ComputeType<T>>(image[row * width + column]));
  }

  static double Cubic(const double values[4], double t) {
    constexpr double a = -0.75;
    auto near = [](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };
    auto far = [](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };
    return values[0] * far(t + 1) + values[1] * near(t) + values[2] * near(1 - t) +
           values[3] * far(2 - t);
  }

  template <typename T>
  double Sample(const T* image, int64_t height, int64_t width, double grid_x, double grid_y) const {
    double column = Unnormalize(grid_x, width), row = Unnormalize(grid_y, height);
    if (mode_ == SampleMode::kBicubic) {
      const double column0 = std::floor(column), row0 = std::floor(row);
      double rows[4];
      for (int i = 0; i < 4; ++i) {
        double taps[4];
        for (int j = 0; j < 4; ++j) {
          const double tap_column = Pad(column0 - 1 + j, width);
          const double tap_row = Pad(row0 - 1 + i, height);
          taps[j] = Pixel(image, height, width, static_cast<int64_t>(tap_row),
                          static_cast<int64_t>(tap_column));
        }
        rows[i] = Cubic(taps, column - column0);
      }
      return Cubic(rows, row - row0);
    }
    column = Pad(column, width);
    row = Pad(row, height);
    if (mode_ == SampleMode::kNearest) {
      return Pixel(image, height, width, static_cast<int64_t>(std::nearbyint(row)),
                   static_cast<int64_t>(std::nearbyint(column)));
    }
    const double column0 = std::floor(column), row0 = std::floor(row);
    const double dx = column - column0, dy = row - row0;
    const int64_t c = static_cast<int64_t>(column0), r = static_cast<int64_t>(row0);
    return Pixel(image, height, width, r, c) * (1 - dx) * (1 - dy) +
           Pixel(image, height, width, r, c + 1) * dx * (1 - dy) +
           Pixel(image, height, width, r + 1, c) * (1 - dx) * dy +
           Pixel(image, height, width, r + 1, c + 1) * dx * dy;
  }

  const SampleMode mode_;
  const Padding padding_;
  const bool align_corners_;
};

StatusOr<std::unique_ptr<Kernel>> CreateGridSample(const KernelInit& init) {
  const std::string mode = init.attributes.GetString("mode", "bilinear");
  SampleMode sample_mode;
  if (mode == "bilinear" || mode == "linear") {
    sample_mode = SampleMode::kBilinear;
  } else if (mode == "nearest") {
    sample_mode = SampleMode::kNearest;
  } else if (mode == "bicubic" || mode == "cubic") {
    sample_mode = SampleMode::kBicubic;
  } else {
    return InvalidArgument("attribute mode: '" + mode + "' is not supported");
  }
  const std::string padding_mode = init.attributes.GetString("padding_mode", "zeros");
  Padding padding;
  if (padding_mode == "zeros") {
    padding = Padding::kZeros;
  } else if (padding_mode == "border") {
    padding = Padding::kBorder;
  } else if (padding_mode == "reflection") {
    padding = Padding::kReflection;
  } else {
    return InvalidArgument("attribute padding_mode: '" + padding_mode + "' is not supported");
  }
  return std::unique_ptr<Kernel>(std::make_unique<GridSampleKernel>(
      sample_mode, padding, init.attributes.GetInt("align_corners", 0) != 0));
}

}  // namespace

void RegisterGridSampleKernel(KernelRegistry& registry) {
  registry.Register({"", "GridSample", 16, 1 << 30, DataTypesOf(FloatTypes{}), &CreateGridSample});
}

}  // namespace mlos::engine
