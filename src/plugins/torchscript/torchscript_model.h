// A loaded TorchScript model: the archive loaded on the CPU in eval mode, prepared for inference,
// and run on SMI requests.
//
// Load: torch::jit::load, eval(), then the ModelOptions' optimization (freeze by default; a module
// the optimization fails on is kept as loaded). Execute: request inputs are matched to forward's
// arguments BY NAME (the signature's input names), wrapped zero-copy (copied only for an argument
// forward writes into), forward runs under c10::InferenceMode, and the flattened results the
// request wants are copied into host buffers with the dtypes they really have. Execute may run
// concurrently on one model: a TorchScript module's forward is thread-safe for inference.
#pragma once

#include <torch/csrc/jit/api/module.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "mlos/smi.h"
#include "plugins/torchscript/plugin_config.h"
#include "plugins/torchscript/signature.h"

namespace mlos::plugins::torchscript {

class TorchScriptModel {
 public:
  // InvalidArgument naming `file` when it is not a TorchScript archive LibTorch can load; errors
  // of FindSignature otherwise.
  static StatusOr<std::unique_ptr<TorchScriptModel>> Load(const std::string& file,
                                                          const ModelOptions& options);

  const Signature& signature() const { return signature_; }
  // Bytes of the module's parameters and buffers.
  uint64_t memory_bytes() const { return memory_bytes_; }

  // Runs one request. InvalidArgument for an unknown, repeated or missing input or an unknown
  // output name, or when forward fails on the inputs (LibTorch's message); Unimplemented for a
  // dtype LibTorch lacks; Internal when forward returns another number of tensors than the
  // signature has outputs.
  Status Execute(const smi_request& request) const;

 private:
  TorchScriptModel() = default;

  StatusOr<std::vector<c10::IValue>> ForwardArguments(const smi_request& request) const;

  torch::jit::Module module_;
  Signature signature_;
  std::vector<bool> written_inputs_;  // per signature input: forward writes into it, pass a copy
  uint64_t memory_bytes_ = 0;
};

}  // namespace mlos::plugins::torchscript
