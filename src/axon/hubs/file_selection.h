// File selection: which files of a hub repository make the installed package. Shared by the hub
// adapters whose repositories hold ready-to-run model files (Hugging Face, ModelScope).
//
// Rules, in order:
// 1. ONNX: the .onnx files at the root and under onnx/. One file is the model; among several,
//    "model.onnx" (the root's before onnx/'s); else files named by role (encoder_model,
//    decoder_model, decoder_with_past_model, text_model, vision_model), taken together from one
//    folder (the root first); else the choice is ambiguous and refused. Each chosen file brings
//    its external data from the same folder: "<file>.onnx_data*", "<file>.onnx.data",
//    "<stem>.data".
// 2. Otherwise TorchScript: one .pt file at the root ("model.pt" among several).
// 3. Otherwise the repository is refused: converting PyTorch weights is not supported yet.
// `format` kOnnx skips rule 2, kTorchScript skips rule 1 (kAuto and kNative: both, in order).
// Plus the root's config.json, generation_config.json, preprocessor_config.json,
// special_tokens_map.json, tokenizer*.json, vocab.txt and merges.txt when present.
// Pure function of the names; the names must have passed CheckHubFilePath.
#pragma once

#include <string>
#include <vector>

#include "axon/hubs/remote_model.h"
#include "common/manifest.h"
#include "common/status.h"

namespace mlos::axon {

struct FileSelection {
  std::string format{};                                  // "onnx" or "torchscript"
  std::vector<ManifestExecutionFile> execution_files{};  // the model files and their roles
  std::vector<std::string> files{};                      // everything to download, sorted
};

// `repo` names the repository in errors. InvalidArgument when no model file can be chosen.
StatusOr<FileSelection> SelectModelFiles(const std::vector<std::string>& paths,
                                         const std::string& repo,
                                         FormatWanted format = FormatWanted::kAuto);

}  // namespace mlos::axon
