// Convolution shape rules and compute, shared by Conv, ConvInteger and com.mlos FusedConv.
//
// PlanConv checks X [N, C, spatial...] (1-D to 3-D) against W [M, C / group, kernel...] and the
// optional bias [M], and resolves the window; every error names the input or attribute at fault.
// RunConv then computes on three paths: depthwise (one input and one output channel per group,
// conv_depthwise.h); a 1x1 window that keeps the spatial size as a GEMM on the image itself;
// everything else as Im2Col plus one GEMM per image and group. When the batch has several images
// and each has few output positions (a GEMM that narrow runs far below peak), several images'
// columns go side by side into one GEMM per group instead, within a bounded workspace; see
// ImagesPerGemm in conv.cc. The bias, an optional residual and an activation are applied to each
// block of output rows as soon as it is computed (ConvEpilogue, conv_epilogue.h); that is how the
// fused operator com.mlos FusedConv (Conv + Add + activation) runs on the same code as Conv.
#pragma once

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "common/tensor.h"
#include "engine/kernel.h"
#include "engine/kernels/nn/conv_epilogue.h"
#include "engine/kernels/nn/window.h"
#include "engine/thread_pool.h"

namespace mlos::engine {

struct ConvPlan {
  int64_t batch = 0, channels = 0, filters = 0, group = 1;
  WindowGeometry geometry;
  Shape output_shape;  // [N, M, out...]
};

// `bias_shape` is null when there is no bias.
StatusOr<ConvPlan> PlanConv(const Shape& x, const Shape& w, const Shape* bias_shape,
                            const WindowAttributes& window, int64_t group);

// y = epilogue.activation(conv(x, w) + bias + residual), every element written (y's contents on
// entry do not matter). bias ([M]) and residual (plan.output_shape) may be null. T: float or
// double.
template <typename T>
void RunConv(const ConvPlan& plan, const T* x, const T* w, const T* bias, T* y, ThreadPool* pool,
             const T* residual = nullptr, const ConvEpilogue& epilogue = {});

// The kernel of Conv and of FusedConv: inputs X, W, optional B and, for FusedConv, an optional
// residual Z of Y's shape; the node's Conv attributes; `epilogue` applied to every output.
StatusOr<std::unique_ptr<Kernel>> CreateConvKernel(const KernelInit& init,
                                                   const ConvEpilogue& epilogue);

}  // namespace mlos::engine
