// Installer: `axon install` for local sources (a directory, a .onnx file, a file:// URL).
//
// Reads the model's signature first (so an invalid model fails before anything is hashed or
// copied), hashes every file, builds and validates the manifest, then installs the package
// atomically into the store. The model id defaults to local/<directory name or file stem>@latest.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "axon/progress.h"
#include "axon/store.h"
#include "common/status.h"

namespace mlos::axon {

struct InstallOptions {
  std::optional<ModelRef> as;  // the id to install under; default local/<name>@latest
  bool force = false;          // replace an existing install with different content
  FormatWanted format = FormatWanted::kAuto;  // hub installs: what the install must yield
};

struct InstallResult {
  InstalledModel model;
  InstallOutcome outcome = InstallOutcome::kInstalled;
};

// InvalidArgument for a source that is not a valid model (no .onnx file, several, or one the
// engine cannot read: its message names the file); AlreadyExists without `force` when other
// content is installed under the id; NotFound when the source does not exist.
StatusOr<InstallResult> InstallLocal(Store& store, std::string_view spec,
                                     const InstallOptions& options, Progress& progress);

// `time` as RFC 3339 UTC with second precision, e.g. "2026-11-25T23:04:05Z".
std::string Rfc3339Utc(std::chrono::system_clock::time_point time);

}  // namespace mlos::axon
