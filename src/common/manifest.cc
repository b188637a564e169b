#include "common/manifest.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

namespace mlos {
namespace {

constexpr std::string_view kApiVersion = "axon.mlos.io/v1";
constexpr std::string_view kKind = "Model";
constexpr std::array<std::string_view, 6> kRoles = {
    "single", "encoder", "decoder", "decoder_with_past", "text_encoder", "vision_encoder"};

// Reads one YAML document into a Manifest, tracking the YAML path of the node being read so that
// every error names it. yaml-cpp exceptions never leave this class (see ParseManifest).
class ManifestReader {
 public:
  StatusOr<Manifest> Read(const YAML::Node& root) {
    if (!root.IsMap()) return InvalidArgument("manifest: expected a YAML mapping at the top level");
    Manifest m;
    RETURN_IF_ERROR(RequiredString(root, "apiVersion", "", m.api_version));
    if (m.api_version != kApiVersion) {
      return InvalidArgument("apiVersion: expected \"" + std::string(kApiVersion) + "\", got \"" +
                             m.api_version + "\"");
    }
    RETURN_IF_ERROR(RequiredString(root, "kind", "", m.kind));
    if (m.kind != kKind) {
      return InvalidArgument("kind: expected \"" + std::string(kKind) + "\", got \"" + m.kind +
                             "\"");
    }

    YAML::Node metadata;
    RETURN_IF_ERROR(RequiredMap(root, "metadata", "", metadata));
    RETURN_IF_ERROR(RequiredString(metadata, "name", "metadata", m.name));
    RETURN_IF_ERROR(RequiredString(metadata, "namespace", "metadata", m.namespace_));
    RETURN_IF_ERROR(RequiredString(metadata, "version", "metadata", m.version));
    RETURN_IF_ERROR(OptionalString(metadata, "description", "metadata", m.description));
    RETURN_IF_ERROR(OptionalString(metadata, "license", "metadata", m.license));
    RETURN_IF_ERROR(OptionalString(metadata, "created", "metadata", m.created));
    if (!m.created.empty() && !IsRfc3339(m.created)) {
      return InvalidArgument("metadata.created: expected an RFC 3339 time, got \"" + m.created +
                             "\"");
    }
    YAML::Node source;
    RETURN_IF_ERROR(OptionalMap(metadata, "source", "metadata", source));
    if (source.IsMap()) {
      const std::string at = "metadata.source";
      RETURN_IF_ERROR(OptionalString(source, "hub", at, m.source.hub));
      RETURN_IF_ERROR(OptionalString(source, "repo", at, m.source.repo));
      RETURN_IF_ERROR(OptionalString(source, "revision", at, m.source.revision));
      RETURN_IF_ERROR(OptionalString(source, "commit", at, m.source.commit));
    }

    YAML::Node spec;
    RETURN_IF_ERROR(RequiredMap(root, "spec", "", spec));
    RETURN_IF_ERROR(RequiredString(spec, "framework", "spec", m.framework));
    YAML::Node format;
    RETURN_IF_ERROR(RequiredMap(spec, "format", "spec", format));
    RETURN_IF_ERROR(RequiredString(format, "type", "spec.format", m.format_type));
    RETURN_IF_ERROR(OptionalString(format, "execution_format", "spec.format", m.execution_format));
    if (m.execution_format.empty()) m.execution_format = m.format_type;
    RETURN_IF_ERROR(ReadFiles(format, m.files));
    RETURN_IF_ERROR(ReadExecutionFiles(format, m.files, m.execution_files));

    YAML::Node io;
    RETURN_IF_ERROR(OptionalMap(spec, "io", "spec", io));
    if (io.IsMap()) {
      RETURN_IF_ERROR(ReadTensors(io, "inputs", m.inputs));
      RETURN_IF_ERROR(ReadTensors(io, "outputs", m.outputs));
    }
    YAML::Node requirements;
    RETURN_IF_ERROR(OptionalMap(spec, "requirements", "spec", requirements));
    if (requirements.IsMap()) {
      const std::string at = "spec.requirements";
      RETURN_IF_ERROR(OptionalUnsigned(requirements, "memory_bytes", at, m.memory_bytes));
      RETURN_IF_ERROR(OptionalUnsigned(requirements, "disk_bytes", at, m.disk_bytes));
    }
    return m;
  }

 private:
  static std::string Join(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
  }
  static std::string Index(const std::string& parent, size_t i) {
    return parent + "[" + std::to_string(i) + "]";
  }

  // "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)".
  static bool IsRfc3339(std::string_view t) {
    const auto digits = [&](size_t at, size_t count) {
      if (at + count > t.size()) return false;
      for (size_t i = at; i < at + count; ++i) {
        if (t[i] < '0' || t[i] > '9') return false;
      }
      return true;
    };
    if (t.size() < 20 || !digits(0, 4) || t[4] != '-' || !digits(5, 2) || t[7] != '-' ||
        !digits(8, 2) || (t[10] != 'T' && t[10] != 't') || !digits(11, 2) || t[13] != ':' ||
        !digits(14, 2) || t[16] != ':' || !digits(17, 2)) {
      return false;
    }
    size_t at = 19;
    if (t[at] == '.') {
      const size_t start = ++at;
      while (digits(at, 1)) ++at;
      if (at == start) return false;
    }
    if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) return at + 1 == t.size();
    return at + 6 == t.size() && (t[at] == '+' || t[at] == '-') && digits(at + 1, 2) &&
           t[at + 3] == ':' && digits(at + 4, 2);
  }

  // A package path: relative, '/'-separated, with no empty, "." or ".." segment.
  static Status CheckPackagePath(const std::string& path, const std::string& at) {
    if (path.empty()) return InvalidArgument(at + ": empty path");
    if (path.front() == '/') return InvalidArgument(at + ": \"" + path + "\" is absolute");
    if (path.find('\\') != std::string::npos) {
      return InvalidArgument(at + ": \"" + path + "\" contains '\\'; use '/' separators");
    }
    std::string_view rest = path;
    while (true) {
      const size_t slash = rest.find('/');
      const std::string_view segment = rest.substr(0, slash);
      if (segment.empty() || segment == "." || segment == "..") {
        return InvalidArgument(at + ": \"" + path +
                               "\" must stay inside the package (no empty, '.' or '..' segments)");
      }
      if (slash == std::string_view::npos) break;
      rest.remove_prefix(slash + 1);
    }
    return Status::Ok();
  }

  static bool IsLowerHex(const std::string& text, size_t length) {
    if (text.size() != length) return false;
    for (char c : text) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  Status RequiredMap(const YAML::Node& parent, std::string_view key, const std::string& at,
                     YAML::Node& out) {
    RETURN_IF_ERROR(OptionalMap(parent, key, at, out));
    if (!out.IsMap()) return InvalidArgument(Join(at, key) + ": required field is missing");
    return Status::Ok();
  }
  // Leaves `out` a null node (not IsMap()) when the key is absent.
  Status OptionalMap(const YAML::Node& parent, std::string_view key, const std::string& at,
                     YAML::Node& out) {
    YAML::Node node = parent[std::string(key)];
    if (!node || node.IsNull()) return Status::Ok();
    if (!node.IsMap()) return InvalidArgument(Join(at, key) + ": expected a mapping");
    out = node;
    return Status::Ok();
  }
  Status RequiredString(const YAML::Node& parent, std::string_view key, const std::string& at,
                        std::string& out) {
    out.clear();
    RETURN_IF_ERROR(OptionalString(parent, key, at, out));
    if (out.empty()) return InvalidArgument(Join(at, key) + ": required field is missing or empty");
    return Status::Ok();
  }
  Status OptionalString(const YAML::Node& parent, std::string_view key, const std::string& at,
                        std::string& out) {
    YAML::Node node = parent[std::string(key)];
    if (!node || node.IsNull()) return Status::Ok();
    if (!node.IsScalar()) return InvalidArgument(Join(at, key) + ": expected a string");
    out = node.Scalar();
    return Status::Ok();
  }
  static Status ParseInteger(const YAML::Node& node, const std::string& at, int64_t minimum,
                             int64_t& out) {
    if (!node.IsScalar()) return InvalidArgument(at + ": expected an integer");
    const std::string& text = node.Scalar();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (error != std::errc() || end != text.data() + text.size() || out < minimum) {
      return InvalidArgument(at + ": expected an integer >= " + std::to_string(minimum) +
                             ", got \"" + text + "\"");
    }
    return Status::Ok();
  }
  Status OptionalUnsigned(const YAML::Node& parent, std::string_view key, const std::string& at,
                          uint64_t& out) {
    YAML::Node node = parent[std::string(key)];
    if (!node || node.IsNull()) return Status::Ok();
    int64_t value = 0;
    RETURN_IF_ERROR(ParseInteger(node, Join(at, key), 0, value));
    out = static_cast<uint64_t>(value);
    return Status::Ok();
  }
  // A sequence under `key`; a missing key is an empty sequence unless `required`.
  Status Sequence(const YAML::Node& parent, std::string_view key, const std::string& at,
                  bool required, YAML::Node& out) {
    YAML::Node node = parent[std::string(key)];
    if (!node || node.IsNull()) {
      if (required) return InvalidArgument(Join(at, key) + ": required field is missing");
      return Status::Ok();
    }
    if (!node.IsSequence()) return InvalidArgument(Join(at, key) + ": expected a list");
    out = node;
    return Status::Ok();
  }

  Status ReadFiles(const YAML::Node& format, std::vector<ManifestFile>& files) {
    const std::string list_at = "spec.format.files";
    YAML::Node list;
    RETURN_IF_ERROR(Sequence(format, "files", "spec.format", /*required=*/true, list));
    if (list.size() == 0) return InvalidArgument(list_at + ": a package needs at least one file");
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = Index(list_at, i);
      if (!list[i].IsMap()) return InvalidArgument(at + ": expected a mapping");
      ManifestFile file;
      RETURN_IF_ERROR(RequiredString(list[i], "path", at, file.path));
      RETURN_IF_ERROR(CheckPackagePath(file.path, at + ".path"));
      if (!seen.insert(file.path).second) {
        return InvalidArgument(at + ".path: \"" + file.path + "\" is listed twice");
      }
      const YAML::Node size = list[i]["size"];
      if (!size || size.IsNull()) return InvalidArgument(at + ".size: required field is missing");
      int64_t bytes = 0;
      RETURN_IF_ERROR(ParseInteger(size, at + ".size", 0, bytes));
      file.size = static_cast<uint64_t>(bytes);
      RETURN_IF_ERROR(RequiredString(list[i], "sha256", at, file.sha256));
      if (!IsLowerHex(file.sha256, 64)) {
        return InvalidArgument(at + ".sha256: expected 64 lowercase hex digits, got \"" +
                               file.sha256 + "\"");
      }
      files.push_back(std::move(file));
    }
    return Status::Ok();
  }

  Status ReadExecutionFiles(const YAML::Node& format, const std::vector<ManifestFile>& files,
                            std::vector<ManifestExecutionFile>& execution_files) {
    const std::string list_at = "spec.format.execution_files";
    YAML::Node list;
    RETURN_IF_ERROR(Sequence(format, "execution_files", "spec.format", /*required=*/false, list));
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = Index(list_at, i);
      if (!list[i].IsMap()) return InvalidArgument(at + ": expected a mapping");
      ManifestExecutionFile file;
      RETURN_IF_ERROR(RequiredString(list[i], "path", at, file.path));
      RETURN_IF_ERROR(CheckPackagePath(file.path, at + ".path"));
      bool listed = false;
      for (const ManifestFile& f : files) listed = listed || f.path == file.path;
      if (!listed) {
        return InvalidArgument(at + ".path: \"" + file.path + "\" is not one of spec.format.files");
      }
      RETURN_IF_ERROR(OptionalString(list[i], "role", at, file.role));
      bool known_role = false;
      for (std::string_view role : kRoles) known_role = known_role || role == file.role;
      if (!known_role) {
        return InvalidArgument(at + ".role: unknown role \"" + file.role +
                               "\" (expected single, encoder, decoder, decoder_with_past, "
                               "text_encoder or vision_encoder)");
      }
      execution_files.push_back(std::move(file));
    }
    return Status::Ok();
  }

  Status ReadTensors(const YAML::Node& io, std::string_view key,
                     std::vector<ManifestTensor>& tensors) {
    const std::string list_at = Join("spec.io", key);
    YAML::Node list;
    RETURN_IF_ERROR(Sequence(io, key, "spec.io", /*required=*/false, list));
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = Index(list_at, i);
      if (!list[i].IsMap()) return InvalidArgument(at + ": expected a mapping");
      ManifestTensor tensor;
      RETURN_IF_ERROR(RequiredString(list[i], "name", at, tensor.name));
      std::string dtype;
      RETURN_IF_ERROR(RequiredString(list[i], "dtype", at, dtype));
      const std::optional<DataType> parsed = ParseDataType(dtype);
      if (!parsed) return InvalidArgument(at + ".dtype: unknown dtype \"" + dtype + "\"");
      tensor.dtype = *parsed;
      YAML::Node shape;
      RETURN_IF_ERROR(Sequence(list[i], "shape", at, /*required=*/false, shape));
      for (size_t d = 0; d < shape.size(); ++d) {
        int64_t dim = 0;
        RETURN_IF_ERROR(ParseInteger(shape[d], Index(at + ".shape", d), -1, dim));
        tensor.shape.push_back(dim);
      }
      tensors.push_back(std::move(tensor));
    }
    return Status::Ok();
  }
};

void EmitTensors(YAML::Emitter& out, const char* key, const std::vector<ManifestTensor>& tensors) {
  out << YAML::Key << key << YAML::Value;
  if (tensors.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const ManifestTensor& tensor : tensors) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << tensor.name;
    out << YAML::Key << "dtype" << YAML::Value << Name(tensor.dtype);
    out << YAML::Key << "shape" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (int64_t dim : tensor.shape) out << dim;
    out << YAML::EndSeq;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace

StatusOr<Manifest> ParseManifest(const std::string& yaml_text) {
  try {
    return ManifestReader().Read(YAML::Load(yaml_text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument("manifest is not valid YAML (line " + std::to_string(e.mark.line + 1) +
                           ", column " + std::to_string(e.mark.column + 1) + "): " + e.msg);
  }
}

std::string SerializeManifest(const Manifest& m) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << m.api_version;
  out << YAML::Key << "kind" << YAML::Value << m.kind;

  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << m.name;
  out << YAML::Key << "namespace" << YAML::Value << m.namespace_;
  out << YAML::Key << "version" << YAML::Value << m.version;
  out << YAML::Key << "description" << YAML::Value << m.description;
  out << YAML::Key << "license" << YAML::Value << m.license;
  out << YAML::Key << "source" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "hub" << YAML::Value << m.source.hub;
  out << YAML::Key << "repo" << YAML::Value << m.source.repo;
  out << YAML::Key << "revision" << YAML::Value << m.source.revision;
  out << YAML::Key << "commit" << YAML::Value << m.source.commit;
  out << YAML::EndMap;
  out << YAML::Key << "created" << YAML::Value << m.created;
  out << YAML::EndMap;

  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "framework" << YAML::Value << m.framework;
  out << YAML::Key << "format" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << m.format_type;
  out << YAML::Key << "execution_format" << YAML::Value << m.execution_format;
  out << YAML::Key << "files" << YAML::Value << YAML::BeginSeq;
  for (const ManifestFile& file : m.files) {
    out << YAML::BeginMap;
    out << YAML::Key << "path" << YAML::Value << file.path;
    out << YAML::Key << "size" << YAML::Value << file.size;
    out << YAML::Key << "sha256" << YAML::Value << file.sha256;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "execution_files" << YAML::Value;
  if (m.execution_files.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const ManifestExecutionFile& file : m.execution_files) {
    out << YAML::BeginMap;
    out << YAML::Key << "path" << YAML::Value << file.path;
    out << YAML::Key << "role" << YAML::Value << file.role;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;  // format
  out << YAML::Key << "io" << YAML::Value << YAML::BeginMap;
  EmitTensors(out, "inputs", m.inputs);
  EmitTensors(out, "outputs", m.outputs);
  out << YAML::EndMap;
  out << YAML::Key << "requirements" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "memory_bytes" << YAML::Value << m.memory_bytes;
  out << YAML::Key << "disk_bytes" << YAML::Value << m.disk_bytes;
  out << YAML::EndMap;
  out << YAML::EndMap;  // spec

  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

StatusOr<Manifest> ReadManifestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open manifest " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Internal("cannot read manifest " + path);
  StatusOr<Manifest> manifest = ParseManifest(text.str());
  if (!manifest.ok()) return manifest.status().WithContext(path);
  return manifest;
}

Status WriteManifestFile(const Manifest& manifest, const std::string& path) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return Internal("cannot create " + temporary);
    out << SerializeManifest(manifest);
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      return Internal("cannot write " + temporary);
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return Internal("cannot rename " + temporary + " to " + path);
  }
  return Status::Ok();
}

}  // namespace mlos
