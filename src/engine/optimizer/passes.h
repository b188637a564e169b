// The optimizer's passes, in the order OptimizeGraph runs them. Each rewrites `graph` in place and
// returns how many patterns it rewrote; each has its own file and test in this directory.
#pragma once

#include <onnx/onnx_pb.h>

namespace mlos::engine {

// Removes Identity nodes (and Dropout in inference, without its mask output): readers of the
// output read the input instead. An Identity whose output is a graph output stays.
int EliminateIdentities(onnx::GraphProto& graph);

// Folds an inference BatchNormalization whose operands are float constants into the constant
// weights and bias of the Conv it alone reads (new initializers; the old ones go when nothing else
// reads them). Runs before FuseConvolutions, so the activation after it can fuse too.
int FoldBatchNormIntoConv(onnx::GraphProto& graph);

// Fuses torch's decomposed GELU (the exact erf form and the tanh form) into com.mlos Gelu.
int FuseGelu(onnx::GraphProto& graph);

// Fuses MatMul with a following scalar Mul/Div, constant bias Add and Relu/Gelu into com.mlos
// FusedMatMul. Runs after FuseGelu, whose Gelu it absorbs.
int FuseMatMul(onnx::GraphProto& graph);

// Fuses T5's decomposed RMS normalisation (Pow, ReduceMean, Add, Sqrt, Div, Mul [, Mul by a
// weight]) into com.mlos RmsNorm.
int FuseRmsNorm(onnx::GraphProto& graph);

// Folds Conv -> [Add] -> [Relu | Clip | LeakyRelu | Sigmoid] into one com.mlos FusedConv (at least
// one of the two): the Add when its other operand has the Conv output's declared type and shape
// (it becomes input Z), the activation when its parameters are constants. Every value folded away
// must have that one reader and not be a graph output.
int FuseConvolutions(onnx::GraphProto& graph);

}  // namespace mlos::engine
