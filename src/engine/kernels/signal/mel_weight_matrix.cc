// MelWeightMatrix (opset 17): the [dft_length / 2 + 1, num_mel_bins] matrix of triangular filters
// that maps a onesided linear spectrum to mel bands, mel(f) = 2595 log10(1 + f / 700). Band i
// rises from spectrum bin edge[i] to edge[i + 1] (value 1 there) and falls to zero at edge[i + 2],
// where the num_mel_bins + 2 edges are equally spaced in mel between lower_edge_hertz and
// upper_edge_hertz (a step of (high - low) / (num_mel_bins + 2), as in the ONNX reference) and
// mapped to bin floor((dft_length + 1) * f / sample_rate). Edges past the last bin are clipped.
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/float_values.h"
#include "engine/kernels/elementwise/kernel_helpers.h"

namespace mlos::engine {
namespace {

double HertzToMel(double hertz) { return 2595.0 * std::log10(1.0 + hertz / 700.0); }
double MelToHertz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

class MelWeightMatrixKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 5, 5));
    const int64_t code = init.attributes.GetInt("output_datatype", 1);
    const std::optional<DataType> type = DataTypeFromCode(static_cast<int32_t>(code));
    if (!type || *type == DataType::kBool || *type == DataType::kString) {
      return InvalidArgument("attribute output_datatype: " + std::to_string(code) +
                             " is not a numeric element type");
    }
    return std::unique_ptr<Kernel>(new MelWeightMatrixKernel(*type));
  }

  Status Compute(KernelContext& context) const override {
    ASSIGN_OR_RETURN(const int64_t bands,
                     ReadScalarInteger(context.input(0), "input 0 (num_mel_bins)"));
    ASSIGN_OR_RETURN(const int64_t dft_length,
                     ReadScalarInteger(context.input(1), "input 1 (dft_length)"));
    ASSIGN_OR_RETURN(const int64_t sample_rate,
                     ReadScalarInteger(context.input(2), "input 2 (sample_rate)"));
    ASSIGN_OR_RETURN(const double lower,
                     ReadScalarFloatValue(context.input(3), "input 3 (lower_edge_hertz)"));
    ASSIGN_OR_RETURN(const double upper,
                     ReadScalarFloatValue(context.input(4), "input 4 (upper_edge_hertz)"));
    if (bands < 1 || dft_length < 1 || sample_rate < 1) {
      return InvalidArgument("num_mel_bins, dft_length and sample_rate must be positive, got " +
                             std::to_string(bands) + ", " + std::to_string(dft_length) + ", " +
                             std::to_string(sample_rate));
    }
    if (!(lower >= 0 && lower < upper)) {
      return InvalidArgument("expected 0 <= lower_edge_hertz < upper_edge_hertz, got " +
                             std::to_string(lower) + " and " + std::to_string(upper));
    }
    const int64_t bins = dft_length / 2 + 1;
    std::vector<int64_t> edges(static_cast<size_t>(bands + 2));
    const double low_mel = HertzToMel(lower);
    const double mel_step = (HertzToMel(upper) - low_mel) / static_cast<double>(edges.size());
    for (size_t i = 0; i < edges.size(); ++i) {
      const double hertz = MelToHertz(static_cast<double>(i) * mel_step + low_mel);
      edges[i] = static_cast<int64_t>(std::floor(static_cast<double>(dft_length + 1) * hertz /
                                                 static_cast<double>(sample_rate)));
    }
    std::vector<double> weights(static_cast<size_t>(bins * bands), 0.0);
    auto set = [&](int64_t bin, int64_t band, double value) {
      if (bin >= 0 && bin < bins) weights[static_cast<size_t>(bin * bands + band)] = value;
    };
    for (int64_t band = 0; band < bands; ++band) {
      const int64_t left = edges[band], center = edges[band + 1], right = edges[band + 2];
      if (center == left) set(center, band, 1.0);
      for (int64_t bin = left; center > left && bin <= center; ++bin) {
        set(bin, band, static_cast<double>(bin - left) / static_cast<double>(center - left));
      }
      for (int64_t bin = center; bin < right; ++bin) {
        set(bin, band, static_cast<double>(right - bin) / static_cast<double>(right - center));
      }
    }
    Tensor output(type_, {bins, bands});
    RETURN_IF_ERROR(DispatchByType<NumericTypes>(type_, "attribute output_datatype", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = output.data<T>();
      for (size_t i = 0; i < weights.size(); ++i) out[i] = ConvertElement<T>(weights[i]);
      return Status::Ok();
    }));
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  explicit MelWeightMatrixKernel(DataType type) : type_(type) {}
  const DataType type_;
};

}  // namespace

void RegisterMelWeightMatrixKernel(KernelRegistry& registry) {
  registry.Register({"", "MelWeightMatrix", 17, 1 << 30, {}, &MelWeightMatrixKernel::Create});
}

}  // namespace mlos::engine
