#include "axon/hubs/torch_converter.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/session.h"

extern char** environ;

namespace mlos::axon {

// torch_converter.py, embedded by src/axon/CMakeLists.txt (cmake/EmbedText.cmake).
extern const char kTorchConverterScript[];

namespace {

namespace fs = std::filesystem;

constexpr char kDefaultPython[] = "/usr/bin/python3";
constexpr double kRelativeTolerance = 1e-3;
constexpr double kAbsoluteTolerance = 1e-4;
constexpr size_t kLogTailBytes = 3000;

StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Internal("cannot write " + path);
  return Status::Ok();
}

std::string LogTail(const std::string& log_path) {
  StatusOr<std::string> log = ReadText(log_path);
  if (!log.ok() || log->empty()) return "(no output)";
  std::string tail = log->size() > kLogTailBytes ? "..." + log->substr(log->size() - kLogTailBytes)
                                                 : *log;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return tail;
}

std::string PythonBinary() {
  const char* value = std::getenv("AXON_PYTORCH_PYTHON");
  return value != nullptr && value[0] != '\0' ? value : kDefaultPython;
}

// Runs `argv` in `cwd` with `environment`, stdin from /dev/null, stdout and stderr into
// `log_path`; returns the wait status.
StatusOr<int> Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                    const std::string& cwd, const std::string& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (const std::string& entry : environment) env.push_back(const_cast<char*>(entry.c_str()));
  env.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return FailedPrecondition("cannot run " + argv[0] + ": " + std::strerror(spawned) +
                              " (the PyTorch converter needs Debian's python3 and python3-torch)");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Internal(std::string("waitpid: ") + std::strerror(errno));
  }
  return status;
}

// The environment of the converter: ours, with torch's caches in the private folder.
std::vector<std::string> ConverterEnvironment(const std::string& torch_home) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("TORCH_HOME=") || text.starts_with("XDG_CACHE_HOME=")) continue;
    environment.emplace_back(text);
  }
  environment.push_back("TORCH_HOME=" + torch_home);
  environment.push_back("XDG_CACHE_HOME=" + torch_home);
  return environment;
}

nlohmann::json RequestJson(const ConverterRequest& request, const std::string& work_dir) {
  nlohmann::json json = {
      {"mode", request.mode},
      {"repo_dir", request.repo_dir},
      {"entry", request.entry},
      {"entry_kwargs", nullptr},
      {"torch_home", work_dir + "/torch-home"},
      {"reply", work_dir + "/reply.json"},
      {"weights", request.weights},
      {"formats", request.formats},
      {"input_shape", nullptr},
      {"out_dir", request.out_dir},
  };
  if (!request.entry_kwargs_json.empty()) {
    json["entry_kwargs"] = nlohmann::json::parse(request.entry_kwargs_json, nullptr, false);
  }
  if (!request.input_shape.empty()) json["input_shape"] = request.input_shape;
  return json;
}

StatusOr<TorchHubWeights> ParseWeights(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object() || !json.contains("url") || !json["url"].is_string()) {
    return InvalidArgument(where + ": a weights entry has no \"url\"");
  }
  TorchHubWeights weights{json["url"].get<std::string>(), std::nullopt};
  if (const auto prefix = json.find("hash_prefix"); prefix != json.end() && prefix->is_string()) {
    weights.hash_prefix = prefix->get<std::string>();
  }
  return weights;
}

StatusOr<std::vector<ProbeTensor>> ParseProbe(const nlohmann::json& list, const std::string& where) {
  std::vector<ProbeTensor> tensors;
  if (!list.is_array()) return InvalidArgument(where + ": the probe is not a list");
  for (const nlohmann::json& item : list) {
    if (!item.is_object() || !item.contains("name") || !item.contains("dtype") ||
        !item.contains("shape") || !item.contains("file") || !item["shape"].is_array()) {
      return InvalidArgument(where + ": a probe tensor lacks name, dtype, shape or file");
    }
    ProbeTensor tensor;
    tensor.name = item["name"].get<std::string>();
    const std::string dtype = item["dtype"].get<std::string>();
    if (dtype == "float32") {
      tensor.dtype = DataType::kFloat32;
    } else if (dtype == "int64") {
      tensor.dtype = DataType::kInt64;
    } else {
      return InvalidArgument(where + ": probe tensor " + tensor.name + " has dtype " + dtype);
    }
    for (const nlohmann::json& dim : item["shape"]) {
      if (!dim.is_number_integer() || dim.get<int64_t>() < 0) {
        return InvalidArgument(where + ": probe tensor " + tensor.name + " has a bad shape");
      }
      tensor.shape.push_back(dim.get<int64_t>());
    }
    tensor.file = item["file"].get<std::string>();
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

std::vector<std::string> StringList(const nlohmann::json& json, const char* key) {
  std::vector<std::string> list;
  if (const auto it = json.find(key); it != json.end() && it->is_array()) {
    for (const nlohmann::json& item : *it) {
      if (item.is_string()) list.push_back(item.get<std::string>());
    }
  }
  return list;
}

StatusOr<Tensor> ReadProbeTensor(const ProbeTensor& probe) {
  ASSIGN_OR_RETURN(const std::string bytes, ReadText(probe.file));
  Tensor tensor(probe.dtype, probe.shape);
  if (bytes.size() != tensor.byte_size()) {
    return InvalidArgument("probe " + probe.file + " holds " + std::to_string(bytes.size()) +
                           " bytes, not " + std::to_string(tensor.byte_size()));
  }
  std::memcpy(tensor.raw_data(), bytes.data(), bytes.size());
  return tensor;
}

// Empty when `got` matches `want` within the tolerance, else what differs.
std::string Difference(const Tensor& want, const Tensor& got) {
  if (want.shape() != got.shape() || want.dtype() != got.dtype()) {
    return "has shape " + ShapeToString(got.shape()) + " " + Name(got.dtype()) +
           " instead of " + ShapeToString(want.shape()) + " " + Name(want.dtype());
  }
  if (want.dtype() == DataType::kInt64) {
    const auto a = want.values<int64_t>();
    const auto b = got.values<int64_t>();
    return std::equal(a.begin(), a.end(), b.begin()) ? "" : "differs";
  }
  const auto expected = want.values<float>();
  const auto actual = got.values<float>();
  double scale = 1.0;
  for (const float v : expected) scale = std::max(scale, static_cast<double>(std::fabs(v)));
  double worst = 0.0;
  bool within = true;
  for (size_t i = 0; i < expected.size(); ++i) {
    const double difference = std::fabs(static_cast<double>(actual[i]) - expected[i]);
    worst = std::isnan(difference) ? INFINITY : std::max(worst, difference);
    if (!(difference <= kAbsoluteTolerance * scale + kRelativeTolerance * std::fabs(expected[i]))) {
      within = false;
    }
  }
  if (within) return "";
  std::ostringstream text;
  text << "differs from PyTorch's by up to " << worst;
  return text.str();
}

}  // namespace

StatusOr<ConverterReply> ParseConverterReply(const std::string& text, const std::string& where) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("ok") || !json["ok"].is_boolean()) {
    return InvalidArgument(where + ": not a converter reply (no \"ok\")");
  }
  ConverterReply reply;
  reply.ok = json["ok"].get<bool>();
  reply.entries = StringList(json, "entries");
  reply.reasons = StringList(json, "reasons");
  reply.files = StringList(json, "files");
  if (const auto error = json.find("error"); error != json.end() && error->is_string()) {
    reply.error = error->get<std::string>();
  }
  if (const auto unknown = json.find("unknown_entry"); unknown != json.end()) {
    reply.unknown_entry = unknown->is_boolean() && unknown->get<bool>();
  }
  if (const auto weights = json.find("weights"); weights != json.end() && weights->is_array()) {
    for (const nlohmann::json& item : *weights) {
      ASSIGN_OR_RETURN(TorchHubWeights parsed, ParseWeights(item, where));
      reply.weights.push_back(std::move(parsed));
    }
  }
  if (const auto needs = json.find("needs"); needs != json.end() && !needs->is_null()) {
    ASSIGN_OR_RETURN(reply.needs, ParseWeights(*needs, where));
  }
  if (const auto format = json.find("format"); format != json.end() && format->is_string()) {
    reply.format = format->get<std::string>();
    if (reply.format != "onnx" && reply.format != "torchscript") {
      return InvalidArgument(where + ": unknown format \"" + reply.format + "\"");
    }
    if (!json.contains("directory") || !json["directory"].is_string() || reply.files.empty() ||
        !json.contains("probe") || !json["probe"].is_object()) {
      return InvalidArgument(where + ": a converted model without directory, files or probe");
    }
    reply.directory = json["directory"].get<std::string>();
    ASSIGN_OR_RETURN(reply.probe_inputs, ParseProbe(json["probe"].value("inputs", nlohmann::json()),
                                                    where));
    ASSIGN_OR_RETURN(reply.probe_outputs,
                     ParseProbe(json["probe"].value("outputs", nlohmann::json()), where));
  }
  if (!reply.ok && reply.error.empty() && !reply.needs) {
    return InvalidArgument(where + ": a failed reply without \"error\"");
  }
  return reply;
}

StatusOr<ConverterReply> RunTorchConverter(const ConverterRequest& request,
                                           const std::string& work_dir) {
  const std::string script = work_dir + "/torch_converter.py";
  const std::string request_path = work_dir + "/request.json";
  const std::string reply_path = work_dir + "/reply.json";
  const std::string log_path = work_dir + "/converter.log";
  const std::string cwd = work_dir + "/cwd";
  std::error_code error;
  fs::remove(reply_path, error);
  fs::create_directories(cwd, error);
  if (!error) fs::create_directories(work_dir + "/torch-home", error);
  if (error) return Internal("cannot create " + cwd + ": " + error.message());
  RETURN_IF_ERROR(WriteText(script, kTorchConverterScript));
  RETURN_IF_ERROR(WriteText(request_path, RequestJson(request, work_dir).dump()));

  const std::string python = PythonBinary();
  ASSIGN_OR_RETURN(const int status,
                   Spawn({python, "-I", "-B", script, request_path},
                         ConverterEnvironment(work_dir + "/torch-home"), cwd, log_path));
  const bool exited = WIFEXITED(status);
  if (!exited || WEXITSTATUS(status) != 0 || !fs::exists(reply_path, error)) {
    const std::string tail = LogTail(log_path);
    if (tail.find("No module named 'torch'") != std::string::npos) {
      return FailedPrecondition(python + " has no torch: the PyTorch converter needs Debian's "
                                "python3-torch (scripts/install-deps.sh installs it)");
    }
    const std::string how = !exited ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                     : "exited with status " + std::to_string(WEXITSTATUS(status));
    return Internal("the PyTorch converter (" + python + ") " + how + ": " + tail);
  }
  ASSIGN_OR_RETURN(const std::string text, ReadText(reply_path));
  return ParseConverterReply(text, reply_path);
}

Status CheckOnnxReproduces(const std::string& model_path, const ConverterReply& reply) {
  ASSIGN_OR_RETURN(const std::unique_ptr<engine::Session> session,
                   engine::Session::Load(model_path, engine::SessionOptions{}));
  std::vector<engine::NamedTensor> inputs;
  for (const ProbeTensor& probe : reply.probe_inputs) {
    ASSIGN_OR_RETURN(Tensor tensor, ReadProbeTensor(probe));
    inputs.push_back({probe.name, std::move(tensor)});
  }
  std::vector<std::string> names;
  for (const ProbeTensor& probe : reply.probe_outputs) names.push_back(probe.name);
  ASSIGN_OR_RETURN(const std::vector<engine::NamedTensor> outputs, session->Run(inputs, names));
  for (size_t i = 0; i < names.size(); ++i) {
    ASSIGN_OR_RETURN(const Tensor expected, ReadProbeTensor(reply.probe_outputs[i]));
    const std::string difference = Difference(expected, outputs[i].tensor);
    if (!difference.empty()) {
      return InvalidArgument("output " + names[i] + " of the engine on the probe input " +
                             difference);
    }
  }
  return Status::Ok();
}

}  // namespace mlos::axon
