// Legacy broadcasting (opset 1-6 Add, Sub, Mul, Div, Pow; opset 1-6 PRelu).
//
// Before opset 7 these operators did not broadcast numpy-style. With attribute broadcast = 0
// (the default) A and B must have equal shapes; with broadcast = 1, B is broadcast to A: B's
// shape must match a contiguous run of A's dimensions starting at attribute `axis` (default
// rank(A) - rank(B): a suffix), where a dimension of 1 in B also stretches; a B of one element
// is a scalar. The output has A's shape.
//
// The legacy kernels reuse the opset >= 7 kernels: LegacyBroadcastShape() gives the shape B is
// viewed as (B's dimensions, then 1s up to A's rank) so that numpy broadcasting computes the
// legacy result, and CreateLegacyBroadcast() wraps a kernel so that it sees B through that view.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/kernel.h"

namespace mlos::engine {

// The shape to view B as, or InvalidArgument naming input 1 (B) when B does not broadcast to A
// under the legacy rules above. `axis` is the node's attribute (absent: the suffix alignment).
StatusOr<Shape> LegacyBroadcastShape(const Shape& a, const Shape& b, bool broadcast,
                                     std::optional<int64_t> axis);

// Wraps the kernel made by `inner` (an opset >= 7 kernel of two inputs A, B) so that it computes
// the legacy semantics, reading attributes broadcast and axis (consumed_inputs, opset 1, is
// ignored). Rejects broadcast values other than 0 and 1 at load time.
StatusOr<std::unique_ptr<Kernel>> CreateLegacyBroadcast(const KernelInit& init,
                                                        KernelFactory inner);

// PRelu before opset 7: a slope of one element is shared by all of X; a slope of lower rank than
// X is aligned at the channel axis 1 (a slope of [C] against X [N, C, H, W]); otherwise it
// broadcasts unidirectionally.
StatusOr<std::unique_ptr<Kernel>> CreateLegacyPRelu(const KernelInit& init, KernelFactory inner);

// The two as KernelFactory values, for registrations.
template <KernelFactory kInner>
StatusOr<std::unique_ptr<Kernel>> CreateLegacyBroadcastKernel(const KernelInit& init) {
  return CreateLegacyBroadcast(init, kInner);
}
template <KernelFactory kInner>
StatusOr<std::unique_ptr<Kernel>> CreateLegacyPReluKernel(const KernelInit& init) {
  return CreateLegacyPRelu(init, kInner);
}

}  // namespace mlos::engine
