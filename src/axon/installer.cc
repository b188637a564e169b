#include "axon/installer.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <vector>

#include "axon/local_source.h"
#include "axon/manifest_builder.h"
#include "axon/preprocessing_hints.h"
#include "axon/sha256.h"
#include "axon/version.h"
#include "engine/session.h"

namespace mlos::axon {
namespace {

// The single .onnx file of the source; several are refused until multi-file roles
// (encoder/decoder) are inferred.
StatusOr<const SourceFile*> FindModelFile(const LocalSource& source) {
  std::vector<const SourceFile*> models;
  for (const SourceFile& file : source.files) {
    if (IsOnnxFile(file.package_path)) models.push_back(&file);
  }
  if (models.empty()) return InvalidArgument(source.root + " holds no .onnx file");
  if (models.size() > 1) {
    std::string names;
    for (const SourceFile* file : models) names += (names.empty() ? "" : ", ") + file->package_path;
    return InvalidArgument(source.root + " holds several .onnx files (" + names +
                           "); install one model at a time");
  }
  return models.front();
}

std::string MetadataJson(const std::string& spec, const LocalSource& source,
                         const std::string& installed_at) {
  const nlohmann::json metadata = {
      {"installed_at", installed_at},
      {"source", {{"spec", spec}, {"hub", "local"}, {"path", source.root}}},
      {"axon_version", kAxonVersion},
  };
  return metadata.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string Rfc3339Utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

StatusOr<InstallResult> InstallLocal(Store& store, std::string_view spec,
                                     const InstallOptions& options, Progress& progress) {
  ASSIGN_OR_RETURN(const LocalSource source, ReadLocalSource(spec));
  ASSIGN_OR_RETURN(const SourceFile* model_file, FindModelFile(source));

  OnnxPackage package;
  if (options.as) {
    package.ref = *options.as;
  } else {
    ASSIGN_OR_RETURN(package.ref, ParseModelRef("local/" + source.default_name + "@latest"));
  }
  ASSIGN_OR_RETURN(package.signature, engine::ReadModelSignature(model_file->absolute_path));
  package.model_path = model_file->package_path;
  package.source = {"local", source.root, package.ref.version, ""};
  package.created = Rfc3339Utc(std::chrono::system_clock::now());

  std::vector<StoreFile> store_files;
  for (const SourceFile& file : source.files) {
    StatusOr<std::string> digest =
        Sha256File(file.absolute_path, progress.Track("hashing " + file.package_path, file.size));
    progress.Clear();
    if (!digest.ok()) return digest.status();
    package.files.push_back({file.package_path, file.size, *digest});
    store_files.push_back({file.absolute_path, file.package_path, *digest});
  }

  ASSIGN_OR_RETURN(Manifest built, BuildOnnxManifest(package));
  built.preprocessing = ReadPreprocessingHints(source.root, built.files);
  // Validate exactly what Core will read: the serialized text, through the same parser.
  StatusOr<Manifest> manifest = ParseManifest(SerializeManifest(built));
  if (!manifest.ok())
    return Internal("axon built an invalid manifest: " + manifest.status().message());

  ASSIGN_OR_RETURN(
      const InstallOutcome outcome,
      store.Install(*manifest, store_files,
                    MetadataJson(std::string(spec), source, package.created), options.force));
  ASSIGN_OR_RETURN(InstalledModel installed, store.Find(package.ref));
  return InstallResult{std::move(installed), outcome};
}

}  // namespace mlos::axon
