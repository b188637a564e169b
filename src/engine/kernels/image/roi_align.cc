// RoiAlign (opsets 10, 16): pools each region of interest rois[r] = (x1, y1, x2, y2) of image
// X[batch_indices[r]] into an [output_height, output_width] grid per channel, averaging (or taking
// the maximum of) sampling_ratio x sampling_ratio bilinear samples per bin (adaptive,
// ceil(roi size / bins), when sampling_ratio is 0). Output [num_rois, C, output_height,
// output_width]. coordinate_transformation_mode half_pixel (the default from opset 16) shifts the
// scaled box by -0.5 pixel; output_half_pixel (opset 10's behaviour) does not, and makes every
// region at least 1x1. Mode max follows onnxruntime and the ONNX reference: the maximum over the
// samples of the largest of each sample's four weighted corner values.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/image/registrations.h"

namespace mlos::engine {
namespace {

struct RoiAlignOptions {
  bool max_mode = false;
  int64_t output_height = 1;
  int64_t output_width = 1;
  int64_t sampling_ratio = 0;
  double spatial_scale = 1;
  bool half_pixel = true;
};

// One bilinear sample: four input offsets within a plane and their weights.
struct SamplePoint {
  int64_t offsets[4] = {0, 0, 0, 0};
  double weights[4] = {0, 0, 0, 0};
};

SamplePoint MakeSample(double y, double x, int64_t height, int64_t width) {
  SamplePoint point;
  if (y < -1.0 || y > static_cast<double>(height) || x < -1.0 || x > static_cast<double>(width)) {
    return point;  // outside: contributes zero
  }
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y_low = static_cast<int64_t>(y), x_low = static_cast<int64_t>(x), y_high, x_high;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = static_cast<double>(y_low);
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = static_cast<double>(x_low);
  } else {
    x_high = x_low + 1;
  }
  const double ly = y - static_cast<double>(y_low), lx = x - static_cast<double>(x_low);
  const double hy = 1 - ly, hx = 1 - lx;
  point.offsets[0] = y_low * width + x_low;
  point.offsets[1] = y_low * width + x_high;
  point.offsets[2] = y_high * width + x_low;
  point.offsets[3] = y_high * width + x_high;
  point.weights[0] = hy * hx;
  point.weights[1] = hy * lx;
  point.weights[2] = ly * hx;
  point.weights[3] = ly * lx;
  return point;
}

class RoiAlignKernel final : public Kernel {
 public:
  explicit RoiAlignKernel(RoiAlignOptions options) : options_(options) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Tensor& rois = context.input(1);
    if (x.shape().size() != 4) {
      return InvalidArgument("input 0 (X): expected [N, C, H, W], got shape " +
                             ShapeToString(x.shape()));
    }
    if (rois.shape().size() != 2 || rois.shape()[1] != 4) {
      return InvalidArgument("input 1 (rois): expected [num_rois, 4], got shape " +
                             ShapeToString(rois.shape()));
    }
    if (rois.dtype() != x.dtype()) {
      return InvalidArgument("input 1 (rois): expected " + std::string(Name(x.dtype())) +
                             " like X, got " + Name(rois.dtype()));
    }
    ASSIGN_OR_RETURN(const std::vector<int64_t> batch_indices,
                     ReadIntegers(context.input(2), "input 2 (batch_indices)"));
    const int64_t roi_count = rois.shape()[0];
    const int64_t batch = x.shape()[0], channels = x.shape()[1], height = x.shape()[2],
                  width = x.shape()[3];
    if (static_cast<int64_t>(batch_indices.size()) != roi_count) {
      return InvalidArgument("input 2 (batch_indices): expected " + std::to_string(roi_count) +
                             " values, one per roi, got " + std::to_string(batch_indices.size()));
    }
    for (int64_t index : batch_indices) {
      if (index < 0 || index >= batch) {
        return InvalidArgument("input 2 (batch_indices): " + std::to_string(index) +
                               " is out of range [0, " + std::to_string(batch - 1) + "]");
      }
    }
    const int64_t bins_y = options_.output_height, bins_x = options_.output_width;
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), {roi_count, channels, bins_y, bins_x});
    return DispatchByType<FloatTypes>(x.dtype(), "input 0 (X)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      const T* boxes = rois.data<T>();
      T* out = y.data<T>();
      ParallelFor(context.pool, roi_count, static_cast<double>(channels * bins_y * bins_x * 16),
                  [&](int64_t begin, int64_t end) {
                    for (int64_t r = begin; r < end; ++r) {
                      PoolRoi(in + batch_indices[r] * channels * height * width, boxes + r * 4,
                              channels, height, width, out + r * channels * bins_y * bins_x);
                    }
                  });
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  void PoolRoi(const T* image, const T* box, int64_t channels, int64_t height, int64_t width,
               T* out) const {
    auto coordinate = [&](int i) {
      return static_cast<double>(static_cast<ComputeType<T>>(box[i])) * options_.spatial_scale -
             (options_.half_pixel ? 0.5 : 0.0);
    };
    const double start_x = coordinate(0), start_y = coordinate(1);
    double roi_width = coordinate(2) - start_x, roi_height = coordinate(3) - start_y;
    if (!options_.half_pixel) {
      roi_width = std::max(roi_width, 1.0);
      roi_height = std::max(roi_height, 1.0);
    }
    const int64_t bins_y = options_.output_height, bins_x = options_.output_width;
    const double bin_height = roi_height / static_cast<double>(bins_y);
    const double bin_width = roi_width / static_cast<double>(bins_x);
    const int64_t grid_y =
        options_.sampling_ratio > 0
            ? options_.sampling_ratio
            : static_cast<int64_t>(std::ceil(roi_height / static_cast<double>(bins_y)));
    const int64_t grid_x =
        options_.sampling_ratio > 0
            ? options_.sampling_ratio
            : static_cast<int64_t>(std::ceil(roi_width / static_cast<double>(bins_x)));
    const double count = static_cast<double>(std::max<int64_t>(grid_y * grid_x, 1));

    // The samples of every bin, shared by all channels.
    std::vector<SamplePoint> samples;
    samples.reserve(static_cast<size_t>(bins_y * bins_x * std::max<int64_t>(grid_y * grid_x, 0)));
    for (int64_t by = 0; by < bins_y; ++by) {
      for (int64_t bx = 0; bx < bins_x; ++bx) {
        for (int64_t iy = 0; iy < grid_y; ++iy) {
          const double sample_y =
              start_y + static_cast<double>(by) * bin_height +
              (static_cast<double>(iy) + 0.5) * bin_height / static_cast<double>(grid_y);
          for (int64_t ix = 0; ix < grid_x; ++ix) {
            const double sample_x =
                start_x + static_cast<double>(bx) * bin_width +
                (static_cast<double>(ix) + 0.5) * bin_width / static_cast<double>(grid_x);
            samples.push_back(MakeSample(sample_y, sample_x, height, width));
          }
        }
      }
    }
    const size_t per_bin = static_cast<size_t>(std::max<int64_t>(grid_y * grid_x, 0));
    for (int64_t c = 0; c < channels; ++c) {
      const T* plane = image + c * height * width;
      auto value = [&](int64_t offset) {
        return static_cast<double>(static_cast<ComputeType<T>>(plane[offset]));
      };
      for (int64_t bin = 0; bin < bins_y * bins_x; ++bin) {
        double result = 0;
        for (size_t s = 0; s < per_bin; ++s) {
          const SamplePoint& point = samples[static_cast<size_t>(bin) * per_bin + s];
          if (options_.max_mode) {
            double largest = point.weights[0] * value(point.offsets[0]);
            for (int k = 1; k < 4; ++k)
              largest = std::max(largest, point.weights[k] * value(point.offsets[k]));
            result = s == 0 ? largest : std::max(result, largest);
          } else {
            for (int k = 0; k < 4; ++k) result += point.weights[k] * value(point.offsets[k]);
          }
        }
        if (!options_.max_mode) result /= count;
        out[c * bins_y * bins_x + bin] = static_cast<T>(static_cast<ComputeType<T>>(result));
      }
    }
  }

  const RoiAlignOptions options_;
};

StatusOr<std::unique_ptr<Kernel>> CreateRoiAlign(const KernelInit& init) {
  RoiAlignOptions options;
  const std::string mode = init.attributes.GetString("mode", "avg");
  if (mode != "avg" && mode != "max") {
    return InvalidArgument("attribute mode: '" + mode + "' is not one of avg, max");
  }
  options.max_mode = mode == "max";
  options.output_height = init.attributes.GetInt("output_height", 1);
  options.output_width = init.attributes.GetInt("output_width", 1);
  if (options.output_height < 1 || options.output_width < 1) {
    return InvalidArgument("attributes output_height and output_width must be positive, got " +
                           std::to_string(options.output_height) + " and " +
                           std::to_string(options.output_width));
  }
  options.sampling_ratio = init.attributes.GetInt("sampling_ratio", 0);
  if (options.sampling_ratio < 0) {
    return InvalidArgument("attribute sampling_ratio: must be >= 0, got " +
                           std::to_string(options.sampling_ratio));
  }
  options.spatial_scale = init.attributes.GetFloat("spatial_scale", 1.0f);
  const std::string coordinates = init.attributes.GetString(
      "coordinate_transformation_mode", init.opset >= 16 ? "half_pixel" : "output_half_pixel");
  if (coordinates != "half_pixel" && coordinates != "output_half_pixel") {
    return InvalidArgument("attribute coordinate_transformation_mode: '" + coordinates +
                           "' is not one of half_pixel, output_half_pixel");
  }
  options.half_pixel = coordinates == "half_pixel";
  return std::unique_ptr<Kernel>(std::make_unique<RoiAlignKernel>(options));
}

}  // namespace

void RegisterRoiAlignKernel(KernelRegistry& registry) {
  registry.Register({"", "RoiAlign", 10, 1 << 30, DataTypesOf(FloatTypes{}), &CreateRoiAlign});
}

}  // namespace mlos::engine
