// Local sources: what `axon install` reads when SPEC is a directory, a `.onnx` file or a
// `file://` URL of either.
//
// A directory contributes every regular file under it (recursively, following symlinks to files),
// except hidden entries (names starting with '.', such as .git) and a top-level manifest.yaml,
// which Axon writes itself. A single .onnx file is a package of that one file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mlos::axon {

struct SourceFile {
  std::string absolute_path;
  std::string package_path;  // relative to the source root, '/'-separated
  uint64_t size = 0;
};

struct LocalSource {
  std::string root;               // absolute path of the directory or file given
  std::string default_name;       // directory name or file stem, sanitized (see SanitizeName)
  std::vector<SourceFile> files;  // sorted by package_path
};

// True iff `path` ends in ".onnx" (any case).
bool IsOnnxFile(std::string_view path);

// The path a local spec names: "file:///a/b%20c" -> "/a/b c" (file://localhost/ too); other
// specs are paths already. InvalidArgument for a file:// URL without an absolute path.
StatusOr<std::string> LocalPathOfSpec(std::string_view spec);

// True iff `spec` names a local source: a file:// URL or an existing path.
bool IsLocalSpec(std::string_view spec);

// Lists the files of the local source `spec`. InvalidArgument if it is neither a directory nor a
// .onnx file, or holds no files; NotFound if it does not exist.
StatusOr<LocalSource> ReadLocalSource(std::string_view spec);

}  // namespace mlos::axon
