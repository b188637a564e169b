#pragma once

// Guards libonnx 1.12's shape inference against hostile models.
//
// Several of libonnx's type-and-shape inference functions index their inputs' dimensions or use
// attribute values without checking them: a Gemm operand of rank 1, an RNN input of rank 0, a
// LayerNormalization axis out of range, a negative GatherND batch_dims or dimension, a blocksize
// whose square overflows. Each is a SEGV or SIGFPE inside the loader, found by fuzzing and by
// tools/onnx-inference-audit. GuardedSchemaRegistry() serves libonnx's schemas with every inference
// function wrapped in the checks it lacks, applied to the types inference actually sees (declared
// or inferred, in the main graph, subgraphs and functions alike), so a model that would crash
// inference is refused instead.
//
// Contract:
//   - Pass the registry to onnx::shape_inference::InferShapes; it is thread-safe and lives for the
//     process.
//   - A failed check throws ShapeInferenceRefusal, which libonnx does not catch: InferShapes stops,
//     and the caller reports what() — the op, the input or attribute, and what was wrong.
//   - Models that satisfy the checks infer exactly as with OpSchemaRegistry::Instance().

#include <onnx/defs/schema.h>

#include <stdexcept>

namespace mlos::engine {

// A model that libonnx's shape inference must not see: what() says which op and why.
class ShapeInferenceRefusal : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

const onnx::ISchemaRegistry* GuardedSchemaRegistry();

}  // namespace mlos::engine
