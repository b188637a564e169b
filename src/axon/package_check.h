// Package check: compares the files of a package directory with its manifest, byte for byte.
//
// Used by `axon verify` (an installed model's tree) and `axon pack` (a package folder before it
// is archived) and when installing a `.axon` archive (the extracted files). Every listed file must
// be a regular file with the manifest's size and sha256; a non-hidden file the manifest does not
// list (other than manifest.yaml) is reported too, since it would not be part of the package.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "axon/progress.h"
#include "common/manifest.h"

namespace mlos::axon {

struct FileProblem {
  enum class Kind { kMissing, kNotRegular, kUnreadable, kSize, kSha256, kUnlisted };
  Kind kind = Kind::kMissing;
  std::string path;  // package path
  uint64_t expected_size = 0;
  uint64_t actual_size = 0;
  std::string expected_sha256;
  std::string actual_sha256;
  std::string detail;  // the read error, for kUnreadable
};

// Every problem found, in package-path order; empty when the package is intact. Hashing shows
// on `progress`.
std::vector<FileProblem> CheckPackageFiles(const std::string& dir, const Manifest& manifest,
                                           Progress& progress);

// "model.onnx: sha256 is 3f..., the manifest says 9a..." and the like.
std::string DescribeProblem(const FileProblem& problem);
// "missing", "not_regular", "unreadable", "size", "sha256", "unlisted": for --json output.
const char* ProblemKindName(FileProblem::Kind kind);

}  // namespace mlos::axon
