// The optimizer's passes, in the order OptimizeGraph runs them. Each rewrites `graph` in place and
// returns how many patterns it rewrote; each has its own file and test in this directory.
#pragma once

#include <onnx/onnx_pb.h>

namespace mlos::engine {

// Removes Identity nodes (and Dropout in inference, without its mask output): readers of the
// output read the input instead. An Identity whose output is a graph output stays.
int EliminateIdentities(onnx::GraphProto& graph);

}  // namespace mlos::engine
