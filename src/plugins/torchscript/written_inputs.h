// Which arguments a TorchScript model's forward writes into in place.
//
// The plugin passes request inputs to forward zero-copy, over memory the host lends read-only.
// A model that writes into an argument (x.add_(1), a slice assignment, ...) must get a copy of
// that input instead; this finds those arguments, once, when the model is loaded.
#pragma once

#include <torch/csrc/jit/api/module.h>

#include <vector>

namespace mlos::plugins::torchscript {

// One flag per argument of forward after self, true where forward, with every call it makes
// inlined, may write into the argument or anything aliasing it (per TorchScript's alias analysis).
std::vector<bool> ArgumentsWrittenInPlace(const torch::jit::Module& module);

}  // namespace mlos::plugins::torchscript
