#include "tools/mlos-conformance/case_discovery.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

namespace mlos::conformance {
namespace fs = std::filesystem;
namespace {

constexpr const char* kTestDataRoot = "/usr/share/libonnx-testdata/data";

bool IsCase(const fs::path& directory) {
  std::error_code error;
  return fs::is_regular_file(directory / "model.onnx", error);
}

Case MakeCase(const fs::path& directory) {
  const fs::path absolute = fs::absolute(directory).lexically_normal();
  // A trailing '/' leaves an empty filename; step up to the directory itself.
  const fs::path clean = absolute.has_filename() ? absolute : absolute.parent_path();
  Case test_case;
  test_case.folder = clean.parent_path().filename().string();
  test_case.name = test_case.folder + "/" + clean.filename().string();
  test_case.directory = clean.string();
  test_case.model = (clean / "model.onnx").string();
  return test_case;
}

// Entries named <prefix><N><suffix> in `directory`, in N order; a gap is an error.
StatusOr<std::vector<std::string>> NumberedEntries(const fs::path& directory,
                                                   const std::string& prefix,
                                                   const std::string& suffix) {
  std::map<int, std::string> numbered;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
        !name.ends_with(suffix))
      continue;
    const std::string digits =
        name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    int index = 0;
    const auto [end, parse_error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (parse_error != std::errc() || end != digits.data() + digits.size()) continue;
    numbered[index] = entry.path().string();
  }
  if (error) return NotFound("cannot list '" + directory.string() + "': " + error.message());
  std::vector<std::string> files;
  for (const auto& [index, path] : numbered) {
    if (index != static_cast<int>(files.size())) {
      const std::string missing = prefix + std::to_string(files.size()) + suffix;
      return InvalidArgument("no " + missing + " in " + directory.string());
    }
    files.push_back(path);
  }
  return files;
}

}  // namespace

std::vector<std::string> DefaultCaseDirectories() {
  std::vector<std::string> directories;
  for (const char* folder : {"node", "pytorch-converted", "pytorch-operator", "simple"})
    directories.push_back(std::string(kTestDataRoot) + "/" + folder);
  return directories;
}

StatusOr<std::vector<Case>> DiscoverCases(const std::vector<std::string>& directories) {
  std::map<std::string, Case> cases;
  for (const std::string& directory : directories) {
    std::error_code error;
    if (IsCase(directory)) {
      Case test_case = MakeCase(directory);
      cases.emplace(test_case.name, std::move(test_case));
      continue;
    }
    if (!fs::is_directory(directory, error))
      return NotFound("'" + directory + "' is neither a case (with model.onnx) nor a folder");
    for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
      if (!IsCase(entry.path())) continue;
      Case test_case = MakeCase(entry.path());
      cases.emplace(test_case.name, std::move(test_case));
    }
    if (error) return NotFound("cannot list '" + directory + "': " + error.message());
  }
  std::vector<Case> sorted;
  for (auto& [name, test_case] : cases) sorted.push_back(std::move(test_case));
  return sorted;
}

StatusOr<std::vector<DataSet>> ListDataSets(const Case& test_case) {
  ASSIGN_OR_RETURN(const std::vector<std::string> folders,
                   NumberedEntries(test_case.directory, "test_data_set_", ""));
  if (folders.empty()) return NotFound("'" + test_case.directory + "' has no test_data_set_0");
  std::vector<DataSet> data_sets;
  for (const std::string& folder : folders) {
    DataSet data_set;
    ASSIGN_OR_RETURN(data_set.inputs, NumberedEntries(folder, "input_", ".pb"));
    ASSIGN_OR_RETURN(data_set.outputs, NumberedEntries(folder, "output_", ".pb"));
    data_sets.push_back(std::move(data_set));
  }
  return data_sets;
}

}  // namespace mlos::conformance
