#include "axon/hubs/pytorch_conversion.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "axon/hubs/pytorch_hub.h"
#include "axon/hubs/torch_converter.h"
#include "axon/sha256.h"

namespace mlos::axon {
namespace {

namespace fs = std::filesystem;

// Entry points that download weight after weight are converted in rounds; this many at most.
constexpr int kMaxWeightRounds = 8;

std::string Joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

Status CheckWeightsFile(const std::string& path, const std::string& url,
                        const std::optional<std::string>& hash_prefix) {
  if (!hash_prefix) return Status::Ok();
  ASSIGN_OR_RETURN(const std::string sha256, Sha256File(path));
  return CheckWeightHashPrefix(url, sha256, hash_prefix);
}

// Downloads weights the entry asked for beyond the RemoteModel's files into `folder`.
StatusOr<std::string> DownloadMoreWeights(const PyTorchConversion& conversion,
                                          const TorchHubWeights& weights, const std::string& folder,
                                          Progress& progress) {
  ASSIGN_OR_RETURN(const std::string package_path, WeightPackagePath(weights.url));
  ASSIGN_OR_RETURN(const std::string from, conversion.download_url(weights.url));
  const std::string destination = (fs::path(folder) / package_path).string();
  std::error_code error;
  fs::create_directories(fs::path(destination).parent_path(), error);
  if (error) return Internal("cannot create " + destination + ": " + error.message());
  const ByteProgress shown = progress.Track("downloading " + package_path, 0);
  DownloadFile file;
  file.url = from;
  file.destination = destination;
  file.label = package_path;
  RETURN_IF_ERROR(DownloadFiles({file}, conversion.download_options,
                                [&](const std::string&, uint64_t done, uint64_t) {
                                  if (shown) shown(done);
                                })
                      .status());
  progress.Clear();
  RETURN_IF_ERROR(CheckWeightsFile(destination, weights.url, weights.hash_prefix));
  return destination;
}

std::string FormatTitle(const std::string& format) {
  return format == "onnx" ? "ONNX" : "TorchScript";
}

class Converter {
 public:
  Converter(const PyTorchConversion& conversion, const std::string& staging,
            const std::string& work_dir, Progress& progress)
      : conversion_(conversion), work_dir_(work_dir), progress_(progress) {
    for (const PyTorchConversion::Weights& weights : conversion.weights) {
      local_weights_[weights.url] = (fs::path(staging) / weights.path).string();
    }
  }

  StatusOr<PreparedPackage> Run() {
    for (const auto& weights : conversion_.weights) {
      RETURN_IF_ERROR(
          CheckWeightsFile(local_weights_[weights.url], weights.url, weights.hash_prefix)
              .WithContext(conversion_.model));
    }
    std::vector<std::string> formats = conversion_.formats;
    while (!formats.empty()) {
      ASSIGN_OR_RETURN(const ConverterReply reply, Convert(formats));
      if (!reply.ok) break;
      for (const std::string& reason : reply.reasons) reasons_.push_back(reason);
      const std::string made = reply.format;
      if (made == "torchscript") return Package(reply, "model.pt");
      const Status reproduces =
          CheckOnnxReproduces((fs::path(reply.directory) / "model.onnx").string(), reply);
      if (reproduces.ok()) return Package(reply, "model.onnx");
      reasons_.push_back("onnx: the export does not run like PyTorch in MLOS's engine: " +
                         reproduces.message());
      formats.erase(formats.begin(), std::find(formats.begin(), formats.end(), made) + 1);
    }
    return InvalidArgument(conversion_.model + ": cannot convert the model to " +
                           Joined(Titles(), " or ") + ": " + Joined(reasons_, "; "));
  }

 private:
  std::vector<std::string> Titles() const {
    std::vector<std::string> titles;
    for (const std::string& format : conversion_.formats) titles.push_back(FormatTitle(format));
    return titles;
  }

  // Runs the converter until it needs no more weights; a failed reply adds its reasons.
  StatusOr<ConverterReply> Convert(const std::vector<std::string>& formats) {
    for (int round = 0; round < kMaxWeightRounds; ++round) {
      ConverterRequest request;
      request.mode = "convert";
      request.repo_dir = conversion_.repo_dir;
      request.entry = conversion_.entry;
      request.entry_kwargs_json = conversion_.entry_kwargs_json;
      request.weights = local_weights_;
      request.formats = formats;
      request.input_shape = conversion_.input_shape;
      request.out_dir = work_dir_ + "/out";
      const std::string run_dir = work_dir_ + "/run";
      std::error_code error;
      fs::remove_all(run_dir, error);
      fs::create_directories(run_dir, error);
      if (error) return Internal("cannot create " + run_dir + ": " + error.message());
      const ByteProgress shown = progress_.Track(
          "converting " + conversion_.model + " to " + FormatTitle(formats.front()), 0);
      if (shown) shown(0);
      StatusOr<ConverterReply> reply = RunTorchConverter(request, run_dir);
      progress_.Clear();
      if (!reply.ok()) return reply.status().WithContext(conversion_.model);
      if (reply->needs) {
        if (local_weights_.contains(reply->needs->url)) {
          return Internal(conversion_.model + ": the converter asked again for " +
                          reply->needs->url);
        }
        ASSIGN_OR_RETURN(local_weights_[reply->needs->url],
                         DownloadMoreWeights(conversion_, *reply->needs, work_dir_ + "/more",
                                             progress_));
        continue;
      }
      if (!reply->ok) {
        for (const std::string& reason : reply->reasons) reasons_.push_back(reason);
        if (reply->reasons.empty()) reasons_.push_back(reply->error);
      }
      return reply;
    }
    return InvalidArgument(conversion_.model + ": the entry point downloads more than " +
                           std::to_string(kMaxWeightRounds) + " weight files");
  }

  PreparedPackage Package(const ConverterReply& reply, const std::string& execution_file) const {
    PreparedPackage package;
    package.dir = reply.directory;
    package.files = reply.files;
    package.format = reply.format;
    package.framework = "pytorch";
    package.execution_files = {{execution_file, "single"}};
    return package;
  }

  const PyTorchConversion& conversion_;
  const std::string work_dir_;
  Progress& progress_;
  std::map<std::string, std::string> local_weights_;
  std::vector<std::string> reasons_;
};

}  // namespace

StatusOr<std::shared_ptr<TemporaryFolder>> TemporaryFolder::Create(const std::string& prefix) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir != nullptr && tmpdir[0] != '\0' ? tmpdir : "/tmp") + "/" +
                     prefix + "XXXXXX";
  if (::mkdtemp(path.data()) == nullptr) {
    return Internal("cannot create a temporary folder " + path + ": " + std::strerror(errno));
  }
  return std::shared_ptr<TemporaryFolder>(new TemporaryFolder(path));
}

TemporaryFolder::~TemporaryFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

PrepareFn PyTorchConversionPrepare(PyTorchConversion conversion) {
  return [conversion = std::move(conversion)](const std::string& staging,
                                              const std::string& work_dir,
                                              Progress& progress) -> StatusOr<PreparedPackage> {
    return Converter(conversion, staging, work_dir, progress).Run();
  };
}

}  // namespace mlos::axon
