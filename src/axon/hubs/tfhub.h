// TF Hub adapter: resolves `tfhub/<publisher>/<model path...>/<version>` (alias `tf/`) to a
// RemoteModel the way tensorflow_hub's resolver fetches a tfhub.dev handle: GET
// <endpoint>/<handle>?tf-hub-format=compressed, a tar.gz of the model, following the redirects
// (tfhub.dev now sends these to Kaggle Models and its storage).
//
// Endpoint: TFHUB_ENDPOINT (axon's own variable: tensorflow_hub has none for the host), else
// axon's tfhub.endpoint (default https://tfhub.dev). No credentials: TF Hub models are public.
// Version: a TF Hub handle ends with its version number, which is the model id's last name
// segment ("tfhub/google/imagenet/mobilenet_v2_100_224/classification/5"); a name without one
// takes it from @<version> ("tfhub/google/movenet/singlepose/lightning@4"). "latest" is refused:
// tfhub.dev serves compressed models only by version. The version is recorded as source.commit.
// A HEAD request first turns 404/403 into clear errors and gives the archive's size. Almost every
// TF Hub model is a TensorFlow SavedModel, which ArchiveModelPrepare refuses with the reason
// (no TensorFlow in Debian); models that also ship ONNX install.
#pragma once

#include <string>

#include "axon/download.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "common/status.h"

namespace mlos::axon {

struct TfHubConfig {
  std::string endpoint = "https://tfhub.dev";  // no trailing '/'
};

TfHubConfig TfHubConfigFromEnvironment(
    const std::string& default_endpoint = TfHubConfig().endpoint);

struct TfHubHandle {
  std::string path{};     // "google/imagenet/mobilenet_v2_100_224/classification" (no version)
  std::string version{};  // "5"
};

// The handle of `ref` (rules above); InvalidArgument says what is missing or contradictory.
StatusOr<TfHubHandle> ParseTfHubHandle(const ModelRef& ref);

// <endpoint>/<path>/<version>?tf-hub-format=compressed
std::string TfHubCompressedUrl(const TfHubConfig& config, const TfHubHandle& handle);

// 404 NotFound (no such model or version), 401/403 FailedPrecondition, 5xx Unavailable, else
// InvalidArgument; each names the handle.
Status TfHubReplyError(const HttpReply& reply, const std::string& model);

// The RemoteModel for `handle` with the archive's `size` (0: unknown). Pure.
RemoteModel TfHubRemoteModel(const TfHubConfig& config, const ModelRef& ref,
                             const TfHubHandle& handle, uint64_t size,
                             FormatWanted format = FormatWanted::kAuto);

// HEAD of the compressed model (FetchUrl), then the model to download.
StatusOr<RemoteModel> ResolveTfHub(const ModelRef& ref, const TfHubConfig& config,
                                   FormatWanted format = FormatWanted::kAuto);

}  // namespace mlos::axon
