// Manifest builder: the manifest of an ONNX package, made from what is actually installed.
//
// Files carry their real sizes and digests; spec.io comes from the model graph (the engine's
// ReadModelSignature), never from what a hub claims. Pure function of its input: no I/O.
#pragma once

#include <string>
#include <vector>

#include "axon/model_ref.h"
#include "common/manifest.h"
#include "common/status.h"
#include "engine/session.h"

namespace mlos::axon {

struct OnnxPackage {
  ModelRef ref;
  ManifestSource source;
  std::string created;               // RFC 3339 UTC
  std::vector<ManifestFile> files;   // every file of the package, hashed
  std::string model_path;            // package path of the .onnx file; one of `files`
  engine::ModelSignature signature;  // read from that file
};

// InvalidArgument if an input or output has a dtype MLOS does not support.
StatusOr<Manifest> BuildOnnxManifest(const OnnxPackage& package);

// Estimated resident size of a loaded model: the .onnx file plus its external data, which by
// convention sits in files named after it ("model.onnx_data", "model.onnx.data") or ending in
// ".onnx_data". The engine holds the weights once; activations are not counted.
uint64_t EstimateMemoryBytes(const std::vector<ManifestFile>& files, const std::string& model_path);

}  // namespace mlos::axon
