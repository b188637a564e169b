#include "axon/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace mlos::axon {
namespace {

nlohmann::json TensorsJson(const std::vector<ManifestTensor>& tensors) {
  nlohmann::json list = nlohmann::json::array();
  for (const ManifestTensor& t : tensors) {
    list.push_back({{"name", t.name}, {"dtype", Name(t.dtype)}, {"shape", t.shape}});
  }
  return list;
}

void AppendTensors(std::ostringstream& out, const char* title,
                   const std::vector<ManifestTensor>& tensors) {
  out << title << ":\n";
  for (const ManifestTensor& t : tensors) {
    out << "  " << t.name << "  " << Name(t.dtype) << "  " << ShapeToString(t.shape) << "\n";
  }
}

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

nlohmann::json ModelJson(const InstalledModel& model) {
  const Manifest& m = model.manifest;
  nlohmann::json files = nlohmann::json::array();
  for (const ManifestFile& f : m.files) {
    files.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  }
  nlohmann::json execution_files = nlohmann::json::array();
  for (const ManifestExecutionFile& f : m.execution_files) {
    execution_files.push_back({{"path", f.path}, {"role", f.role}});
  }
  return {
      {"model_id", m.model_id()},
      {"namespace", m.namespace_},
      {"name", m.name},
      {"version", m.version},
      {"path", model.dir},
      {"manifest_path", model.manifest_path},
      {"description", m.description},
      {"license", m.license},
      {"source",
       {{"hub", m.source.hub},
        {"repo", m.source.repo},
        {"revision", m.source.revision},
        {"commit", m.source.commit}}},
      {"created", m.created},
      {"framework", m.framework},
      {"format", m.format_type},
      {"execution_format", m.execution_format},
      {"files", files},
      {"execution_files", execution_files},
      {"inputs", TensorsJson(m.inputs)},
      {"outputs", TensorsJson(m.outputs)},
      {"memory_bytes", m.memory_bytes},
      {"disk_bytes", m.disk_bytes},
  };
}

std::string FormatModelList(const std::vector<InstalledModel>& models, ListFormat format) {
  std::ostringstream out;
  switch (format) {
    case ListFormat::kJson: {
      nlohmann::json list = nlohmann::json::array();
      for (const InstalledModel& model : models) list.push_back(ModelJson(model));
      out << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      break;
    }
    case ListFormat::kNames:
      for (const InstalledModel& model : models) out << model.manifest.model_id() << "\n";
      break;
    case ListFormat::kTable: {
      if (models.empty()) {
        out << "no models installed\n";
        break;
      }
      size_t id_width = std::string_view("MODEL").size();
      for (const InstalledModel& model : models) {
        id_width = std::max(id_width, model.manifest.model_id().size());
      }
      const auto row = [&](const std::string& id, const std::string& framework,
                           const std::string& size, const std::string& created) {
        out << id << std::string(id_width - id.size() + 2, ' ') << framework
            << std::string(framework.size() < 11 ? 11 - framework.size() : 1, ' ') << size
            << std::string(size.size() < 11 ? 11 - size.size() : 1, ' ') << created << "\n";
      };
      row("MODEL", "FRAMEWORK", "SIZE", "CREATED");
      for (const InstalledModel& model : models) {
        const Manifest& m = model.manifest;
        row(m.model_id(), m.framework, HumanBytes(m.disk_bytes), m.created);
      }
      break;
    }
  }
  return out.str();
}

std::string FormatModelInfo(const InstalledModel& model) {
  const Manifest& m = model.manifest;
  std::ostringstream out;
  out << "model:       " << m.model_id() << "\n";
  out << "path:        " << model.dir << "\n";
  out << "manifest:    " << model.manifest_path << "\n";
  if (!m.description.empty()) out << "description: " << m.description << "\n";
  if (!m.license.empty()) out << "license:     " << m.license << "\n";
  out << "source:      " << m.source.hub << " " << m.source.repo;
  if (!m.source.revision.empty()) out << " (revision " << m.source.revision << ")";
  if (!m.source.commit.empty()) out << " commit " << m.source.commit;
  out << "\n";
  out << "created:     " << m.created << "\n";
  out << "framework:   " << m.framework << " (format " << m.format_type << ", runs as "
      << m.execution_format << ")\n";
  out << "size:        " << HumanBytes(m.disk_bytes) << " on disk, about "
      << HumanBytes(m.memory_bytes) << " in memory\n";
  out << "files:\n";
  for (const ManifestFile& f : m.files) {
    std::string role;
    for (const ManifestExecutionFile& e : m.execution_files) {
      if (e.path == f.path) role = "  [" + e.role + "]";
    }
    out << "  " << f.path << "  " << HumanBytes(f.size) << "  sha256:" << f.sha256 << role << "\n";
  }
  AppendTensors(out, "inputs", m.inputs);
  AppendTensors(out, "outputs", m.outputs);
  return out.str();
}

}  // namespace mlos::axon
