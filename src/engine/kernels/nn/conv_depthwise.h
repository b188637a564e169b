// Depthwise convolution: one filter per channel (Conv with group == channels == filters), the
// path MobileNet's 3x3 convolutions take.
//
// Planes [N, C] run in parallel on `pool`. Each output row is computed once, in registers: its
// taps' input lines are gathered first (rows in the padding skipped), then every output position
// sums kernel taps over those lines. Positions whose window lies inside the row run four at a
// time (float; stride 1 loads, stride 2 de-interleaving loads; eight at a time on CPUs with AVX2
// and FMA), the few at the edges one at a time with bounds checks. The epilogue (bias, residual, activation) then finishes the row while
// it is in L1.
#pragma once

#include <cstdint>

#include "engine/kernels/nn/conv_epilogue.h"
#include "engine/kernels/nn/window.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

// y [batch, channels, out...] = epilogue(depthwise(x [batch, channels, in...], w [channels, 1,
// kernel...]) + bias + residual); bias [channels] and residual (y's shape) may be null. T: float
// or double.
template <typename T>
void RunDepthwiseConv(const T* x, const T* w, const T* bias, const T* residual,
                      const ConvEpilogue& epilogue, int64_t batch, int64_t channels,
                      const WindowGeometry& geometry, T* y, ThreadPool* pool);

}  // namespace mlos::engine
