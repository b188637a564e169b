#include "engine/kernels/random/generator.h"

#include <atomic>
#include <bit>
#include <string>

namespace mlos::engine {

std::optional<float> ReadSeed(const NodeAttributes& attributes) {
  if (!attributes.Has("seed")) return std::nullopt;
  return attributes.GetFloat("seed", 0.0f);
}

RandomEngine MakeRandomEngine(std::optional<float> seed) {
  if (seed.has_value()) {
    std::seed_seq sequence{std::bit_cast<uint32_t>(*seed)};
    return RandomEngine(sequence);
  }
  static const uint64_t process_seed = [] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }();
  static std::atomic<uint64_t> calls{0};
  const uint64_t call = calls.fetch_add(1, std::memory_order_relaxed);
  std::seed_seq sequence{static_cast<uint32_t>(process_seed),
                         static_cast<uint32_t>(process_seed >> 32), static_cast<uint32_t>(call),
                         static_cast<uint32_t>(call >> 32)};
  return RandomEngine(sequence);
}

StatusOr<DataType> ReadOutputType(const NodeAttributes& attributes, DataType fallback,
                                  const std::vector<DataType>& allowed) {
  DataType type = fallback;
  if (attributes.Has("dtype")) {
    const int64_t code = attributes.GetInt("dtype", 0);
    std::optional<DataType> parsed = DataTypeFromCode(static_cast<int32_t>(code));
    if (!parsed.has_value())
      return InvalidArgument("attribute 'dtype': unknown element type " + std::to_string(code));
    type = *parsed;
  } else if (fallback == DataType::kInvalid) {
    return InvalidArgument("attribute 'dtype' is required when the input type is unknown");
  }
  for (DataType accepted : allowed) {
    if (type == accepted) return type;
  }
  return UnsupportedType(attributes.Has("dtype") ? "attribute 'dtype'" : "input 0", type);
}

template <typename Distribution>
Status FillRandom(Tensor& out, Distribution& distribution, RandomEngine& engine) {
  return DispatchByType<RandomFloatTypes>(out.dtype(), "output 0", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* values = out.data<T>();
    for (int64_t i = 0; i < out.element_count(); ++i)
      values[i] = static_cast<T>(static_cast<ComputeType<T>>(distribution(engine)));
    return Status::Ok();
  });
}

template Status FillRandom(Tensor&, std::uniform_real_distribution<double>&, RandomEngine&);
template Status FillRandom(Tensor&, std::normal_distribution<double>&, RandomEngine&);

}  // namespace mlos::engine
