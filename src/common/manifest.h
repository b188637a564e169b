// Manifest: the model package description (`manifest.yaml`, apiVersion axon.mlos.io/v1, kind
// Model) that Axon writes and Core reads. docs/manifest.md describes the format in prose.
//
// ParseManifest validates everything it reads (required fields, sizes and hashes well-formed,
// dtypes known, file paths relative and inside the package) and reports the first problem with
// its YAML path ("spec.format.files[2].sha256: expected 64 hex digits"). Plain data; no I/O
// besides the two file helpers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
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
  std::string role =
      "single";  // single|encoder|decoder|decoder_with_past|text_encoder|vision_encoder
};

struct ManifestTensor {
  std::string name;
  DataType dtype = DataType::kInvalid;
  Shape shape;  // -1 = dynamic
};

// spec.io.preprocessing: what a client needs to turn raw input (an image, a text) into the model's
// input tensors and its outputs into answers, read by Axon from the repository's config.json,
// preprocessor_config.json and tokenizer files (docs/manifest.md). Every field is optional:
// empty strings and lists, 0, -1 and std::nullopt mean "the repository does not say".
struct ManifestImageSize {
  uint64_t height = 0;  // height and width come together
  uint64_t width = 0;
  uint64_t shortest_edge = 0;  // resize so the shorter side has this length
  uint64_t longest_edge = 0;   // ... and the longer side at most this
  bool empty() const {
    return height == 0 && width == 0 && shortest_edge == 0 && longest_edge == 0;
  }
};

struct ManifestImagePreprocessing {
  std::string processor{};  // the image processor's class, e.g. "ViTImageProcessor"
  std::optional<bool> do_resize{};
  ManifestImageSize size{};
  int64_t resample = -1;  // PIL resampling filter (0 nearest, 2 bilinear, 3 bicubic); -1 not stated
  std::optional<bool> do_center_crop{};
  ManifestImageSize crop_size{};
  std::optional<bool> do_rescale{};
  std::optional<double> rescale_factor{};  // pixel values are multiplied by it, e.g. 1/255
  std::optional<bool> do_normalize{};
  std::vector<double> image_mean{};  // per channel, after rescaling
  std::vector<double> image_std{};
  std::string channel_order{};  // "RGB" or "BGR"
  std::string data_format{};    // "channels_first" (NCHW) or "channels_last" (NHWC)
};

struct ManifestSpecialToken {
  std::string token{};  // its text, e.g. "[CLS]"
  int64_t id = -1;      // its id in the vocabulary; -1 not known
};

struct ManifestTextPreprocessing {
  std::string tokenizer_class{};  // e.g. "BertTokenizer"
  std::string model{};            // tokenizer.json's algorithm: WordPiece, BPE, Unigram, WordLevel
  uint64_t max_length = 0;        // longest input the tokenizer produces (model_max_length)
  std::string padding_side{};     // "left" or "right"
  std::string truncation_side{};  // "left" or "right"
  std::optional<bool> lowercase{};
  uint64_t vocab_size = 0;
  // By role: cls, sep, pad, unk, mask, bos, eos (lowercase letters, digits and '_').
  std::map<std::string, ManifestSpecialToken> special_tokens{};
};

struct ManifestModelConfig {
  std::string model_type{};                  // config.json model_type, e.g. "bert"
  std::vector<std::string> architectures{};  // e.g. ["BertForSequenceClassification"]
  uint64_t num_labels = 0;
  std::vector<std::string> labels{};  // id2label in id order; empty when not stated or too many
  uint64_t max_position_embeddings = 0;
};

struct ManifestPreprocessing {
  std::vector<std::string> sources{};  // the package files the hints were read from (non-empty)
  ManifestModelConfig model{};
  std::optional<ManifestImagePreprocessing> image{};
  std::optional<ManifestTextPreprocessing> text{};
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
  std::optional<ManifestPreprocessing> preprocessing;  // spec.io.preprocessing
  uint64_t memory_bytes = 0;  // spec.requirements.memory_bytes: estimated resident size
  uint64_t disk_bytes = 0;    // spec.requirements.disk_bytes: sum of file sizes

  // "namespace/name@version".
  std::string model_id() const { return namespace_ + "/" + name + "@" + version; }
};

StatusOr<Manifest> ParseManifest(const std::string& yaml_text);
std::string SerializeManifest(const Manifest& manifest);
// File helpers: errors name the file.
StatusOr<Manifest> ReadManifestFile(const std::string& path);
Status WriteManifestFile(const Manifest& manifest,
                         const std::string& path);  // atomic (tmp + rename)

}  // namespace mlos
