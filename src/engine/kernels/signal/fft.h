// FourierTransform: an O(n log n) discrete Fourier transform of one fixed length, shared by the
// DFT and STFT kernels.
//
// Power-of-two lengths run an iterative radix-2 Cooley-Tukey FFT; any other length runs
// Bluestein's chirp-z algorithm, which rewrites the transform as a convolution computed with
// power-of-two FFTs of at least 2n - 1 points. Arithmetic is in double whatever the tensor type.
// A FourierTransform is immutable after construction: Run() is const and thread-safe as long as
// each thread passes its own scratch buffer.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlos::engine {

using Complex = std::complex<double>;

class FourierTransform {
 public:
  // REQUIRES: length >= 1.
  explicit FourierTransform(size_t length);

  size_t length() const { return length_; }

  // In place over data[0, length): data[k] = sum_j data[j] * exp(-+2 pi i j k / length), the
  // minus sign forward, the plus sign when `inverse`. Unscaled: the caller divides an inverse by
  // length. `scratch` is working memory the call may resize; reuse it across calls.
  void Run(Complex* data, bool inverse, std::vector<Complex>& scratch) const;

 private:
  // The radix-2 FFT of data[0, roots_.size() * 2) in place.
  void PowerOfTwo(Complex* data, bool inverse) const;

  size_t length_;
  // exp(-2 pi i k / m), k < m / 2, for the power-of-two size m of the inner FFT (m = length_ when
  // length_ is a power of two, else the Bluestein convolution size).
  std::vector<Complex> roots_;
  // Bluestein only (empty for powers of two): chirp_[k] = exp(-pi i k^2 / n), k < n, and the
  // forward FFT of the conjugate chirp laid out as a circular filter of size m.
  std::vector<Complex> chirp_;
  std::vector<Complex> filter_spectrum_;
};

}  // namespace mlos::engine
