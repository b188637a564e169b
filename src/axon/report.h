// Report: how installed models are shown by `axon list`, `axon info` and `--json` output.
//
// Human text is for people and may change; the JSON objects are for scripts and keep their field
// names (docs/manifest.md lists them beside the manifest fields they come from).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "axon/store.h"

namespace mlos::axon {

enum class ListFormat { kTable, kNames, kJson };

// {"model_id", "namespace", "name", "version", "path", "manifest_path", "description", "license",
//  "source": {"hub", "repo", "revision", "commit"}, "created", "framework", "format",
//  "execution_format", "files": [{"path", "size", "sha256"}], "execution_files": [{"path",
//  "role"}], "inputs"/"outputs": [{"name", "dtype", "shape"}], "memory_bytes", "disk_bytes"}.
nlohmann::json ModelJson(const InstalledModel& model);

// kTable: a header and one aligned row per model; kNames: one id per line; kJson: an array of
// ModelJson objects. Each ends with a newline.
std::string FormatModelList(const std::vector<InstalledModel>& models, ListFormat format);

// Several labelled lines: id, paths, source, size, files with digests, inputs and outputs.
std::string FormatModelInfo(const InstalledModel& model);

// "512 B", "12.3 KiB", "1.5 GiB".
std::string HumanBytes(uint64_t bytes);

}  // namespace mlos::axon
