#include "common/manifest.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
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
      RETURN_IF_ERROR(ReadPreprocessing(io, m.files, m.preprocessing));
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
  Status OptionalInteger(const YAML::Node& parent, std::string_view key, const std::string& at,
                         int64_t minimum, int64_t& out) {
    YAML::Node node = parent[std::string(key)];
    if (!node || node.IsNull()) return Status::Ok();
    return ParseInteger(node, Join(at, key), minimum, out);
  }
  Status OptionalBool(const YAML::Node& parent, std::string_view key, const std::string& at,
                      std::optional<bool>& out) {
    YAML::Node node = parent[std::string(key)];
    if (!node || node.IsNull()) return Status::Ok();
    const std::string text = node.IsScalar() ? node.Scalar() : "";
    if (text == "true" || text == "True") {
      out = true;
    } else if (text == "false" || text == "False") {
      out = false;
    } else {
      return InvalidArgument(Join(at, key) + ": expected true or false");
    }
    return Status::Ok();
  }
  static Status ParseNumber(const YAML::Node& node, const std::string& at, double& out) {
    if (!node.IsScalar()) return InvalidArgument(at + ": expected a number");
    const std::string& text = node.Scalar();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(out)) {
      return InvalidArgument(at + ": expected a finite number, got \"" + text + "\"");
    }
    return Status::Ok();
  }
  Status OptionalNumbers(const YAML::Node& parent, std::string_view key, const std::string& at,
                         std::vector<double>& out) {
    YAML::Node list;
    RETURN_IF_ERROR(Sequence(parent, key, at, /*required=*/false, list));
    for (size_t i = 0; i < list.size(); ++i) {
      double value = 0;
      RETURN_IF_ERROR(ParseNumber(list[i], Index(Join(at, key), i), value));
      out.push_back(value);
    }
    return Status::Ok();
  }
  Status OptionalStrings(const YAML::Node& parent, std::string_view key, const std::string& at,
                         std::vector<std::string>& out) {
    YAML::Node list;
    RETURN_IF_ERROR(Sequence(parent, key, at, /*required=*/false, list));
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].IsScalar())
        return InvalidArgument(Index(Join(at, key), i) + ": expected a string");
      out.push_back(list[i].Scalar());
    }
    return Status::Ok();
  }
  // A string that, when present, is one of `allowed`.
  Status OptionalChoice(const YAML::Node& parent, std::string_view key, const std::string& at,
                        std::initializer_list<std::string_view> allowed, std::string& out) {
    RETURN_IF_ERROR(OptionalString(parent, key, at, out));
    if (out.empty()) return Status::Ok();
    std::string expected;
    for (std::string_view choice : allowed) {
      if (out == choice) return Status::Ok();
      expected += (expected.empty() ? "" : " or ") + std::string(choice);
    }
    return InvalidArgument(Join(at, key) + ": expected " + expected + ", got \"" + out + "\"");
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

  Status ReadImageSize(const YAML::Node& parent, std::string_view key, const std::string& at,
                       ManifestImageSize& out) {
    YAML::Node node;
    RETURN_IF_ERROR(OptionalMap(parent, key, at, node));
    if (!node.IsMap()) return Status::Ok();
    const std::string here = Join(at, key);
    for (auto [name, field] : {std::pair{"height", &out.height}, std::pair{"width", &out.width},
                               std::pair{"shortest_edge", &out.shortest_edge},
                               std::pair{"longest_edge", &out.longest_edge}}) {
      int64_t value = 0;
      RETURN_IF_ERROR(OptionalInteger(node, name, here, 1, value));
      *field = static_cast<uint64_t>(value);
    }
    if ((out.height == 0) != (out.width == 0)) {
      return InvalidArgument(here + ": height and width come together");
    }
    if (out.empty()) {
      return InvalidArgument(here + ": expected height and width, or shortest_edge/longest_edge");
    }
    return Status::Ok();
  }

  Status ReadModelConfig(const YAML::Node& node, const std::string& at, ManifestModelConfig& out) {
    RETURN_IF_ERROR(OptionalString(node, "type", at, out.model_type));
    RETURN_IF_ERROR(OptionalStrings(node, "architectures", at, out.architectures));
    RETURN_IF_ERROR(OptionalUnsigned(node, "num_labels", at, out.num_labels));
    RETURN_IF_ERROR(OptionalStrings(node, "labels", at, out.labels));
    if (!out.labels.empty() && out.labels.size() != out.num_labels) {
      return InvalidArgument(at + ".labels: " + std::to_string(out.labels.size()) +
                             " labels for num_labels " + std::to_string(out.num_labels));
    }
    return OptionalUnsigned(node, "max_position_embeddings", at, out.max_position_embeddings);
  }

  Status ReadImage(const YAML::Node& node, const std::string& at, ManifestImagePreprocessing& out) {
    RETURN_IF_ERROR(OptionalString(node, "processor", at, out.processor));
    RETURN_IF_ERROR(OptionalBool(node, "do_resize", at, out.do_resize));
    RETURN_IF_ERROR(ReadImageSize(node, "size", at, out.size));
    RETURN_IF_ERROR(OptionalInteger(node, "resample", at, 0, out.resample));
    RETURN_IF_ERROR(OptionalBool(node, "do_center_crop", at, out.do_center_crop));
    RETURN_IF_ERROR(ReadImageSize(node, "crop_size", at, out.crop_size));
    RETURN_IF_ERROR(OptionalBool(node, "do_rescale", at, out.do_rescale));
    YAML::Node factor = node["rescale_factor"];
    if (factor && !factor.IsNull()) {
      double value = 0;
      RETURN_IF_ERROR(ParseNumber(factor, at + ".rescale_factor", value));
      if (value <= 0) return InvalidArgument(at + ".rescale_factor: expected a number > 0");
      out.rescale_factor = value;
    }
    RETURN_IF_ERROR(OptionalBool(node, "do_normalize", at, out.do_normalize));
    RETURN_IF_ERROR(OptionalNumbers(node, "image_mean", at, out.image_mean));
    RETURN_IF_ERROR(OptionalNumbers(node, "image_std", at, out.image_std));
    if (!out.image_mean.empty() && !out.image_std.empty() &&
        out.image_mean.size() != out.image_std.size()) {
      return InvalidArgument(at + ".image_std: " + std::to_string(out.image_std.size()) +
                             " values for " + std::to_string(out.image_mean.size()) +
                             " in image_mean");
    }
    for (size_t i = 0; i < out.image_std.size(); ++i) {
      if (out.image_std[i] == 0) {
        return InvalidArgument(Index(at + ".image_std", i) + ": must not be 0");
      }
    }
    RETURN_IF_ERROR(OptionalChoice(node, "channel_order", at, {"RGB", "BGR"}, out.channel_order));
    return OptionalChoice(node, "data_format", at, {"channels_first", "channels_last"},
                          out.data_format);
  }

  static bool IsRoleName(const std::string& role) {
    if (role.empty()) return false;
    for (char c : role) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
  }

  Status ReadText(const YAML::Node& node, const std::string& at, ManifestTextPreprocessing& out) {
    RETURN_IF_ERROR(OptionalString(node, "tokenizer_class", at, out.tokenizer_class));
    RETURN_IF_ERROR(OptionalString(node, "model", at, out.model));
    RETURN_IF_ERROR(OptionalUnsigned(node, "max_length", at, out.max_length));
    RETURN_IF_ERROR(OptionalChoice(node, "padding_side", at, {"left", "right"}, out.padding_side));
    RETURN_IF_ERROR(
        OptionalChoice(node, "truncation_side", at, {"left", "right"}, out.truncation_side));
    RETURN_IF_ERROR(OptionalBool(node, "lowercase", at, out.lowercase));
    RETURN_IF_ERROR(OptionalUnsigned(node, "vocab_size", at, out.vocab_size));
    YAML::Node tokens;
    RETURN_IF_ERROR(OptionalMap(node, "special_tokens", at, tokens));
    if (!tokens.IsMap()) return Status::Ok();
    for (const auto& entry : tokens) {
      const std::string role = entry.first.IsScalar() ? entry.first.Scalar() : "";
      const std::string here = at + ".special_tokens." + role;
      if (!IsRoleName(role)) {
        return InvalidArgument(at + ".special_tokens: \"" + role +
                               "\" is not a role name (lowercase letters, digits, '_')");
      }
      if (!entry.second.IsMap()) return InvalidArgument(here + ": expected a mapping");
      ManifestSpecialToken token;
      RETURN_IF_ERROR(OptionalString(entry.second, "token", here, token.token));
      RETURN_IF_ERROR(OptionalInteger(entry.second, "id", here, 0, token.id));
      if (token.token.empty() && token.id < 0) {
        return InvalidArgument(here + ": expected a token, an id or both");
      }
      out.special_tokens[role] = std::move(token);
    }
    return Status::Ok();
  }

  Status ReadPreprocessing(const YAML::Node& io, const std::vector<ManifestFile>& files,
                           std::optional<ManifestPreprocessing>& out) {
    const std::string at = "spec.io.preprocessing";
    YAML::Node node;
    RETURN_IF_ERROR(OptionalMap(io, "preprocessing", "spec.io", node));
    if (!node.IsMap()) return Status::Ok();
    ManifestPreprocessing hints;
    RETURN_IF_ERROR(OptionalStrings(node, "sources", at, hints.sources));
    if (hints.sources.empty()) {
      return InvalidArgument(at + ".sources: required field is missing or empty");
    }
    for (size_t i = 0; i < hints.sources.size(); ++i) {
      bool listed = false;
      for (const ManifestFile& f : files) listed = listed || f.path == hints.sources[i];
      if (!listed) {
        return InvalidArgument(Index(at + ".sources", i) + ": \"" + hints.sources[i] +
                               "\" is not one of spec.format.files");
      }
    }
    YAML::Node part;
    RETURN_IF_ERROR(OptionalMap(node, "model", at, part));
    if (part.IsMap()) RETURN_IF_ERROR(ReadModelConfig(part, at + ".model", hints.model));
    part = YAML::Node();
    RETURN_IF_ERROR(OptionalMap(node, "image", at, part));
    if (part.IsMap()) RETURN_IF_ERROR(ReadImage(part, at + ".image", hints.image.emplace()));
    part = YAML::Node();
    RETURN_IF_ERROR(OptionalMap(node, "text", at, part));
    if (part.IsMap()) RETURN_IF_ERROR(ReadText(part, at + ".text", hints.text.emplace()));
    out = std::move(hints);
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

// The shortest text that reads back as the same double ("0.485", not "0.48499999999999999").
std::string NumberText(double value) {
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return error == std::errc() ? std::string(text, end) : "0";
}

template <typename T>
void EmitIf(YAML::Emitter& out, const char* key, bool present, const T& value) {
  if (present) out << YAML::Key << key << YAML::Value << value;
}

void EmitBool(YAML::Emitter& out, const char* key, const std::optional<bool>& value) {
  if (value) out << YAML::Key << key << YAML::Value << (*value ? "true" : "false");
}

void EmitStrings(YAML::Emitter& out, const char* key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  // Quoted, so that YAML readers that type scalars still read "true" or "123" as text.
  for (const std::string& value : values) out << YAML::DoubleQuoted << value;
  out << YAML::EndSeq;
}

void EmitNumbers(YAML::Emitter& out, const char* key, const std::vector<double>& values) {
  if (values.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (double value : values) out << NumberText(value);
  out << YAML::EndSeq;
}

void EmitImageSize(YAML::Emitter& out, const char* key, const ManifestImageSize& size) {
  if (size.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
  EmitIf(out, "height", size.height != 0, size.height);
  EmitIf(out, "width", size.width != 0, size.width);
  EmitIf(out, "shortest_edge", size.shortest_edge != 0, size.shortest_edge);
  EmitIf(out, "longest_edge", size.longest_edge != 0, size.longest_edge);
  out << YAML::EndMap;
}

// Only what the repository states: absent hints are left out rather than written as defaults.
void EmitPreprocessing(YAML::Emitter& out, const ManifestPreprocessing& p) {
  out << YAML::Key << "preprocessing" << YAML::Value << YAML::BeginMap;
  EmitStrings(out, "sources", p.sources);
  const ManifestModelConfig& model = p.model;
  const bool has_model = !model.model_type.empty() || !model.architectures.empty() ||
                         !model.labels.empty() || model.num_labels != 0 ||
                         model.max_position_embeddings != 0;
  if (has_model) out << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
  EmitIf(out, "type", !model.model_type.empty(), model.model_type);
  EmitStrings(out, "architectures", model.architectures);
  EmitIf(out, "num_labels", model.num_labels != 0, model.num_labels);
  EmitStrings(out, "labels", model.labels);
  EmitIf(out, "max_position_embeddings", model.max_position_embeddings != 0,
         model.max_position_embeddings);
  if (has_model) out << YAML::EndMap;
  if (p.image) {
    const ManifestImagePreprocessing& image = *p.image;
    out << YAML::Key << "image" << YAML::Value << YAML::BeginMap;
    EmitIf(out, "processor", !image.processor.empty(), image.processor);
    EmitBool(out, "do_resize", image.do_resize);
    EmitImageSize(out, "size", image.size);
    EmitIf(out, "resample", image.resample >= 0, image.resample);
    EmitBool(out, "do_center_crop", image.do_center_crop);
    EmitImageSize(out, "crop_size", image.crop_size);
    EmitBool(out, "do_rescale", image.do_rescale);
    if (image.rescale_factor) {
      out << YAML::Key << "rescale_factor" << YAML::Value << NumberText(*image.rescale_factor);
    }
    EmitBool(out, "do_normalize", image.do_normalize);
    EmitNumbers(out, "image_mean", image.image_mean);
    EmitNumbers(out, "image_std", image.image_std);
    EmitIf(out, "channel_order", !image.channel_order.empty(), image.channel_order);
    EmitIf(out, "data_format", !image.data_format.empty(), image.data_format);
    out << YAML::EndMap;
  }
  if (p.text) {
    const ManifestTextPreprocessing& text = *p.text;
    out << YAML::Key << "text" << YAML::Value << YAML::BeginMap;
    EmitIf(out, "tokenizer_class", !text.tokenizer_class.empty(), text.tokenizer_class);
    EmitIf(out, "model", !text.model.empty(), text.model);
    EmitIf(out, "max_length", text.max_length != 0, text.max_length);
    EmitIf(out, "padding_side", !text.padding_side.empty(), text.padding_side);
    EmitIf(out, "truncation_side", !text.truncation_side.empty(), text.truncation_side);
    EmitBool(out, "lowercase", text.lowercase);
    EmitIf(out, "vocab_size", text.vocab_size != 0, text.vocab_size);
    if (!text.special_tokens.empty()) {
      out << YAML::Key << "special_tokens" << YAML::Value << YAML::BeginMap;
      for (const auto& [role, token] : text.special_tokens) {
        out << YAML::Key << role << YAML::Value << YAML::Flow << YAML::BeginMap;
        if (!token.token.empty()) {
          out << YAML::Key << "token" << YAML::Value << YAML::DoubleQuoted << token.token;
        }
        EmitIf(out, "id", token.id >= 0, token.id);
        out << YAML::EndMap;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
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
  if (m.preprocessing) EmitPreprocessing(out, *m.preprocessing);
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
