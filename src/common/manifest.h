// Manifest: the model package description (`manifest.yaml`, apiVersion axon.mlos.io/v1, kind
// Model) that Axon writes and Core reads. docs/manifest.md describes the format in prose.
//
// ParseManifest validates everything it reads (required fields, sizes and hashes well-formed,
// dtypes known, file paths relative and inside the package) and reports the first problem with
// its YAML path ("spec.format.files[2].sha256: expected 64 hex digits"). Plain data; no I/O
// besides the two file helpers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/dtype.h"
#include "common/status.h"
#include "common/tensor.h"

namespace mlos {

struct ManifestFile {
  std::string path;    // relative to the package root, '/'-separated, no "..", not absolute
  uint64_t size = 0;   // bytes
  std::string sha256;  // 64 lowercase hex digits
};

struct ManifestExecutionFile {
  std::string path;
  std::string role = "single";  // single|encoder|decoder|decoder_with_past|text_encoder|vision_encoder
};

struct ManifestTensor {
  std::string name;
  DataType dtype = DataType::kInvalid;
  Shape shape;  // -1 = dynamic
};

struct ManifestSource {
  std::string hub;       // "local", "hf", ...
  std::string repo;      // hub repository or the local path it came from
  std::string revision;  // what the user asked for
  std::string commit;    // what it resolved to (may be empty for local sources)
};

struct Manifest {
  std::string api_version = "axon.mlos.io/v1";
  std::string kind = "Model";
  // metadata
  std::string name;
  std::string namespace_;
  std::string version;
  std::string description;
  std::string license;
  ManifestSource source;
  std::string created;  // RFC 3339 UTC
  // spec
  std::string framework;         // onnx, pytorch, tensorflow, ...
  std::string format_type;       // onnx, torchscript, ...
  std::string execution_format;  // the plugin format that runs it: onnx, torchscript, ...
  std::vector<ManifestFile> files;
  std::vector<ManifestExecutionFile> execution_files;
  std::vector<ManifestTensor> inputs;
  std::vector<ManifestTensor> outputs;
  uint64_t memory_bytes = 0;  // spec.requirements.memory_bytes: estimated resident size
  uint64_t disk_bytes = 0;    // spec.requirements.disk_bytes: sum of file sizes

  // "namespace/name@version".
  std::string model_id() const { return namespace_ + "/" + name + "@" + version; }
};

StatusOr<Manifest> ParseManifest(const std::string& yaml_text);
std::string SerializeManifest(const Manifest& manifest);
// File helpers: errors name the file.
StatusOr<Manifest> ReadManifestFile(const std::string& path);
Status WriteManifestFile(const Manifest& manifest, const std::string& path);  // atomic (tmp + rename)

}  // namespace mlos
