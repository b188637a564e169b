#include "engine/kernels/control/stacking.h"

#include "engine/kernels/tensor/concat_split.h"

namespace mlos::engine {

std::vector<Tensor> Unstack(const Tensor& input, size_t axis) {
  const std::vector<int64_t> ones(static_cast<size_t>(input.shape()[axis]), 1);
  std::vector<Tensor> steps = SplitAlongAxis(input, axis, ones);
  for (Tensor& step : steps) {
    Shape shape = step.shape();
    shape.erase(shape.begin() + static_cast<std::ptrdiff_t>(axis));
    step = step.Reshaped(std::move(shape));
  }
  return steps;
}

StatusOr<Tensor> Stack(const std::vector<Tensor>& steps, size_t axis, DataType type,
                       const std::string& what) {
  if (steps.empty()) return Tensor(type == DataType::kInvalid ? DataType::kFloat32 : type, {0});
  std::vector<Tensor> pieces;
  std::vector<const Tensor*> pointers;
  pieces.reserve(steps.size());
  for (const Tensor& step : steps) {
    if (step.shape() != steps[0].shape()) {
      return InvalidArgument(what + ": step shapes differ (" + ShapeToString(steps[0].shape()) +
                             " and " + ShapeToString(step.shape()) + ")");
    }
    Shape shape = step.shape();
    shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(axis), 1);
    pieces.push_back(step.Reshaped(std::move(shape)));
    pointers.push_back(&pieces.back());
  }
  return ConcatAlongAxis(pointers, axis, what + " step");
}

StatusOr<std::unique_ptr<Subgraph>> CompileBody(const KernelInit& init, const std::string& name) {
  if (!init.compile_subgraph) return InvalidArgument("attribute " + name + " (a graph) is missing");
  StatusOr<std::unique_ptr<Subgraph>> body = init.compile_subgraph(name);
  if (!body.ok()) return body.status().WithContext("attribute " + name);
  return body;
}

}  // namespace mlos::engine
