// BroadcastBinary: the one loop behind every two-input elementwise kernel.
//
// Computes out = op(a, b) over the multidirectional broadcast of a and b (see broadcast.h),
// element by element, in parallel on `pool` (null: inline). `op` maps (A, B) -> Out on the
// tensors' storage types; it must be thread-safe (it is called concurrently on disjoint spans).
// Errors: InvalidArgument when the shapes do not broadcast, naming a as input 0 and b as 1.
// REQUIRES: a and b hold elements of types A and B.
// When A, B and Out are float and `op` also maps (FloatVec, FloatVec) -> FloatVec (vector_math.h),
// spans run a FloatVec at a time: the same-shape, row-vector and scalar cases.
#pragma once

#include <array>
#include <span>
#include <string>
#include <type_traits>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/vector_math.h"
#include "engine/kernels/elementwise/broadcast.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

// z[i] = op(x[i * x_step], y[i * y_step]) for i < count, x_step and y_step each 0 or 1, on
// FloatVec; false (nothing done) for other steps.
template <typename Op>
bool ApplyFloatSpan(const Op& op, const float* x, int64_t x_step, const float* y, int64_t y_step,
                    float* z, int64_t count) {
  using vector_math::FloatVec;
  using vector_math::kLanes;
  using vector_math::Load;
  using vector_math::Splat;
  using vector_math::Store;
  int64_t i = 0;
  if (x_step == 1 && y_step == 1) {
    for (; i + kLanes <= count; i += kLanes) Store(z + i, op(Load(x + i), Load(y + i)));
  } else if (x_step == 1 && y_step == 0) {
    const FloatVec y0 = Splat(*y);
    for (; i + kLanes <= count; i += kLanes) Store(z + i, op(Load(x + i), y0));
  } else if (x_step == 0 && y_step == 1) {
    const FloatVec x0 = Splat(*x);
    for (; i + kLanes <= count; i += kLanes) Store(z + i, op(x0, Load(y + i)));
  } else {
    return false;
  }
  for (; i < count; ++i) z[i] = op(x[i * x_step], y[i * y_step]);
  return true;
}

template <typename A, typename B, typename Out, typename Op>
StatusOr<Tensor> BroadcastBinary(const Tensor& a, const Tensor& b, ThreadPool* pool,
                                 double cost_per_element, const Op& op) {
  const std::array<Shape, 2> shapes = {a.shape(), b.shape()};
  ASSIGN_OR_RETURN(BroadcastPlan plan, PlanBroadcast(shapes));
  Tensor out = Tensor::Uninitialized(DataTypeFor<Out>(), plan.output_shape);
  const A* a_values = a.data<A>();
  const B* b_values = b.data<B>();
  Out* out_values = out.data<Out>();
  const int64_t a_step = plan.inner_stride(0);
  const int64_t b_step = plan.inner_stride(1);
  ParallelFor(pool, plan.output_count(), cost_per_element, [&](int64_t begin, int64_t end) {
    ForEachSpan<2>(plan, begin, end,
                   [&](int64_t output, const std::array<int64_t, 2>& input, int64_t count) {
                     const A* x = a_values + input[0];
                     const B* y = b_values + input[1];
                     Out* z = out_values + output;
                     if constexpr (std::is_same_v<A, float> && std::is_same_v<B, float> &&
                                   std::is_same_v<Out, float> &&
                                   std::is_invocable_r_v<vector_math::FloatVec, const Op&,
                                                         vector_math::FloatVec,
                                                         vector_math::FloatVec>) {
                       if (ApplyFloatSpan(op, x, a_step, y, b_step, z, count)) return;
                     }
                     // The three shapes of span that matter, written out so they vectorise.
                     if (a_step == 1 && b_step == 1) {
                       for (int64_t i = 0; i < count; ++i) z[i] = op(x[i], y[i]);
                     } else if (b_step == 0) {
                       const B y0 = *y;
                       for (int64_t i = 0; i < count; ++i) z[i] = op(x[i * a_step], y0);
                     } else {
                       const A x0 = *x;
                       for (int64_t i = 0; i < count; ++i) z[i] = op(x0, y[i * b_step]);
                     }
                   });
  });
  return out;
}

}  // namespace mlos::engine
