// OptimizeGraph: rewrites a loaded model's main graph into an equivalent one that runs faster,
// before its execution plan is built (SPEC §5: identity elimination, bias / activation / GELU
// fusions, ...).
//
// Passes run in a fixed order, each over the whole graph; each is a function in passes.h with a
// file and a test of its own. A pass only rewrites what it can prove equivalent from the graph
// (constant operands, values nobody else reads); anything it does not recognise stays as it is.
// Fused nodes use the domain "com.mlos" (kMlosDomain), whose kernels live in
// engine/kernels/fused/; OptimizeGraph adds that domain to the model's opset imports when a pass
// emitted one. Subgraphs (If, Loop, Scan bodies) are left alone.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace mlos::engine {

struct PassReport {
  std::string pass;
  int rewrites = 0;  // patterns rewritten (nodes removed or fused)
};

// Runs every pass over model.graph(); returns one report per pass, in order.
std::vector<PassReport> OptimizeGraph(onnx::ModelProto& model);

}  // namespace mlos::engine
