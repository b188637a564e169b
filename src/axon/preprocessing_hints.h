// Preprocessing hints: spec.io.preprocessing of a manifest (common/manifest.h, docs/manifest.md),
// read from the files a Hugging Face style repository ships beside its model: config.json (model
// type, architectures, labels), preprocessor_config.json (image size, crop, rescale, normalize)
// and tokenizer.json / tokenizer_config.json / special_tokens_map.json (tokenizer kind, max
// length, padding side, lowercasing, vocabulary size, special tokens and their ids).
//
// The hints are advice for clients, never needed to run the model, so reading them never fails an
// install and prints nothing: a file that is missing, larger than its limit, not JSON, nested
// deeper than 64 levels or not a JSON object contributes nothing, and a field of an unexpected
// type or out of range is skipped on its own. Nothing from these files is trusted: every value is
// type-checked and bounded before it is copied. Pure functions except ReadPreprocessingHints.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/manifest.h"

namespace mlos::axon {

// The files hints are read from, at the package root, and the most bytes read of each.
inline constexpr const char* kHintFileNames[] = {"config.json", "preprocessor_config.json",
                                                 "tokenizer_config.json", "tokenizer.json",
                                                 "special_tokens_map.json"};
inline constexpr uint64_t kMaxHintFileBytes = 4ull << 20;        // the config files
inline constexpr uint64_t kMaxTokenizerFileBytes = 64ull << 20;  // tokenizer.json (vocabulary)
// id2label with more entries than this is recorded as num_labels only.
inline constexpr size_t kMaxInlineLabels = 4096;

// Hints from the texts of the hint files ({file name: content}; names other than
// kHintFileNames are ignored). std::nullopt when no file contributed anything.
std::optional<ManifestPreprocessing> ExtractPreprocessingHints(
    const std::map<std::string, std::string>& texts);

// Reads those of kHintFileNames that are among `package_paths` from `package_dir` (each up to its
// limit; a larger file is skipped unread) and extracts their hints.
std::optional<ManifestPreprocessing> ReadPreprocessingHints(
    const std::string& package_dir, const std::vector<ManifestFile>& package_files);

}  // namespace mlos::axon
