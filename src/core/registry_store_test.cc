#include "core/registry_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

namespace mlos::core {
namespace {

std::string FreshPath(const std::string& name) {
  const auto directory = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::remove_all(directory);
  return (directory / "registry.db").string();
}

ModelRecord SampleRecord() {
  ModelRecord record;
  record.id = "local/mlp@latest";
  record.source_path = "/models/mlp";
  record.load_path = "/models/mlp/model.onnx";
  record.plugin_id = "onnx";
  record.manifest_yaml = "apiVersion: axon.mlos.io/v1\n";
  record.metadata_json = R"({"name":"mlp"})";
  record.signature.inputs = {{"x", DataType::kFloat32, Shape{-1, 4}}};
  record.signature.outputs = {{"y", DataType::kInt64, std::nullopt}};
  record.created = "2026-01-01T00:00:00Z";
  return record;
}

TEST(RegistryStoreTest, RecordsSurviveReopening) {
  const std::string path = FreshPath("registry_reopen");
  {
    auto store = RegistryStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Insert(SampleRecord()).ok());
  }
  auto store = RegistryStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto records = (*store)->LoadAll();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const ModelRecord& record = (*records)[0];
  const ModelRecord expected = SampleRecord();
  EXPECT_EQ(record.id, expected.id);
  EXPECT_EQ(record.source_path, expected.source_path);
  EXPECT_EQ(record.load_path, expected.load_path);
  EXPECT_EQ(record.plugin_id, expected.plugin_id);
  EXPECT_EQ(record.manifest_yaml, expected.manifest_yaml);
  EXPECT_EQ(record.metadata_json, expected.metadata_json);
  EXPECT_EQ(record.created, expected.created);
  ASSERT_EQ(record.signature.inputs.size(), 1u);
  EXPECT_EQ(record.signature.inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(record.signature.inputs[0].shape, (Shape{-1, 4}));
  ASSERT_EQ(record.signature.outputs.size(), 1u);
  EXPECT_FALSE(record.signature.outputs[0].shape.has_value());
}

TEST(RegistryStoreTest, TheRoleSurvivesReopening) {
  const std::string path = FreshPath("registry_role");
  ModelRecord encoder = SampleRecord();
  encoder.id = "hf/acme/t5-small/encoder@main";
  encoder.role = "encoder";
  {
    auto store = RegistryStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Insert(encoder).ok());
    ASSERT_TRUE((*store)->Insert(SampleRecord()).ok());
  }
  auto store = RegistryStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto records = (*store)->LoadAll();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].id, encoder.id);
  EXPECT_EQ((*records)[0].role, "encoder");
  EXPECT_EQ((*records)[1].role, "");
}

// A registry written by a build before roles (schema version 1) opens, keeps its models (with no
// role) and takes new ones with a role.
TEST(RegistryStoreTest, AVersionOneRegistryIsUpgraded) {
  const std::string path = FreshPath("registry_version_1");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "CREATE TABLE models (id TEXT PRIMARY KEY, source_path TEXT NOT NULL,"
                   " load_path TEXT NOT NULL, plugin_id TEXT NOT NULL, manifest TEXT NOT NULL,"
                   " settings TEXT NOT NULL, metadata TEXT NOT NULL, inputs TEXT NOT NULL,"
                   " outputs TEXT NOT NULL, created TEXT NOT NULL);"
                   "INSERT INTO models VALUES ('local/old@1', '/models/old', "
                   "'/models/old/model.onnx', 'onnx', '', '{}', '{}', '[]', '[]', "
                   "'2026-01-01T00:00:00Z');"
                   "PRAGMA user_version=1;",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);

  auto store = RegistryStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ModelRecord encoder = SampleRecord();
  encoder.role = "encoder";
  ASSERT_TRUE((*store)->Insert(encoder).ok());
  auto records = (*store)->LoadAll();
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].id, "local/mlp@latest");
  EXPECT_EQ((*records)[0].role, "encoder");
  EXPECT_EQ((*records)[1].id, "local/old@1");
  EXPECT_EQ((*records)[1].load_path, "/models/old/model.onnx");
  EXPECT_EQ((*records)[1].role, "");
}

TEST(RegistryStoreTest, DuplicateIdIsAlreadyExists) {
  auto store = RegistryStore::Open(FreshPath("registry_duplicate"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Insert(SampleRecord()).ok());
  Status status = (*store)->Insert(SampleRecord());
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(status.message().find("local/mlp@latest"), std::string::npos);
}

TEST(RegistryStoreTest, UsesWriteAheadLogging) {
  const std::string path = FreshPath("registry_wal");
  ASSERT_TRUE(RegistryStore::Open(path).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST(RegistryStoreTest, RefusesANewerSchema) {
  const std::string path = FreshPath("registry_newer");
  ASSERT_TRUE(RegistryStore::Open(path).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = RegistryStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("schema version 99 is newer"), std::string::npos);
}

}  // namespace
}  // namespace mlos::core
