#include "axon/hubs/archive_model.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

#include "axon/hubs/hub_file_path.h"
#include "axon/package_archive.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// True iff the file starts like a tar (plain, gzip'd or zstd'd), the forms the extractor reads.
bool LooksLikeTar(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 512> head{};
  in.read(head.data(), head.size());
  const auto got = static_cast<size_t>(in.gcount());
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
  if (got >= 2 && byte(0) == 0x1f && byte(1) == 0x8b) return true;  // gzip
  if (got >= 4 && byte(0) == 0x28 && byte(1) == 0xb5 && byte(2) == 0x2f && byte(3) == 0xfd) {
    return true;  // zstd
  }
  return got >= 262 && std::string_view(head.data() + 257, 5) == "ustar";
}

// Every regular file under `dir`, relative and '/'-separated, sorted. The extractor creates no
// links, so a plain walk stays inside.
StatusOr<std::vector<std::string>> ListFiles(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) {
      paths.push_back(fs::relative(it->path(), dir, error).generic_string());
    }
  }
  if (error) return Internal("cannot list " + dir + ": " + error.message());
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::string FirstSegment(const std::string& path) {
  const size_t slash = path.find('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

bool HoldsTensorFlowSavedModel(const std::vector<std::string>& paths) {
  return std::any_of(paths.begin(), paths.end(), [](const std::string& path) {
    return path == "saved_model.pb" || path == "saved_model.pbtxt" ||
           path.starts_with("variables/");
  });
}

std::string SingleTopFolder(const std::vector<std::string>& paths) {
  if (paths.empty()) return "";
  const std::string top = FirstSegment(paths.front());
  if (top.empty()) return "";
  for (const std::string& path : paths) {
    if (FirstSegment(path) != top) return "";
  }
  return top;
}

Status SavedModelCannotBeConverted(const std::string& model) {
  return InvalidArgument(
      model +
      " is a TensorFlow SavedModel (saved_model.pb, variables/) with no ONNX file: TensorFlow "
      "SavedModels cannot be converted here (there is no TensorFlow in Debian, so Axon has no "
      "converter). Convert it where TensorFlow is installed (python3 -m tf2onnx.convert "
      "--saved-model DIR --output model.onnx) and install the .onnx file with `axon install "
      "model.onnx`, or choose a framework/variation of the model that offers ONNX");
}

StatusOr<PreparedPackage> SelectArchivePackage(const std::string& dir,
                                               const std::vector<std::string>& paths,
                                               const std::string& model, FormatWanted format) {
  if (paths.empty()) return InvalidArgument(model + ": the archive holds no file");
  std::string root = dir;
  std::vector<std::string> relative = paths;
  if (const std::string top = SingleTopFolder(paths); !top.empty()) {
    root = (fs::path(dir) / top).string();
    for (std::string& path : relative) path.erase(0, top.size() + 1);
  }
  const bool has_onnx = std::any_of(relative.begin(), relative.end(),
                                    [](const std::string& p) { return p.ends_with(".onnx"); });
  if (HoldsTensorFlowSavedModel(relative) && !has_onnx) return SavedModelCannotBeConverted(model);
  ASSIGN_OR_RETURN(const FileSelection selection, SelectModelFiles(relative, model, format));
  return PreparedPackage{root, selection.files, selection.format, {}, selection.execution_files};
}

PrepareFn ArchiveModelPrepare(ArchiveModel archive) {
  return [archive = std::move(archive)](const std::string& staging, const std::string& work_dir,
                                        Progress&) -> StatusOr<PreparedPackage> {
    const std::string downloaded = (fs::path(staging) / archive.archive).string();
    const std::string extracted = (fs::path(work_dir) / "extracted").string();
    std::error_code error;
    fs::create_directories(extracted, error);
    if (error) return Internal("cannot create directory " + extracted + ": " + error.message());
    if (LooksLikeTar(downloaded)) {
      RETURN_IF_ERROR(ExtractPackageArchive(downloaded, extracted).WithContext(archive.model));
    } else if (!archive.single_file.empty()) {
      const fs::path target = fs::path(extracted) / archive.single_file;
      fs::create_directories(target.parent_path(), error);
      if (!error) fs::copy_file(downloaded, target, error);
      if (error) {
        return Internal("cannot copy " + downloaded + " to " + target.string() + ": " +
                        error.message());
      }
    } else {
      return InvalidArgument(archive.model +
                             ": the download is not a tar archive (plain, gzip or zstd)");
    }
    ASSIGN_OR_RETURN(const std::vector<std::string> paths, ListFiles(extracted));
    for (const std::string& path : paths) {
      RETURN_IF_ERROR(CheckHubFilePath(path).WithContext(archive.model + " (in the archive)"));
    }
    return SelectArchivePackage(extracted, paths, archive.model, archive.format);
  };
}

}  // namespace mlos::axon
