#include "engine/kernels/signal/fft.h"

#include <bit>
#include <cmath>
#include <utility>

namespace mlos::engine {

FourierTransform::FourierTransform(size_t length) : length_(length) {
  const bool power_of_two = std::has_single_bit(length);
  const size_t size = power_of_two ? length : std::bit_ceil(2 * length - 1);
  roots_.resize(size / 2);
  for (size_t k = 0; k < roots_.size(); ++k) {
    roots_[k] = std::polar(1.0, -2.0 * M_PI * static_cast<double>(k) / static_cast<double>(size));
  }
  if (power_of_two) return;
  // k^2 mod 2n keeps the angle small, so the chirp stays accurate for long transforms.
  chirp_.resize(length);
  const uint64_t period = 2 * static_cast<uint64_t>(length);
  for (size_t k = 0; k < length; ++k) {
    const uint64_t square = static_cast<uint64_t>(k) * k % period;
    chirp_[k] = std::polar(1.0, -M_PI * static_cast<double>(square) / static_cast<double>(length));
  }
  filter_spectrum_.assign(size, Complex(0.0, 0.0));
  filter_spectrum_[0] = std::conj(chirp_[0]);
  for (size_t k = 1; k < length; ++k) {
    filter_spectrum_[k] = filter_spectrum_[size - k] = std::conj(chirp_[k]);
  }
  PowerOfTwo(filter_spectrum_.data(), /*inverse=*/false);
}

void FourierTransform::PowerOfTwo(Complex* data, bool inverse) const {
  const size_t size = roots_.size() * 2;
  if (size < 2) return;
  for (size_t i = 1, j = 0; i < size; ++i) {  // bit-reversal permutation
    size_t bit = size >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  for (size_t half = 1; half < size; half <<= 1) {
    const size_t root_stride = size / (2 * half);
    for (size_t start = 0; start < size; start += 2 * half) {
      for (size_t k = 0; k < half; ++k) {
        const Complex root = roots_[k * root_stride];
        const Complex odd = data[start + k + half] * (inverse ? std::conj(root) : root);
        data[start + k + half] = data[start + k] - odd;
        data[start + k] += odd;
      }
    }
  }
}

void FourierTransform::Run(Complex* data, bool inverse, std::vector<Complex>& scratch) const {
  if (chirp_.empty()) {
    PowerOfTwo(data, inverse);
    return;
  }
  // Bluestein: X[k] = chirp[k] * sum_j (x[j] chirp[j]) conj(chirp[k - j]), a circular convolution
  // of size m. The inverse transform is conj(forward(conj(x))).
  const size_t size = filter_spectrum_.size();
  scratch.assign(size, Complex(0.0, 0.0));
  for (size_t j = 0; j < length_; ++j) {
    scratch[j] = (inverse ? std::conj(data[j]) : data[j]) * chirp_[j];
  }
  PowerOfTwo(scratch.data(), /*inverse=*/false);
  for (size_t k = 0; k < size; ++k) scratch[k] *= filter_spectrum_[k];
  PowerOfTwo(scratch.data(), /*inverse=*/true);
  const double scale = 1.0 / static_cast<double>(size);
  for (size_t k = 0; k < length_; ++k) {
    const Complex value = scratch[k] * scale * chirp_[k];
    data[k] = inverse ? std::conj(value) : value;
  }
}

}  // namespace mlos::engine
