// `.axon` packages: a model package (manifest.yaml at the root plus the files it lists) as one
// archive, for `axon pack`, `axon export` and `axon install F.axon`.
//
// Format: a POSIX (pax) tar compressed with zstd, manifest.yaml first, then the listed files in
// manifest order, all regular files with mode 0644 and mtime 0 (the same package gives the same
// bytes). Reading also accepts uncompressed and gzip-compressed tars (.tar.gz, .tgz), and zip
// archives (the source archive of a PyTorch Hub repository, hubs/pytorch_hub.h).
//
// Reading is hostile-input safe: an entry with an absolute path, a ".." component, a link
// (symbolic or hard), a device, FIFO or socket, or a duplicate path is refused; files are created
// only inside the destination (O_EXCL|O_NOFOLLOW in a fresh directory without links). Installing
// then requires the extracted files to be exactly the manifest's, with its sizes and digests.
#pragma once

#include <string>
#include <string_view>

#include "axon/installer.h"
#include "axon/progress.h"
#include "axon/store.h"
#include "common/manifest.h"
#include "common/status.h"

namespace mlos::axon {

// True iff `spec` names a package archive by its extension: .axon, .tar, .tar.gz, .tgz, .tar.zst.
bool IsPackageArchivePath(std::string_view spec);

// Archives the package folder `dir` into `archive_path` (written to a temporary file beside it,
// then renamed). The manifest is validated and every file checked against it first;
// InvalidArgument lists the differences. Returns the manifest packed.
StatusOr<Manifest> PackPackage(const std::string& dir, const std::string& archive_path,
                               Progress& progress);

// Copies the installed model `ref` (manifest.yaml and its files, as real files) into `dir`, which
// must not exist or be empty. Returns the model exported.
StatusOr<InstalledModel> ExportModel(const Store& store, const ModelRef& ref,
                                     const std::string& dir);

// Extracts the archive at `archive_path` into the existing empty directory `destination`, refusing
// unsafe entries (see above). On error `destination` may hold part of the archive; the caller
// removes it.
Status ExtractPackageArchive(const std::string& archive_path, const std::string& destination);

// `axon install F.axon`: extracts into the store's tmp/, checks the files against the package's
// manifest (and that an ONNX execution file loads), then installs them with that manifest, under
// `options.as` when given. `origin` is what .axon_metadata.json records as the source (e.g. the
// URL the archive was downloaded from); empty: the archive's absolute path. Errors as
// InstallLocal's.
StatusOr<InstallResult> InstallPackageArchive(Store& store, const std::string& archive_path,
                                              const InstallOptions& options, Progress& progress,
                                              const std::string& origin = {});

// `axon install` of a local spec: InstallPackageArchive for a package archive (by its extension;
// a path or a file:// URL), InstallLocal (installer.h) for a directory, .onnx file or file:// URL.
StatusOr<InstallResult> InstallLocalOrPackage(Store& store, std::string_view spec,
                                              const InstallOptions& options, Progress& progress);

}  // namespace mlos::axon
