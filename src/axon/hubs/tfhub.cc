#include "axon/hubs/tfhub.h"

#include <algorithm>
#include <charconv>

#include "axon/hubs/archive_model.h"
#include "axon/hubs/hub_text.h"
#include "axon/hubs/url_encoding.h"

namespace mlos::axon {
namespace {

constexpr char kArchiveName[] = "tfhub-model.tar.gz";

bool IsVersionNumber(std::string_view text) {
  return !text.empty() && text.size() <= 9 && text.front() != '0' &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint64_t ContentLength(const HttpReply& reply) {
  const auto it = reply.headers.find("content-length");
  if (it == reply.headers.end()) return 0;
  uint64_t size = 0;
  const auto [end, error] =
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), size);
  return error == std::errc() && end == it->second.data() + it->second.size() ? size : 0;
}

}  // namespace

TfHubConfig TfHubConfigFromEnvironment(const std::string& default_endpoint) {
  return {WithoutTrailingSlash(EnvironmentOr("TFHUB_ENDPOINT", default_endpoint))};
}

StatusOr<TfHubHandle> ParseTfHubHandle(const ModelRef& ref) {
  const size_t slash = ref.name.rfind('/');
  const std::string last = slash == std::string::npos ? ref.name : ref.name.substr(slash + 1);
  if (slash != std::string::npos && IsVersionNumber(last)) {
    if (ref.version != "latest" && ref.version != last) {
      return InvalidArgument("model id \"" + ref.id() + "\": the handle names version " + last +
                             " and @ names " + ref.version + "; give one");
    }
    const TfHubHandle handle{ref.name.substr(0, slash), last};
    if (handle.path.find('/') == std::string::npos) {
      return InvalidArgument("model id \"" + ref.id() +
                             "\": a TF Hub handle is tfhub/<publisher>/<model path>/<version>");
    }
    return handle;
  }
  if (ref.name.find('/') == std::string::npos) {
    return InvalidArgument("model id \"" + ref.id() +
                           "\": a TF Hub handle is tfhub/<publisher>/<model path>/<version>");
  }
  if (!IsVersionNumber(ref.version)) {
    return InvalidArgument("model id \"" + ref.id() +
                           "\": a TF Hub model needs its version number, as the last part of the "
                           "handle (tfhub/<publisher>/<model path>/<version>) or as @<version>");
  }
  return TfHubHandle{ref.name, ref.version};
}

std::string TfHubCompressedUrl(const TfHubConfig& config, const TfHubHandle& handle) {
  return config.endpoint + "/" + PercentEncode(handle.path, true) + "/" + handle.version +
         "?tf-hub-format=compressed";
}

Status TfHubReplyError(const HttpReply& reply, const std::string& model) {
  const std::string shown = "HTTP " + std::to_string(reply.status);
  if (reply.status == 404) {
    return NotFound("TF Hub has no model " + model + " (" + shown +
                    "): check the publisher, the model path and the version on tfhub.dev or "
                    "kaggle.com/models");
  }
  if (reply.status == 401 || reply.status == 403) {
    return FailedPrecondition("TF Hub refused access to " + model + " (" + shown +
                              "): the model is not public; TF Hub models that moved to Kaggle "
                              "Models install as kaggle/<owner>/<model>/<framework>/<variation> "
                              "with KAGGLE_USERNAME and KAGGLE_KEY");
  }
  const std::string message = "TF Hub answered " + shown + " for " + model;
  return reply.status >= 500 ? Unavailable(message) : InvalidArgument(message);
}

RemoteModel TfHubRemoteModel(const TfHubConfig& config, const ModelRef& ref,
                             const TfHubHandle& handle, uint64_t size, FormatWanted format) {
  const std::string model = "tfhub/" + handle.path + "/" + handle.version;
  RemoteModel remote;
  remote.source = {"tfhub", handle.path, ref.version, handle.version};
  remote.format = "onnx";  // what `prepare` finds decides
  remote.files.push_back({kArchiveName, TfHubCompressedUrl(config, handle), size, ""});
  ArchiveModel archive;
  archive.archive = kArchiveName;
  archive.model = model;
  archive.format = format;
  remote.prepare = ArchiveModelPrepare(std::move(archive));
  return remote;
}

StatusOr<RemoteModel> ResolveTfHub(const ModelRef& ref, const TfHubConfig& config,
                                   FormatWanted format) {
  ASSIGN_OR_RETURN(const TfHubHandle handle, ParseTfHubHandle(ref));
  FetchOptions options;
  options.head_only = true;
  ASSIGN_OR_RETURN(const HttpReply reply, FetchUrl(TfHubCompressedUrl(config, handle), options));
  if (reply.status != 200) {
    return TfHubReplyError(reply, "tfhub/" + handle.path + "/" + handle.version);
  }
  return TfHubRemoteModel(config, ref, handle, ContentLength(reply), format);
}

}  // namespace mlos::axon
