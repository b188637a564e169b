// The protocol-neutral model side of KServe v2 / Open Inference Protocol, shared by its REST
// (kserve_api.h) and gRPC (api/grpc/) front ends: how a model name and version address an MLOS
// model id, the versions of a name, the repository index and which load parameters MLOS refuses.
//
// Model names are MLOS model ids without the version ("namespace/name"); a name may also carry
// its version ("namespace/name@v"). A version given beside a name without '@' means name@v; no
// version at all means name@latest. Pure functions apart from reading the model manager;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "core/model_manager.h"

namespace mlos::core {

// "ns/name@v" -> {"ns/name", "v"}; an id without '@' -> {id, ""}.
std::pair<std::string, std::string> SplitModelId(const std::string& id);

// The model id that `name` (and `version`, when given) address; both already decoded.
// InvalidArgument for an empty name or version, or a name whose '@' version differs from
// `version`; `version_origin` says where that version came from ("the path asks for
// /versions/2").
StatusOr<std::string> ResolveKServeModelId(std::string_view name,
                                           std::optional<std::string_view> version,
                                           std::string_view version_origin);

// The versions registered under the name part of `id`, in List() order.
std::vector<std::string> KServeModelVersions(const ModelManager& models, const std::string& id);

// The shape a model's metadata reports for a declared tensor: the protocol has no "any rank", so
// an unknown rank reads [-1].
Shape KServeMetadataShape(const TensorSpec& spec);

// One entry of the repository index. Triton's states: READY, LOADING, UNLOADING, UNAVAILABLE;
// `reason` is the load failure, "unloaded", or empty.
struct KServeIndexEntry {
  std::string name;
  std::string version;
  std::string state;
  std::string reason;
};

// Every registered model, or only the ready ones.
std::vector<KServeIndexEntry> KServeRepositoryIndex(const ModelManager& models, bool ready_only);

// Unimplemented for the load parameters MLOS does not support ("config", "file:..."), naming
// the key; OK for any other.
Status CheckKServeLoadParameter(std::string_view key);

// Why a known model is not ready: "model 'id' is not ready: it is <state>[: <failure>]".
std::string KServeNotReadyMessage(const ModelInfo& info);

}  // namespace mlos::core
