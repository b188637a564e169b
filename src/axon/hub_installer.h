// Hub installer: `axon install <hub>/<repo>[@revision]` (e.g. hf/org/name@main).
//
// Asks the hub what to download (hubs/hub_registry.h; settings from <home>/config.yaml and the
// environment: hf.endpoint/HF_ENDPOINT, download.parallel_files, download.part_mib), downloads
// every file through DownloadFiles into a staging folder of the store
// (<home>/cache/tmp/downloads/<ns>/<name>/ <commit>/, kept after a transient failure so the next
// run resumes it, removed otherwise; the store's shared StoreLock is held meanwhile, and an
// exclusive lock on <home>/cache/tmp/locks/<ns>/<name>/<commit>.lock so concurrent installs of one
// model take turns; the second finds it installed from that commit and downloads nothing), where
// each is checked against the size and sha256 the hub declares; then lets the adapter's `prepare`
// turn the downloads into the package (unpack, convert), reads the model's signature from the
// graph, builds and validates the manifest (source hub, repo, revision as asked and the
// commit it resolved to) and installs the package atomically into the store. The model id is the
// spec itself (version "latest" when none is given) unless `as`. A failed install leaves no model
// in the store.
#pragma once

#include <string_view>

#include "axon/config.h"
#include "axon/installer.h"
#include "axon/progress.h"
#include "axon/store.h"
#include "common/status.h"

namespace mlos::axon {

// True iff `spec` is a model id installed over the network: its namespace is a hub, or any
// namespace when `config` names a registry (hubs/hub_registry.h).
bool IsHubSpec(std::string_view spec, const AxonConfig& config);

// Errors: InvalidArgument (bad spec, unsafe file names, no usable model file, a file that fails
// its check), FailedPrecondition (access refused: gated or private), NotFound (no such repository
// or revision), Unavailable (the hub could not be reached), AlreadyExists (as InstallLocal).
StatusOr<InstallResult> InstallFromHub(Store& store, std::string_view spec,
                                       const InstallOptions& options, Progress& progress);

}  // namespace mlos::axon
