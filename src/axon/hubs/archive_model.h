// Archive models: the `prepare` step of hubs that serve a model as one archive (Kaggle Models,
// TF Hub's compressed download) rather than as separate files.
//
// The archive (a tar, gzip'd or zstd'd, as detected from its first bytes) is extracted by
// ExtractPackageArchive (package_archive.h: hostile-input safe, nothing outside the destination,
// no links) into <work_dir>/extracted. Every extracted name must also pass CheckHubFilePath. When
// every file sits under one top folder, that folder is the package root. Then SelectModelFiles
// chooses the model files among the extracted ones, as for a repository of files. A TensorFlow
// SavedModel (saved_model.pb or .pbtxt, variables/) without an ONNX file is refused with the
// reason: SavedModels cannot be converted here (no TensorFlow in Debian), and what to do instead.
// A hub that may answer a one-file model with that file itself rather than an archive names the
// file (`single_file`); a download that is no tar is then taken as that file.
#pragma once

#include <string>
#include <vector>

#include "axon/hubs/file_selection.h"
#include "axon/hubs/remote_model.h"
#include "common/status.h"

namespace mlos::axon {

struct ArchiveModel {
  std::string archive{};      // package path of the downloaded archive in the staging folder
  std::string single_file{};  // the file a non-archive download is; empty: must be an archive
  std::string model{};        // the model id as errors show it ("kaggle/owner/model/...@3")
  FormatWanted format = FormatWanted::kAuto;
};

// True iff `paths` hold a TensorFlow SavedModel at their root: saved_model.pb or
// saved_model.pbtxt, or a variables/ folder.
bool HoldsTensorFlowSavedModel(const std::vector<std::string>& paths);

// The folder every path is under ("top" for {"top/a", "top/b/c"}); empty when there is none.
std::string SingleTopFolder(const std::vector<std::string>& paths);

// The error for a SavedModel without ONNX, naming `model` and what the user can do.
Status SavedModelCannotBeConverted(const std::string& model);

// Chooses the package among `paths` (relative to `dir`, every one passed CheckHubFilePath): the
// top-folder rule, the SavedModel refusal, then SelectModelFiles. Pure (no I/O).
StatusOr<PreparedPackage> SelectArchivePackage(const std::string& dir,
                                               const std::vector<std::string>& paths,
                                               const std::string& model, FormatWanted format);

// The RemoteModel::prepare of an archive model.
PrepareFn ArchiveModelPrepare(ArchiveModel archive);

}  // namespace mlos::axon
