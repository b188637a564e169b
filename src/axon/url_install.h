// `axon install https://host/path/model.axon`: a package archive (package_archive.h) fetched over
// http(s).
//
// The archive is downloaded through DownloadFiles (resumable: an interrupted download stays in
// <home>/cache/tmp/downloads/url/<hash of the URL>/ and the next install of the same URL continues
// it; retried with back-off) while the store's shared lock and a per-URL lock are held, then
// installed with InstallPackageArchive, which checks every file against the package's own
// manifest. The staged archive is removed afterwards, unless the download failed transiently.
#pragma once

#include <string>
#include <string_view>

#include "axon/installer.h"
#include "axon/progress.h"
#include "axon/store.h"
#include "common/status.h"

namespace mlos::axon {

// True iff `spec` starts with http:// or https://.
bool IsPackageUrl(std::string_view spec);

// The archive's file name: the last segment of the URL's path (query and fragment dropped).
// InvalidArgument when it is not a package archive name (IsPackageArchivePath) or unsafe.
StatusOr<std::string> PackageFileNameOfUrl(std::string_view url);

// Errors: InvalidArgument (not a package URL, a package that does not match its manifest),
// NotFound / FailedPrecondition (404, 401/403), Unavailable (no reply after retries), and
// InstallPackageArchive's.
StatusOr<InstallResult> InstallPackageFromUrl(Store& store, const std::string& url,
                                              const InstallOptions& options, Progress& progress);

}  // namespace mlos::axon
