// Scan: runs its body once per step of its scan inputs (sliced along their scan axes), threading
// state values through and stacking each step's scan outputs. Opset 8's form has a leading batch
// axis on every input and output and optional per-batch sequence lengths; it runs as one opset 9
// scan per batch entry.
#include "engine/kernels/common/axes.h"
#include "engine/kernels/control/registrations.h"
#include "engine/kernels/control/stacking.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

struct ScanAttributes {
  size_t scan_inputs = 0;
  std::vector<int64_t> input_axes, input_directions, output_axes, output_directions;
};

class ScanKernel : public Kernel {
 public:
  ScanKernel(std::unique_ptr<Subgraph> body, ScanAttributes attributes, bool batched)
      : body_(std::move(body)), attributes_(std::move(attributes)), batched_(batched) {}

  Status Compute(KernelContext& context) const override {
    const size_t first = batched_ ? 1 : 0;  // opset 8: input 0 is sequence_lens
    std::vector<Tensor> inputs;
    for (size_t i = first; i < context.input_count(); ++i) {
      ASSIGN_OR_RETURN(const Tensor* tensor, RequireTensor(context, i));
      inputs.push_back(*tensor);
    }
    if (!batched_) {
      ASSIGN_OR_RETURN(std::vector<Tensor> outputs, ScanOnce(inputs, -1, context));
      for (size_t i = 0; i < outputs.size() && i < context.outputs.size(); ++i)
        context.outputs[i] = std::move(outputs[i]);
      return Status::Ok();
    }
    return ScanBatches(inputs, context);
  }

 private:
  static StatusOr<const Tensor*> RequireTensor(const KernelContext& context, size_t i) {
    if (context.has_input(i)) return &context.input(i);
    return InvalidArgument("input " + std::to_string(i) + " must be a tensor");
  }

  static int64_t At(const std::vector<int64_t>& values, size_t i) {
    return i < values.size() ? values[i] : 0;
  }

  // One scan over `inputs` (states then scan inputs, no batch axis); `length` < 0 = full length.
  StatusOr<std::vector<Tensor>> ScanOnce(const std::vector<Tensor>& inputs, int64_t length,
                                         const KernelContext& context) const {
    const size_t scan_count = attributes_.scan_inputs;
    const size_t state_count = inputs.size() - scan_count;
    const size_t output_scan_count = body_->output_names().size() - state_count;
    std::vector<std::vector<Tensor>> slices(scan_count);
    int64_t steps = -1;
    for (size_t s = 0; s < scan_count; ++s) {
      const Tensor& input = inputs[state_count + s];
      const std::string what = "scan input " + std::to_string(s);
      ASSIGN_OR_RETURN(int64_t axis, ResolveAxis(At(attributes_.input_axes, s),
                                                 static_cast<int64_t>(input.shape().size()), what));
      slices[s] = Unstack(input, static_cast<size_t>(axis));
      const int64_t count = static_cast<int64_t>(slices[s].size());
      if (steps >= 0 && count != steps) {
        return InvalidArgument(what + " has " + std::to_string(count) + " steps, scan input 0 " +
                               std::to_string(steps));
      }
      steps = count;
    }
    if (length >= 0) steps = std::min(steps, length);
    std::vector<Value> body_inputs(state_count + scan_count);
    for (size_t i = 0; i < state_count; ++i) body_inputs[i] = inputs[i];
    std::vector<std::vector<Tensor>> scan_steps(output_scan_count);
    for (int64_t t = 0; t < steps; ++t) {
      for (size_t s = 0; s < scan_count; ++s) {
        const bool reverse = At(attributes_.input_directions, s) != 0;
        body_inputs[state_count + s] = slices[s][static_cast<size_t>(reverse ? steps - 1 - t : t)];
      }
      StatusOr<std::vector<Value>> results =
          body_->Run(body_inputs, context.captured(), context.pool);
      if (!results.ok()) return results.status().WithContext("step " + std::to_string(t));
      for (size_t i = 0; i < state_count; ++i) body_inputs[i] = std::move((*results)[i]);
      for (size_t k = 0; k < output_scan_count; ++k) {
        const Value& step = (*results)[state_count + k];
        if (!step.is_tensor())
          return InvalidArgument("scan output " + std::to_string(k) + " is a " + step.Describe());
        scan_steps[k].push_back(step.tensor());
      }
    }
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < state_count; ++i) {
      if (!body_inputs[i].is_tensor()) return InvalidArgument("state " + std::to_string(i) + " is not a tensor");
      outputs.push_back(body_inputs[i].tensor());
    }
    for (size_t k = 0; k < output_scan_count; ++k) {
      if (At(attributes_.output_directions, k) != 0)
        std::reverse(scan_steps[k].begin(), scan_steps[k].end());
      const std::string what = "scan output " + std::to_string(k);
      const int64_t step_rank =
          scan_steps[k].empty() ? 0 : static_cast<int64_t>(scan_steps[k][0].shape().size());
      ASSIGN_OR_RETURN(int64_t axis, ResolveAxis(At(attributes_.output_axes, k), step_rank + 1, what));
      ASSIGN_OR_RETURN(Tensor stacked, Stack(scan_steps[k], static_cast<size_t>(axis),
                                             body_->output_types()[state_count + k], what));
      outputs.push_back(std::move(stacked));
    }
    return outputs;
  }

  // Opset 8: every input has a leading batch axis; scan axes count after it.
  Status ScanBatches(const std::vector<Tensor>& inputs, KernelContext& context) const {
    if (inputs.empty()) return InvalidArgument("Scan needs inputs");
    const int64_t batch = inputs[0].shape().empty() ? 0 : inputs[0].shape()[0];
    std::vector<int64_t> lengths;
    if (context.has_input(0)) {
      ASSIGN_OR_RETURN(lengths, ReadIntegers(context.input(0), "input 0 (sequence_lens)"));
    }
    std::vector<std::vector<Tensor>> per_input(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].shape().empty() || inputs[i].shape()[0] != batch)
        return InvalidArgument("input " + std::to_string(i + 1) + ": batch size differs");
      per_input[i] = Unstack(inputs[i], 0);
    }
    std::vector<std::vector<Tensor>> per_output;
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> entry;
      for (const std::vector<Tensor>& slices : per_input) entry.push_back(slices[static_cast<size_t>(b)]);
      const int64_t length = static_cast<size_t>(b) < lengths.size() ? lengths[static_cast<size_t>(b)] : -1;
      StatusOr<std::vector<Tensor>> outputs = ScanOnce(entry, length, context);
      if (!outputs.ok()) return outputs.status().WithContext("batch " + std::to_string(b));
      per_output.resize(outputs->size());
      for (size_t o = 0; o < outputs->size(); ++o) per_output[o].push_back((*outputs)[o]);
    }
    for (size_t o = 0; o < per_output.size() && o < context.outputs.size(); ++o) {
      ASSIGN_OR_RETURN(context.outputs[o], Stack(per_output[o], 0, per_output[o][0].dtype(),
                                                 "output " + std::to_string(o)));
    }
    return Status::Ok();
  }

  std::unique_ptr<Subgraph> body_;
  ScanAttributes attributes_;
  bool batched_;
};

StatusOr<std::unique_ptr<Kernel>> CreateScan(const KernelInit& init) {
  ScanAttributes attributes;
  const int64_t scan_inputs = init.attributes.GetInt("num_scan_inputs", -1);
  const bool batched = init.opset < 9;
  const int64_t inputs = init.node.input_size() - (batched ? 1 : 0);
  if (scan_inputs < 1 || scan_inputs > inputs) {
    return InvalidArgument("attribute num_scan_inputs: " + std::to_string(scan_inputs) +
                           " for " + std::to_string(inputs) + " state and scan inputs");
  }
  attributes.scan_inputs = static_cast<size_t>(scan_inputs);
  attributes.input_directions =
      init.attributes.GetInts(batched ? "directions" : "scan_input_directions");
  attributes.input_axes = init.attributes.GetInts("scan_input_axes");
  attributes.output_axes = init.attributes.GetInts("scan_output_axes");
  attributes.output_directions = init.attributes.GetInts("scan_output_directions");
  ASSIGN_OR_RETURN(std::unique_ptr<Subgraph> body, CompileBody(init, "body"));
  if (body->input_names().size() != static_cast<size_t>(inputs)) {
    return InvalidArgument("the body takes " + std::to_string(body->input_names().size()) +
                           " inputs, the node gives " + std::to_string(inputs));
  }
  const size_t states = static_cast<size_t>(inputs - scan_inputs);
  if (body->output_names().size() < states) {
    return InvalidArgument("the body has fewer outputs than the " + std::to_string(states) +
                           " state values");
  }
  return std::unique_ptr<Kernel>(
      std::make_unique<ScanKernel>(std::move(body), std::move(attributes), batched));
}

}  // namespace

void RegisterScanKernels(KernelRegistry& registry) {
  registry.Register({"", "Scan", 8, kLatestOpset, {}, &CreateScan, /*value_inputs=*/true});
}

}  // namespace mlos::engine
