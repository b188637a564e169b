// PluginHost: the execution plugins Core can run models with, looked up by id or by execution
// format. Every plugin, the built-in one included, is added through its SMI init function and
// reached only through the SMI table.
//
// Add() validates the descriptor (ABI major equal to the host's, minor not newer, table at least
// the size of the host's layout, required entries present, id unique) and creates the plugin
// instance with the configuration given for its id at construction ("{}" when none). LoadLibrary() does the same for a shared library exporting
// `smi_plugin_init`; LoadDirectory() loads every lib*.so of a folder and only logs the ones it
// refuses (a plugin whose id is already loaded at info level, others as warnings). Refused
// plugins never stop the server.
//
// Plugins are shared: a loaded model keeps a reference to its Plugin so the instance is destroyed
// only after the last model (smi.h requires plugin_destroy after every model_unload). Libraries
// are never dlclose'd once accepted (plugins may leave static state behind). Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "mlos/smi.h"
#include "mlos/smi_cpp.h"

namespace mlos::core {

struct Plugin {
  std::string id;
  std::string name;
  std::string version;
  std::string origin;  // "built-in" or the library path
  std::vector<std::string> execution_formats;
  smi::Plugin instance;
};

class PluginHost {
 public:
  // `configs`: plugin id -> the JSON object its plugin_create receives.
  explicit PluginHost(std::map<std::string, nlohmann::json> configs = {})
      : configs_(std::move(configs)) {}

  // `origin` names the plugin in errors and listings.
  Status Add(smi_plugin_init_fn init, const std::string& origin);
  Status LoadLibrary(const std::string& path);
  // Missing folder: nothing loaded, no error.
  void LoadDirectory(const std::string& directory);

  // nullptr if unknown.
  std::shared_ptr<const Plugin> Find(const std::string& id) const;
  // The first plugin (in order of addition) that runs `format`; nullptr if none.
  std::shared_ptr<const Plugin> FindForFormat(const std::string& format) const;
  std::vector<std::shared_ptr<const Plugin>> List() const;
  // "onnx (onnx), echo (echo)": ids with their formats, for error messages.
  std::string Summary() const;

 private:
  Status CheckIdFree(const std::string& id, const std::string& origin) const;
  Status CheckIdFreeLocked(const std::string& id, const std::string& origin) const;

  const std::map<std::string, nlohmann::json> configs_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const Plugin>> plugins_;
};

}  // namespace mlos::core
