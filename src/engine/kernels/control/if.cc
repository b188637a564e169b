// If: runs the then_branch or the else_branch graph, chosen by a boolean scalar.
#include "engine/kernels/control/registrations.h"
#include "engine/kernels/control/stacking.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/elementwise/registrations.h"

namespace mlos::engine {
namespace {

class IfKernel : public Kernel {
 public:
  IfKernel(std::unique_ptr<Subgraph> then_branch, std::unique_ptr<Subgraph> else_branch)
      : then_branch_(std::move(then_branch)), else_branch_(std::move(else_branch)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& cond = context.input(0);
    if (cond.dtype() != DataType::kBool || cond.element_count() != 1) {
      return InvalidArgument("input 0 (cond): expected one bool, got " +
                             std::string(Name(cond.dtype())) + " " + ShapeToString(cond.shape()));
    }
    const Subgraph& branch = *cond.data<bool>() ? *then_branch_ : *else_branch_;
    ASSIGN_OR_RETURN(std::vector<Value> results, branch.Run({}, context.captured(), context.pool));
    if (results.size() != context.value_outputs.size()) {
      return InvalidArgument(std::string(*cond.data<bool>() ? "then" : "else") + "_branch has " +
                             std::to_string(results.size()) + " outputs, the node " +
                             std::to_string(context.value_outputs.size()));
    }
    for (size_t i = 0; i < results.size(); ++i) context.value_outputs[i] = std::move(results[i]);
    return Status::Ok();
  }

 private:
  std::unique_ptr<Subgraph> then_branch_;
  std::unique_ptr<Subgraph> else_branch_;
};

StatusOr<std::unique_ptr<Kernel>> CreateIf(const KernelInit& init) {
  RETURN_IF_ERROR(CheckInputCount(init, 1, 1));
  ASSIGN_OR_RETURN(std::unique_ptr<Subgraph> then_branch, CompileBody(init, "then_branch"));
  ASSIGN_OR_RETURN(std::unique_ptr<Subgraph> else_branch, CompileBody(init, "else_branch"));
  for (const Subgraph* branch : {then_branch.get(), else_branch.get()}) {
    if (static_cast<int>(branch->output_names().size()) != init.node.output_size()) {
      return InvalidArgument("a branch has " + std::to_string(branch->output_names().size()) +
                             " outputs, the node " + std::to_string(init.node.output_size()));
    }
  }
  return std::unique_ptr<Kernel>(
      std::make_unique<IfKernel>(std::move(then_branch), std::move(else_branch)));
}

}  // namespace

void RegisterIfKernels(KernelRegistry& registry) {
  registry.Register({"", "If", 1, kLatestOpset, {}, &CreateIf, /*value_inputs=*/true});
}

}  // namespace mlos::engine
