#include "axon/cli_local.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "axon/cli.h"
#include "axon/config.h"
#include "axon/package_archive.h"
#include "axon/package_check.h"
#include "axon/report.h"
#include "axon/store.h"
#include "axon/store_admin.h"

namespace mlos::axon {
namespace {

int Fail(std::ostream& err, const Status& status) {
  err << "axon: error: " << status.message() << "\n";
  switch (status.code()) {
    case StatusCode::kInternal:
    case StatusCode::kUnavailable:  // the store is busy (an install holds its lock)
      return kExitLocalFailure;
    default:
      return kExitBadInput;
  }
}

// "1 file", "2 files".
std::string FileCount(size_t count) {
  return std::to_string(count) + (count == 1 ? " file" : " files");
}

std::string Dump(const nlohmann::json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

StatusOr<ModelRef> InstalledRef(const std::string& spec) {
  StatusOr<ModelRef> ref = ParseModelRef(spec);
  if (!ref.ok()) return ref.status().WithContext("\"" + spec + "\" is not a model id");
  return ref;
}

nlohmann::json ProblemJson(const FileProblem& problem) {
  return {{"path", problem.path},
          {"problem", ProblemKindName(problem.kind)},
          {"expected_size", problem.expected_size},
          {"actual_size", problem.actual_size},
          {"expected_sha256", problem.expected_sha256},
          {"actual_sha256", problem.actual_sha256},
          {"message", DescribeProblem(problem)}};
}

void AddJsonFlag(CLI::App* command, bool& json) {
  command->add_flag("--json", json, "Print the result as one JSON object");
}

}  // namespace

LocalCommands::LocalCommands(CLI::App& app) {
  init_ = app.add_subcommand("init", "Create the store layout and a default config (idempotent)");
  AddJsonFlag(init_, json_);

  uninstall_ = app.add_subcommand(
      "uninstall", "Remove an installed model (its blobs stay until `axon cache prune`)");
  uninstall_->add_option("spec", spec_, "Model id, ns/name[@version]")->required();
  uninstall_->add_flag("--all-versions", all_versions_, "Remove every version of the name");
  AddJsonFlag(uninstall_, json_);

  verify_ = app.add_subcommand(
      "verify", "Re-hash an installed model's files against its manifest (exit 2 if any differ)");
  verify_->add_option("spec", spec_, "Model id, ns/name[@version]")->required();
  AddJsonFlag(verify_, json_);

  CLI::App* cache = app.add_subcommand("cache", "Inspect and tidy the blob store");
  cache->require_subcommand(1);
  cache_list_ = cache->add_subcommand("list", "List blobs: digest, size, models using it");
  cache_stats_ = cache->add_subcommand("stats", "Count models, blobs, bytes and bytes saved");
  cache_clean_ = cache->add_subcommand(
      "clean", "Delete leftovers of interrupted installs from cache/tmp (not running ones)");
  cache_prune_ = cache->add_subcommand("prune", "Delete blobs no installed model uses");
  for (CLI::App* command : {cache_list_, cache_stats_, cache_clean_, cache_prune_}) {
    AddJsonFlag(command, json_);
  }

  CLI::App* config = app.add_subcommand("config", "Read and change <AXON_HOME>/config.yaml");
  config->require_subcommand(1);
  config_get_ = config->add_subcommand("get", "Print one setting");
  config_get_->add_option("key", key_, "Setting, e.g. core.url")->required();
  config_set_ = config->add_subcommand("set", "Change one setting (validated)");
  config_set_->add_option("key", key_, "Setting, e.g. download.parallel_files")->required();
  config_set_->add_option("value", value_, "New value")->required();
  config_list_ = config->add_subcommand("list", "Print every setting with its value");
  AddJsonFlag(config_list_, json_);

  pack_ = app.add_subcommand("pack", "Archive a package folder (manifest.yaml + files) as .axon");
  pack_->add_option("dir", dir_, "Package folder, e.g. from axon export")->required();
  pack_->add_option("-o,--output", output_, "Archive to write, e.g. model.axon")->required();
  AddJsonFlag(pack_, json_);

  export_ = app.add_subcommand("export", "Copy an installed model's package into a folder");
  export_->add_option("spec", spec_, "Model id, ns/name[@version]")->required();
  export_->add_option("dir", dir_, "Folder to create (or an empty one)")->required();
  AddJsonFlag(export_, json_);
}

std::optional<int> LocalCommands::Run(std::ostream& out, std::ostream& err) const {
  if (init_->parsed()) return Init(out, err);
  if (uninstall_->parsed()) return Uninstall(out, err);
  if (verify_->parsed()) return Verify(out, err);
  if (cache_list_->parsed()) return CacheList(out, err);
  if (cache_stats_->parsed()) return CacheStats(out, err);
  if (cache_clean_->parsed()) return CacheClean(false, out, err);
  if (cache_prune_->parsed()) return CacheClean(true, out, err);
  if (config_get_->parsed()) return ConfigGet(out, err);
  if (config_set_->parsed()) return ConfigSet(out, err);
  if (config_list_->parsed()) return ConfigList(out, err);
  if (pack_->parsed()) return Pack(out, err);
  if (export_->parsed()) return Export(out, err);
  return std::nullopt;
}

int LocalCommands::Init(std::ostream& out, std::ostream& err) const {
  const std::string home = AxonHome();
  StatusOr<std::vector<std::string>> created = InitHome(home);
  if (!created.ok()) return Fail(err, created.status());
  if (json_) {
    out << Dump({{"home", Store(home).home()}, {"created", *created}});
  } else {
    for (const std::string& path : *created) out << "created " << path << "\n";
    out << "axon home ready at " << Store(home).home() << "\n";
  }
  return kExitOk;
}

int LocalCommands::Uninstall(std::ostream& out, std::ostream& err) const {
  StatusOr<ModelRef> ref = InstalledRef(spec_);
  if (!ref.ok()) return Fail(err, ref.status());
  StatusOr<std::vector<std::string>> removed =
      axon::Uninstall(Store(AxonHome()), *ref, all_versions_);
  if (!removed.ok()) return Fail(err, removed.status());
  if (json_) {
    out << Dump({{"removed", *removed}});
  } else {
    for (const std::string& id : *removed) out << "uninstalled " << id << "\n";
  }
  return kExitOk;
}

int LocalCommands::Verify(std::ostream& out, std::ostream& err) const {
  StatusOr<ModelRef> ref = InstalledRef(spec_);
  if (!ref.ok()) return Fail(err, ref.status());
  // Find parses and validates the manifest.
  StatusOr<InstalledModel> model = Store(AxonHome()).Find(*ref);
  if (!model.ok()) return Fail(err, model.status());
  Progress progress = Progress::ForTerminal(stderr);
  const std::vector<FileProblem> problems =
      CheckPackageFiles(model->dir, model->manifest, progress);
  const std::string id = model->manifest.model_id();
  if (json_) {
    nlohmann::json list = nlohmann::json::array();
    for (const FileProblem& problem : problems) list.push_back(ProblemJson(problem));
    out << Dump({{"model_id", id},
                 {"path", model->dir},
                 {"files", model->manifest.files.size()},
                 {"intact", problems.empty()},
                 {"problems", list}});
  } else if (problems.empty()) {
    out << id << ": " << FileCount(model->manifest.files.size()) << " intact\n";
  }
  if (problems.empty()) return kExitOk;
  err << "axon: error: " << id << " at " << model->dir << " does not match its manifest ("
      << problems.size() << (problems.size() == 1 ? " problem" : " problems")
      << "; reinstall it with --force):\n";
  for (const FileProblem& problem : problems) err << "  " << DescribeProblem(problem) << "\n";
  return kExitBadInput;
}

int LocalCommands::CacheList(std::ostream& out, std::ostream& err) const {
  const CacheReport report = InspectCache(Store(AxonHome()));
  for (const std::string& problem : report.problems) err << "axon: warning: " << problem << "\n";
  if (json_) {
    nlohmann::json blobs = nlohmann::json::array();
    for (const BlobInfo& blob : report.blobs) {
      blobs.push_back({{"sha256", blob.sha256}, {"size", blob.size}, {"models", blob.models}});
    }
    out << Dump({{"blobs", blobs}});
    return kExitOk;
  }
  for (const BlobInfo& blob : report.blobs) {
    std::string users;
    for (const std::string& id : blob.models) users += (users.empty() ? "" : ",") + id;
    out << blob.sha256 << "  " << HumanBytes(blob.size) << "  "
        << (users.empty() ? "(unreferenced)" : users) << "\n";
  }
  return kExitOk;
}

int LocalCommands::CacheStats(std::ostream& out, std::ostream& err) const {
  const CacheReport report = InspectCache(Store(AxonHome()));
  for (const std::string& problem : report.problems) err << "axon: warning: " << problem << "\n";
  if (json_) {
    out << Dump({{"models", report.models},
                 {"blobs", report.blobs.size()},
                 {"blob_bytes", report.blob_bytes},
                 {"model_bytes", report.model_bytes},
                 {"deduplicated_bytes", report.deduplicated_bytes},
                 {"unreferenced_blobs", report.unreferenced_blobs},
                 {"unreferenced_bytes", report.unreferenced_bytes}});
    return kExitOk;
  }
  out << "models:             " << report.models << "\n"
      << "blobs:              " << report.blobs.size() << " (" << HumanBytes(report.blob_bytes)
      << ")\n"
      << "model files:        " << HumanBytes(report.model_bytes) << "\n"
      << "saved by dedup:     " << HumanBytes(report.deduplicated_bytes) << "\n"
      << "unreferenced blobs: " << report.unreferenced_blobs << " ("
      << HumanBytes(report.unreferenced_bytes) << "; axon cache prune deletes them)\n";
  return kExitOk;
}

int LocalCommands::CacheClean(bool prune, std::ostream& out, std::ostream& err) const {
  const Store store(AxonHome());
  StatusOr<CleanResult> result = prune ? PruneBlobs(store) : CleanTemp(store);
  if (!result.ok()) return Fail(err, result.status());
  if (json_) {
    out << Dump({{prune ? "removed_blobs" : "removed", result->removed}, {"bytes", result->bytes}});
  } else {
    for (const std::string& removed : result->removed) out << "removed " << removed << "\n";
    out << (prune ? "pruned " : "cleaned ") << result->removed.size()
        << (prune ? " blobs, " : " entries, ") << HumanBytes(result->bytes) << "\n";
  }
  return kExitOk;
}

int LocalCommands::ConfigGet(std::ostream& out, std::ostream& err) const {
  StatusOr<AxonConfig> config = AxonConfig::Load(AxonHome());
  if (!config.ok()) return Fail(err, config.status());
  StatusOr<std::string> value = config->Get(key_);
  if (!value.ok()) return Fail(err, value.status());
  out << *value << "\n";
  return kExitOk;
}

int LocalCommands::ConfigSet(std::ostream& out, std::ostream& err) const {
  const std::string home = AxonHome();
  StatusOr<AxonConfig> config = AxonConfig::Load(home);
  if (!config.ok()) return Fail(err, config.status());
  if (Status set = config->Set(key_, value_); !set.ok()) return Fail(err, set);
  if (Status saved = config->Save(home); !saved.ok()) return Fail(err, saved);
  out << key_ << " = " << value_ << "\n";
  return kExitOk;
}

int LocalCommands::ConfigList(std::ostream& out, std::ostream& err) const {
  StatusOr<AxonConfig> config = AxonConfig::Load(AxonHome());
  if (!config.ok()) return Fail(err, config.status());
  if (json_) {
    out << Dump(config->values());
    return kExitOk;
  }
  for (const auto& [key, value] : config->values()) out << key << " = " << value << "\n";
  return kExitOk;
}

int LocalCommands::Pack(std::ostream& out, std::ostream& err) const {
  Progress progress = Progress::ForTerminal(stderr);
  StatusOr<Manifest> manifest = PackPackage(dir_, output_, progress);
  if (!manifest.ok()) return Fail(err, manifest.status());
  if (json_) {
    out << Dump({{"model_id", manifest->model_id()},
                 {"archive", output_},
                 {"files", manifest->files.size()}});
  } else {
    out << "packed " << manifest->model_id() << " (" << FileCount(manifest->files.size()) << ") -> "
        << output_ << "\n";
  }
  return kExitOk;
}

int LocalCommands::Export(std::ostream& out, std::ostream& err) const {
  StatusOr<ModelRef> ref = InstalledRef(spec_);
  if (!ref.ok()) return Fail(err, ref.status());
  StatusOr<InstalledModel> model = ExportModel(Store(AxonHome()), *ref, dir_);
  if (!model.ok()) return Fail(err, model.status());
  if (json_) {
    out << Dump({{"model_id", model->manifest.model_id()}, {"dir", dir_}});
  } else {
    out << "exported " << model->manifest.model_id() << " -> " << dir_ << "\n";
  }
  return kExitOk;
}

}  // namespace mlos::axon
