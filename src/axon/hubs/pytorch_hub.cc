#include "axon/hubs/pytorch_hub.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "axon/hubs/hub_file_path.h"
#include "axon/hubs/hub_text.h"
#include "axon/hubs/pytorch_conversion.h"
#include "axon/hubs/torch_converter.h"
#include "axon/package_archive.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultBranchRevision[] = "latest";
constexpr char kDefaultOwner[] = "pytorch";

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

StatusOr<nlohmann::json> ParseObject(const std::string& body, const std::string& url) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return InvalidArgument("unexpected reply from " + url + ": not a JSON object");
  return json;
}

HttpHeaders ApiHeaders(const PyTorchHubConfig& config) {
  HttpHeaders headers = {{"Accept", "application/vnd.github+json"}};
  if (!config.github_token.empty()) {
    headers.push_back({"Authorization", "Bearer " + config.github_token});
  }
  return headers;
}

StatusOr<std::string> FetchGitHub(const PyTorchHubConfig& config, const std::string& url,
                                  const std::string& what,
                                  StatusOr<std::string> (*parse)(const std::string&,
                                                                 const std::string&)) {
  FetchOptions options;
  options.headers = ApiHeaders(config);
  ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(url, options));
  if (reply.status != 200) return GitHubReplyError(reply, what);
  return parse(reply.body, url);
}

// The one folder an archive unpacked into (GitHub's "<owner>-<repo>-<sha>/"), else `dir` itself.
std::string ArchiveRoot(const std::string& dir) {
  std::vector<fs::path> entries;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    entries.push_back(entry.path());
  }
  if (entries.size() == 1 && fs::is_directory(entries.front(), error)) {
    return entries.front().string();
  }
  return dir;
}

// Downloads and unpacks the source archive of `commit`; returns the repository's folder.
StatusOr<std::string> FetchRepository(const PyTorchHubConfig& config, const PyTorchHubEntry& entry,
                                      const std::string& commit, const std::string& workspace) {
  const std::string archive = workspace + "/source.zip";
  DownloadOptions options;
  options.parallel_files = 1;
  options.part_bytes = static_cast<uint64_t>(config.part_mib) << 20;
  DownloadFile file;
  file.url = GitHubZipballUrl(config, entry, commit);
  file.destination = archive;
  file.label = entry.FullRepo() + " source archive";
  RETURN_IF_ERROR(DownloadFiles({file}, options)
                      .status()
                      .WithContext("downloading " + entry.FullRepo() + "@" + commit));
  const std::string extracted = workspace + "/source";
  std::error_code error;
  fs::create_directories(extracted, error);
  if (error) return Internal("cannot create " + extracted + ": " + error.message());
  RETURN_IF_ERROR(ExtractPackageArchive(archive, extracted)
                      .WithContext(entry.FullRepo() + "@" + commit + " source archive"));
  fs::remove(archive, error);
  const std::string root = ArchiveRoot(extracted);
  if (!fs::is_regular_file(root + "/hubconf.py", error)) {
    return InvalidArgument(entry.FullRepo() + "@" + commit +
                           " has no hubconf.py at its root: not a PyTorch Hub repository");
  }
  return root;
}

std::string EntryList(const std::vector<std::string>& entries) {
  std::string text;
  for (const std::string& entry : entries) text += (text.empty() ? "" : ", ") + entry;
  return text.empty() ? "(none)" : text;
}

}  // namespace

StatusOr<PyTorchHubConfig> PyTorchHubConfigFromEnvironment(const AxonConfig& config) {
  PyTorchHubConfig hub;
  const auto& values = config.values();
  hub.github_endpoint = WithoutTrailingSlash(
      EnvironmentOr("AXON_PYTORCH_GITHUB_ENDPOINT", values.at("pytorch.github_endpoint")));
  hub.github_api_endpoint = WithoutTrailingSlash(EnvironmentOr(
      "AXON_PYTORCH_GITHUB_API_ENDPOINT", values.at("pytorch.github_api_endpoint")));
  hub.weights_mirror = WithoutTrailingSlash(
      EnvironmentOr("AXON_PYTORCH_WEIGHTS_MIRROR", values.at("pytorch.weights_mirror")));
  hub.github_token = EnvironmentOr("GITHUB_TOKEN", "");
  hub.entry_kwargs_json = EnvironmentOr("AXON_PYTORCH_ENTRY_KWARGS", "");
  if (!hub.entry_kwargs_json.empty() &&
      !nlohmann::json::parse(hub.entry_kwargs_json, nullptr, false).is_object()) {
    return InvalidArgument("AXON_PYTORCH_ENTRY_KWARGS is not a JSON object: " +
                           hub.entry_kwargs_json);
  }
  if (const std::string shape = EnvironmentOr("AXON_PYTORCH_INPUT_SHAPE", ""); !shape.empty()) {
    StatusOr<std::vector<int64_t>> parsed = ParseInputShape(shape);
    if (!parsed.ok()) return parsed.status().WithContext("AXON_PYTORCH_INPUT_SHAPE");
    hub.input_shape = std::move(*parsed);
  }
  hub.parallel_files = config.parallel_files();
  hub.part_mib = config.part_mib();
  return hub;
}

StatusOr<PyTorchHubEntry> ParsePyTorchHubEntry(const ModelRef& ref) {
  const std::vector<std::string> parts = Split(ref.name, '/');
  if (parts.size() == 2) return PyTorchHubEntry{kDefaultOwner, parts[0], parts[1]};
  if (parts.size() == 3) return PyTorchHubEntry{parts[0], parts[1], parts[2]};
  return InvalidArgument("model id \"" + ref.id() + "\": a PyTorch Hub model is " +
                         ref.namespace_ + "/<repo>/<entry> (a repository of github.com/pytorch, "
                         "e.g. pytorch/vision/resnet50) or " + ref.namespace_ +
                         "/<owner>/<repo>/<entry>");
}

std::string GitHubRepoApiUrl(const PyTorchHubConfig& config, const PyTorchHubEntry& entry) {
  return config.github_api_endpoint + "/repos/" + entry.FullRepo();
}

std::string GitHubCommitApiUrl(const PyTorchHubConfig& config, const PyTorchHubEntry& entry,
                               const std::string& ref) {
  return GitHubRepoApiUrl(config, entry) + "/commits/" + ref;
}

std::string GitHubZipballUrl(const PyTorchHubConfig& config, const PyTorchHubEntry& entry,
                             const std::string& commit) {
  return config.github_endpoint + "/" + entry.FullRepo() + "/zipball/" + commit;
}

StatusOr<std::string> ParseGitHubDefaultBranch(const std::string& body, const std::string& url) {
  ASSIGN_OR_RETURN(const nlohmann::json json, ParseObject(body, url));
  const auto branch = json.find("default_branch");
  if (branch == json.end() || !branch->is_string() || branch->get<std::string>().empty()) {
    return InvalidArgument("unexpected reply from " + url + ": no \"default_branch\"");
  }
  return branch->get<std::string>();
}

StatusOr<std::string> ParseGitHubCommitSha(const std::string& body, const std::string& url) {
  ASSIGN_OR_RETURN(const nlohmann::json json, ParseObject(body, url));
  const auto sha = json.find("sha");
  if (sha == json.end() || !sha->is_string() || sha->get<std::string>().size() != 40 ||
      !IsLowerHex(sha->get<std::string>())) {
    return InvalidArgument("unexpected reply from " + url + ": \"sha\" is not a 40-hex commit");
  }
  return sha->get<std::string>();
}

Status GitHubReplyError(const HttpReply& reply, const std::string& what) {
  const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  const std::string says = body.is_object() && body.contains("message") &&
                                   body["message"].is_string()
                               ? " (GitHub says: " + body["message"].get<std::string>() + ")"
                               : "";
  const std::string status = "HTTP " + std::to_string(reply.status);
  const auto remaining = reply.headers.find("x-ratelimit-remaining");
  const bool rate_limited = reply.status == 429 || (reply.status == 403 &&
                                                     remaining != reply.headers.end() &&
                                                     remaining->second == "0");
  if (rate_limited) {
    return Unavailable("GitHub's API rate limit is spent (" + status + ") asking for " + what +
                       says + "; set GITHUB_TOKEN to a GitHub token for a higher limit");
  }
  if (reply.status == 404 || reply.status == 422) {
    return NotFound("GitHub has no " + what + " (" + status + ")" + says);
  }
  if (reply.status == 401 || reply.status == 403) {
    return FailedPrecondition("GitHub refused access to " + what + " (" + status + ")" + says +
                              "; a private repository needs GITHUB_TOKEN");
  }
  const std::string message = "GitHub answered " + status + " for " + what + says;
  return reply.status >= 500 ? Unavailable(message) : InvalidArgument(message);
}

StatusOr<std::string> WeightDownloadUrl(const PyTorchHubConfig& config, const std::string& url) {
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  const std::string rest = scheme_end == std::string::npos ? "" : url.substr(scheme_end + 3);
  if ((scheme != "http" && scheme != "https") || rest.empty() || rest.front() == '/' ||
      std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return InvalidArgument("the entry point downloads weights from \"" + url +
                           "\", which is not an http:// or https:// URL");
  }
  if (config.weights_mirror.empty()) return url;
  return config.weights_mirror + "/" + rest;
}

StatusOr<std::string> WeightPackagePath(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const size_t slash = path.find_last_of('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string package_path = "weights/" + name;
  RETURN_IF_ERROR(CheckHubFilePath(package_path).WithContext("weights URL " + url));
  return package_path;
}

Status CheckWeightHashPrefix(const std::string& url, const std::string& sha256,
                             const std::optional<std::string>& hash_prefix) {
  if (!hash_prefix) return Status::Ok();
  if (hash_prefix->size() > 64 || !IsLowerHex(*hash_prefix)) {
    return InvalidArgument("weights " + url + ": hash prefix \"" + *hash_prefix +
                           "\" is not lower-case hex");
  }
  if (!sha256.starts_with(*hash_prefix)) {
    return InvalidArgument("weights " + url + " fail torch.hub's hash check: the file name says " +
                           "its sha256 starts with " + *hash_prefix + ", the download's is " +
                           sha256);
  }
  return Status::Ok();
}

std::vector<std::string> ConversionFormats(FormatWanted format) {
  switch (format) {
    case FormatWanted::kAuto:
      return {"onnx", "torchscript"};
    case FormatWanted::kOnnx:
      return {"onnx"};
    case FormatWanted::kTorchScript:
    case FormatWanted::kNative:
      return {"torchscript"};
  }
  return {"onnx", "torchscript"};
}

StatusOr<std::vector<int64_t>> ParseInputShape(const std::string& text) {
  std::vector<int64_t> shape;
  for (const std::string& part : Split(text, ',')) {
    int64_t dim = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), dim);
    if (error != std::errc() || end != part.data() + part.size() || dim <= 0) {
      return InvalidArgument("input shape \"" + text +
                             "\": expected positive integers separated by commas, e.g. "
                             "1,3,224,224");
    }
    shape.push_back(dim);
  }
  if (shape.size() > 8) return InvalidArgument("input shape \"" + text + "\": more than 8 dims");
  return shape;
}

StatusOr<RemoteModel> ResolvePyTorchHub(const ModelRef& ref, const PyTorchHubConfig& config,
                                        FormatWanted format) {
  ASSIGN_OR_RETURN(const PyTorchHubEntry entry, ParsePyTorchHubEntry(ref));
  std::string git_ref = ref.version;
  if (git_ref == kDefaultBranchRevision) {
    ASSIGN_OR_RETURN(git_ref, FetchGitHub(config, GitHubRepoApiUrl(config, entry),
                                          "repository " + entry.FullRepo(),
                                          &ParseGitHubDefaultBranch));
  }
  ASSIGN_OR_RETURN(const std::string commit,
                   FetchGitHub(config, GitHubCommitApiUrl(config, entry, git_ref),
                               "branch, tag or commit \"" + git_ref + "\" in repository " +
                                   entry.FullRepo(),
                               &ParseGitHubCommitSha));

  ASSIGN_OR_RETURN(std::shared_ptr<TemporaryFolder> workspace,
                   TemporaryFolder::Create("axon-pytorch-hub-"));
  ASSIGN_OR_RETURN(const std::string repo_dir,
                   FetchRepository(config, entry, commit, workspace->path()));

  // Which weights does the entry download? (The converter stops it at its first download.)
  const std::string discover_dir = workspace->path() + "/discover";
  std::error_code error;
  fs::create_directories(discover_dir, error);
  if (error) return Internal("cannot create " + discover_dir + ": " + error.message());
  ConverterRequest request;
  request.mode = "discover";
  request.repo_dir = repo_dir;
  request.entry = entry.entry;
  request.entry_kwargs_json = config.entry_kwargs_json;
  const std::string model = ref.id();
  StatusOr<ConverterReply> discovered = RunTorchConverter(request, discover_dir);
  if (!discovered.ok()) return discovered.status().WithContext(model);
  const ConverterReply& reply = *discovered;
  if (reply.unknown_entry) {
    return NotFound(model + ": " + entry.FullRepo() + "@" + commit + " has no entry point \"" +
                    entry.entry + "\"; its hubconf.py has: " + EntryList(reply.entries));
  }
  if (!reply.ok) return InvalidArgument(model + ": " + reply.error);

  PyTorchConversion conversion;
  conversion.model = model;
  conversion.workspace = workspace;
  conversion.repo_dir = repo_dir;
  conversion.entry = entry.entry;
  conversion.entry_kwargs_json = config.entry_kwargs_json;
  conversion.input_shape = config.input_shape;
  conversion.formats = ConversionFormats(format);
  conversion.download_url = [config](const std::string& url) {
    return WeightDownloadUrl(config, url);
  };
  conversion.download_options.parallel_files = config.parallel_files;
  conversion.download_options.part_bytes = static_cast<uint64_t>(config.part_mib) << 20;

  RemoteModel remote;
  remote.source = {"pytorch", entry.FullRepo() + "/" + entry.entry, ref.version, commit};
  remote.format = conversion.formats.front();
  remote.execution_files = {{remote.format == "onnx" ? "model.onnx" : "model.pt", "single"}};
  for (const TorchHubWeights& weights : reply.weights) {
    ASSIGN_OR_RETURN(const std::string path, WeightPackagePath(weights.url));
    ASSIGN_OR_RETURN(const std::string url, WeightDownloadUrl(config, weights.url));
    RemoteFile file;
    file.path = path;
    file.url = url;
    remote.files.push_back(std::move(file));
    conversion.weights.push_back({weights.url, path, weights.hash_prefix});
  }
  remote.prepare = PyTorchConversionPrepare(std::move(conversion));
  return remote;
}

}  // namespace mlos::axon
