#include "core/registry_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <filesystem>
#include <utility>

namespace mlos::core {
namespace {

// Schema migrations: entry i upgrades user_version i to i + 1. Append only.
constexpr std::array<const char*, 2> kMigrations = {
    "CREATE TABLE models ("
    "  id TEXT PRIMARY KEY,"
    "  source_path TEXT NOT NULL,"
    "  load_path TEXT NOT NULL,"
    "  plugin_id TEXT NOT NULL,"
    "  manifest TEXT NOT NULL,"
    "  settings TEXT NOT NULL,"
    "  metadata TEXT NOT NULL,"
    "  inputs TEXT NOT NULL,"
    "  outputs TEXT NOT NULL,"
    "  created TEXT NOT NULL)",
    // Registrations of one execution file of a multi-file package, by role.
    "ALTER TABLE models ADD COLUMN role TEXT NOT NULL DEFAULT ''",
};

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr); }
  ~Statement() { sqlite3_finalize(statement_); }
  sqlite3_stmt* get() const { return statement_; }
  bool ok() const { return statement_ != nullptr; }
  void Bind(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  std::string Column(int index) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, index));
    return text != nullptr ? text : "";
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace

StatusOr<std::unique_ptr<RegistryStore>> RegistryStore::Open(const std::string& path) {
  std::error_code error;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (error) {
    return Unavailable(fmt::format("registry {}: cannot create folder: {}", path, error.message()));
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable(fmt::format("registry {}: cannot open: {}", path, message));
  }
  std::unique_ptr<RegistryStore> store(new RegistryStore(db, path));
  sqlite3_busy_timeout(db, 5000);
  RETURN_IF_ERROR(store->Execute("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(store->Execute("PRAGMA synchronous=NORMAL"));
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

RegistryStore::~RegistryStore() { sqlite3_close(db_); }

std::string RegistryStore::Error(const std::string& what) const {
  return fmt::format("registry {}: {}: {}", path_, what, sqlite3_errmsg(db_));
}

Status RegistryStore::Execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Status status = Internal(fmt::format("registry {}: '{}' failed: {}", path_, sql,
                                         message != nullptr ? message : "unknown error"));
    sqlite3_free(message);
    return status;
  }
  return Status::Ok();
}

Status RegistryStore::Migrate() {
  Statement query(db_, "PRAGMA user_version");
  if (!query.ok() || sqlite3_step(query.get()) != SQLITE_ROW) {
    return Internal(Error("reading the schema version"));
  }
  const int version = sqlite3_column_int(query.get(), 0);
  if (version > static_cast<int>(kMigrations.size())) {
    return FailedPrecondition(
        fmt::format("registry {}: schema version {} is newer than this mlos-core supports ({})",
                    path_, version, kMigrations.size()));
  }
  for (size_t next = version; next < kMigrations.size(); ++next) {
    RETURN_IF_ERROR(Execute(
        fmt::format("BEGIN; {}; PRAGMA user_version={}; COMMIT", kMigrations[next], next + 1)));
  }
  return Status::Ok();
}

Status RegistryStore::Insert(const ModelRecord& record) {
  std::lock_guard lock(mutex_);
  Statement insert(db_,
                   "INSERT INTO models (id, source_path, load_path, plugin_id, manifest, settings,"
                   " metadata, inputs, outputs, created, role) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert.ok()) return Internal(Error("preparing insert"));
  const std::array<std::string, 11> values = {record.id,
                                              record.source_path,
                                              record.load_path,
                                              record.plugin_id,
                                              record.manifest_yaml,
                                              record.settings_json,
                                              record.metadata_json,
                                              TensorSpecsToJson(record.signature.inputs).dump(),
                                              TensorSpecsToJson(record.signature.outputs).dump(),
                                              record.created,
                                              record.role};
  for (size_t i = 0; i < values.size(); ++i) insert.Bind(static_cast<int>(i) + 1, values[i]);
  const int result = sqlite3_step(insert.get());
  if (result == SQLITE_CONSTRAINT) {
    return AlreadyExists(fmt::format("registry: model '{}' is already stored", record.id));
  }
  if (result != SQLITE_DONE) return Internal(Error("storing model '" + record.id + "'"));
  return Status::Ok();
}

Status RegistryStore::Delete(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement remove(db_, "DELETE FROM models WHERE id = ?");
  if (!remove.ok()) return Internal(Error("preparing delete"));
  remove.Bind(1, id);
  if (sqlite3_step(remove.get()) != SQLITE_DONE) {
    return Internal(Error("deleting model '" + id + "'"));
  }
  if (sqlite3_changes(db_) == 0) {
    return NotFound(fmt::format("registry: model '{}' is not stored", id));
  }
  return Status::Ok();
}

StatusOr<std::vector<ModelRecord>> RegistryStore::LoadAll() {
  std::lock_guard lock(mutex_);
  Statement select(db_,
                   "SELECT id, source_path, load_path, plugin_id, manifest, settings, metadata,"
                   " inputs, outputs, created, role FROM models ORDER BY id");
  if (!select.ok()) return Internal(Error("preparing select"));
  std::vector<ModelRecord> records;
  int result;
  while ((result = sqlite3_step(select.get())) == SQLITE_ROW) {
    ModelRecord record;
    record.id = select.Column(0);
    record.source_path = select.Column(1);
    record.load_path = select.Column(2);
    record.plugin_id = select.Column(3);
    record.role = select.Column(10);
    record.manifest_yaml = select.Column(4);
    record.settings_json = select.Column(5);
    record.metadata_json = select.Column(6);
    record.created = select.Column(9);
    const std::string where = fmt::format("registry {}: model '{}'", path_, record.id);
    const auto inputs = nlohmann::json::parse(select.Column(7), nullptr, false);
    const auto outputs = nlohmann::json::parse(select.Column(8), nullptr, false);
    ASSIGN_OR_RETURN(record.signature.inputs, TensorSpecsFromJson(inputs, where + " inputs"));
    ASSIGN_OR_RETURN(record.signature.outputs, TensorSpecsFromJson(outputs, where + " outputs"));
    records.push_back(std::move(record));
  }
  if (result != SQLITE_DONE) return Internal(Error("reading models"));
  return records;
}

}  // namespace mlos::core
