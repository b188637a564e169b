#include "axon/package_check.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "axon/sha256.h"
#include "axon/store.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

bool IsHidden(const fs::path& relative) {
  return std::any_of(relative.begin(), relative.end(),
                     [](const fs::path& part) { return part.string().starts_with('.'); });
}

void FindUnlisted(const std::string& dir, const Manifest& manifest,
                  std::vector<FileProblem>& problems) {
  std::set<std::string> listed{kManifestFileName};
  for (const ManifestFile& file : manifest.files) listed.insert(file.path);
  std::error_code error;
  fs::recursive_directory_iterator it(dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    const fs::path relative = it->path().lexically_relative(dir);
    if (IsHidden(relative)) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(error)) continue;
    if (!listed.contains(relative.generic_string())) {
      FileProblem problem;
      problem.kind = FileProblem::Kind::kUnlisted;
      problem.path = relative.generic_string();
      problems.push_back(std::move(problem));
    }
  }
  if (error) {
    FileProblem problem;
    problem.kind = FileProblem::Kind::kUnreadable;
    problem.path = ".";
    problem.detail = "cannot list " + dir + ": " + error.message();
    problems.push_back(std::move(problem));
  }
}

}  // namespace

std::vector<FileProblem> CheckPackageFiles(const std::string& dir, const Manifest& manifest,
                                           Progress& progress) {
  std::vector<FileProblem> problems;
  for (const ManifestFile& file : manifest.files) {
    FileProblem problem;
    problem.path = file.path;
    problem.expected_size = file.size;
    problem.expected_sha256 = file.sha256;
    const std::string path = dir + "/" + file.path;
    std::error_code error;
    const fs::file_status status = fs::symlink_status(path, error);
    if (!fs::exists(status)) {
      problem.kind = FileProblem::Kind::kMissing;
      problems.push_back(std::move(problem));
      continue;
    }
    if (!fs::is_regular_file(status)) {
      problem.kind = FileProblem::Kind::kNotRegular;
      problems.push_back(std::move(problem));
      continue;
    }
    problem.actual_size = fs::file_size(path, error);
    if (!error && problem.actual_size != file.size) {
      problem.kind = FileProblem::Kind::kSize;
      problems.push_back(std::move(problem));
      continue;
    }
    StatusOr<std::string> digest =
        Sha256File(path, progress.Track("verifying " + file.path, file.size));
    progress.Clear();
    if (!digest.ok()) {
      problem.kind = FileProblem::Kind::kUnreadable;
      problem.detail = digest.status().message();
      problems.push_back(std::move(problem));
    } else if (*digest != file.sha256) {
      problem.kind = FileProblem::Kind::kSha256;
      problem.actual_sha256 = *digest;
      problems.push_back(std::move(problem));
    }
  }
  FindUnlisted(dir, manifest, problems);
  std::sort(problems.begin(), problems.end(),
            [](const FileProblem& a, const FileProblem& b) { return a.path < b.path; });
  return problems;
}

std::string DescribeProblem(const FileProblem& problem) {
  const std::string& p = problem.path;
  switch (problem.kind) {
    case FileProblem::Kind::kMissing:
      return p + ": missing (the manifest lists " + std::to_string(problem.expected_size) +
             " bytes, sha256 " + problem.expected_sha256 + ")";
    case FileProblem::Kind::kNotRegular:
      return p + ": not a regular file (a link, directory or device)";
    case FileProblem::Kind::kUnreadable:
      return p + ": unreadable: " + problem.detail;
    case FileProblem::Kind::kSize:
      return p + ": size is " + std::to_string(problem.actual_size) + " bytes, the manifest says " +
             std::to_string(problem.expected_size);
    case FileProblem::Kind::kSha256:
      return p + ": sha256 is " + problem.actual_sha256 + ", the manifest says " +
             problem.expected_sha256;
    case FileProblem::Kind::kUnlisted:
      return p + ": not listed in the manifest";
  }
  return p;
}

const char* ProblemKindName(FileProblem::Kind kind) {
  switch (kind) {
    case FileProblem::Kind::kMissing:
      return "missing";
    case FileProblem::Kind::kNotRegular:
      return "not_regular";
    case FileProblem::Kind::kUnreadable:
      return "unreadable";
    case FileProblem::Kind::kSize:
      return "size";
    case FileProblem::Kind::kSha256:
      return "sha256";
    case FileProblem::Kind::kUnlisted:
      return "unlisted";
  }
  return "unknown";
}

}  // namespace mlos::axon
