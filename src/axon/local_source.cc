#include "axon/local_source.h"

#include <algorithm>
#include <filesystem>

#include "axon/model_ref.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFileScheme = "file://";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsHidden(const fs::path& relative) {
  for (const fs::path& part : relative) {
    if (part.string().starts_with('.')) return true;
  }
  return false;
}

Status ListDirectory(const fs::path& root, std::vector<SourceFile>& files) {
  std::error_code error;
  fs::recursive_directory_iterator it(root, error), end;
  for (; !error && it != end; it.increment(error)) {
    const fs::path relative = it->path().lexically_relative(root);
    if (IsHidden(relative)) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(error)) continue;
    if (relative == "manifest.yaml") continue;
    files.push_back({it->path().string(), relative.generic_string(), it->file_size(error)});
  }
  if (error) return Internal("cannot list " + root.string() + ": " + error.message());
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> LocalPathOfSpec(std::string_view spec) {
  if (!spec.starts_with(kFileScheme)) return std::string(spec);
  std::string_view rest = spec.substr(kFileScheme.size());
  if (rest.starts_with("localhost/")) rest.remove_prefix(std::string_view("localhost").size());
  if (!rest.starts_with('/')) {
    return InvalidArgument("\"" + std::string(spec) + "\": expected file:///absolute/path");
  }
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexValue(rest[i + 1]) >= 0 &&
        HexValue(rest[i + 2]) >= 0) {
      path += static_cast<char>(HexValue(rest[i + 1]) * 16 + HexValue(rest[i + 2]));
      i += 2;
    } else {
      path += rest[i];
    }
  }
  return path;
}

bool IsOnnxFile(std::string_view path) {
  std::string extension = fs::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".onnx";
}

bool IsLocalSpec(std::string_view spec) {
  std::error_code error;
  return spec.starts_with(kFileScheme) || fs::exists(fs::path(spec), error);
}

StatusOr<LocalSource> ReadLocalSource(std::string_view spec) {
  ASSIGN_OR_RETURN(const std::string path, LocalPathOfSpec(spec));
  std::error_code error;
  const fs::path root = fs::absolute(path, error).lexically_normal();
  if (error || !fs::exists(root, error)) return NotFound(path + " does not exist");

  LocalSource source;
  // "dir/" normalizes to "dir/" with an empty filename; its parent_path() is "dir".
  const fs::path named = root.has_filename() ? root : root.parent_path();
  source.root = named.string();
  if (fs::is_directory(named, error)) {
    source.default_name = SanitizeName(named.filename().string());
    RETURN_IF_ERROR(ListDirectory(named, source.files));
    if (source.files.empty()) return InvalidArgument(source.root + " holds no files to install");
  } else if (fs::is_regular_file(named, error) && IsOnnxFile(named.string())) {
    source.default_name = SanitizeName(named.stem().string());
    source.files.push_back({source.root, named.filename().string(), fs::file_size(named, error)});
  } else {
    return InvalidArgument(source.root + " is neither a directory nor a .onnx file");
  }
  std::sort(source.files.begin(), source.files.end(), [](const SourceFile& a, const SourceFile& b) {
    return a.package_path < b.package_path;
  });
  return source;
}

}  // namespace mlos::axon
