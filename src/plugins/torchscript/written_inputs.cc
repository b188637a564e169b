#include "plugins/torchscript/written_inputs.h"

#include <torch/csrc/jit/ir/alias_analysis.h>
#include <torch/csrc/jit/passes/inliner.h>

namespace mlos::plugins::torchscript {

std::vector<bool> ArgumentsWrittenInPlace(const torch::jit::Module& module) {
  std::shared_ptr<torch::jit::Graph> graph = module.get_method("forward").graph()->copy();
  torch::jit::Inline(*graph);
  const torch::jit::AliasDb aliases(graph);
  std::vector<bool> written;
  for (size_t i = 1; i < graph->inputs().size(); ++i) {  // inputs()[0] is self
    written.push_back(aliases.hasWriters(graph->inputs()[i]));
  }
  return written;
}

}  // namespace mlos::plugins::torchscript
