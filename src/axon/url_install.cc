#include "axon/url_install.h"

#include <cstdio>
#include <filesystem>

#include "axon/config.h"
#include "axon/download.h"
#include "axon/download_progress.h"
#include "axon/package_archive.h"
#include "axon/sha256.h"
#include "axon/store_lock.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// The first 16 hex digits of the URL's sha256: one staging folder per URL.
std::string UrlKey(const std::string& url) {
  Sha256 digest;
  digest.Update(std::as_bytes(std::span(url.data(), url.size())));
  return digest.FinishHex().substr(0, 16);
}

void RemoveTree(const std::string& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

}  // namespace

bool IsPackageUrl(std::string_view spec) {
  return spec.starts_with("http://") || spec.starts_with("https://");
}

StatusOr<std::string> PackageFileNameOfUrl(std::string_view url) {
  std::string_view path = url.substr(0, url.find_first_of("?#"));
  const size_t scheme = path.find("://");
  path = scheme == std::string_view::npos ? path : path.substr(scheme + 3);
  const size_t slash = path.find('/');  // after the host
  const std::string_view name =
      slash == std::string_view::npos ? "" : path.substr(path.find_last_of('/') + 1);
  if (!IsPackageArchivePath(name) || name.starts_with('.') ||
      name.find('%') != std::string_view::npos) {
    return InvalidArgument("\"" + std::string(url) +
                           "\" does not name a package archive (.axon, .tar, .tar.gz, .tgz, "
                           ".tar.zst); only packages are installed from a URL");
  }
  return std::string(name);
}

StatusOr<InstallResult> InstallPackageFromUrl(Store& store, const std::string& url,
                                              const InstallOptions& options, Progress& progress) {
  if (!IsPackageUrl(url)) return InvalidArgument("\"" + url + "\" is not an http(s) URL");
  ASSIGN_OR_RETURN(const std::string file_name, PackageFileNameOfUrl(url));
  ASSIGN_OR_RETURN(const AxonConfig config, AxonConfig::Load(store.home()));

  // Keep `axon cache clean|prune` away while the download is staged, and one install per URL.
  ASSIGN_OR_RETURN(const StoreLock store_lock, StoreLock::Shared(store.home()));
  const std::string key = "url/" + UrlKey(url);
  ASSIGN_OR_RETURN(const StoreLock url_lock,
                   StoreLock::Exclusive(store.TempRoot() + "/locks/" + key + ".lock", [&] {
                     std::fprintf(stderr, "axon: waiting for another install of %s\n", url.c_str());
                   }));
  const std::string staging = store.TempRoot() + "/downloads/" + key;
  std::error_code error;
  fs::create_directories(staging, error);
  if (error) return Internal("cannot create directory " + staging + ": " + error.message());

  const std::string archive = staging + "/" + file_name;
  DownloadOptions download;
  download.parallel_files = 1;
  download.part_bytes = static_cast<uint64_t>(config.part_mib()) << 20;
  DownloadFile file;
  file.url = url;
  file.destination = archive;
  file.label = file_name;  // size and digests unknown: the package's manifest checks its files
  StatusOr<std::vector<DownloadedFile>> downloaded = [&] {
    DownloadProgress shown(progress, {{.path = file_name, .url = url}});
    StatusOr<std::vector<DownloadedFile>> result =
        DownloadFiles({file}, download, shown.Callback());
    progress.Clear();
    return result;  // `shown` leaves its summary line
  }();
  if (!downloaded.ok()) {
    // A transient failure keeps the partial archive for the next run to resume.
    if (downloaded.status().code() != StatusCode::kUnavailable) RemoveTree(staging);
    return downloaded.status().WithContext("downloading " + url);
  }
  StatusOr<InstallResult> result = InstallPackageArchive(store, archive, options, progress, url);
  RemoveTree(staging);
  return result;
}

}  // namespace mlos::axon
