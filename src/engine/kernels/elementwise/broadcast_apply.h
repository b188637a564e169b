// BroadcastBinary: the one loop behind every two-input elementwise kernel.
//
// Computes out = op(a, b) over the multidirectional broadcast of a and b (see broadcast.h),
// element by element, in parallel on `pool` (null: inline). `op` maps (A, B) -> Out on the
// tensors' storage types; it must be thread-safe (it is called concurrently on disjoint spans).
// Errors: InvalidArgument when the shapes do not broadcast, naming a as input 0 and b as 1.
// REQUIRES: a and b hold elements of types A and B.
#pragma once

#include <array>
#include <span>
#include <string>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/broadcast.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

template <typename A, typename B, typename Out, typename Op>
StatusOr<Tensor> BroadcastBinary(const Tensor& a, const Tensor& b, ThreadPool* pool,
                                 double cost_per_element, const Op& op) {
  const std::array<Shape, 2> shapes = {a.shape(), b.shape()};
  ASSIGN_OR_RETURN(BroadcastPlan plan, PlanBroadcast(shapes));
  Tensor out(DataTypeFor<Out>(), plan.output_shape);
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
