#include "axon/preprocessing_hints.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string_view>

namespace mlos::axon {
namespace {

using Json = nlohmann::json;

constexpr int kMaxJsonDepth = 64;
constexpr size_t kMaxNameBytes = 256;  // a class name, a token, a label
constexpr size_t kMaxArchitectures = 16;
constexpr uint64_t kMaxImageEdge = 1u << 16;
constexpr uint64_t kMaxSequenceLength = 1u << 24;  // beyond: "no limit" sentinels such as 1e30
constexpr uint64_t kMaxVocabulary = 1u << 24;
constexpr std::array<std::string_view, 7> kTokenRoles = {"cls",  "sep", "pad", "unk",
                                                         "mask", "bos", "eos"};

// The object in `text`, or nullptr when it is not JSON, too deep or not an object. The depth
// limit keeps "[[[[..." from building a huge tree: deeper values are discarded while parsing.
std::optional<Json> ParseObject(const std::string& text) {
  bool too_deep = false;
  const Json::parser_callback_t limit_depth = [&](int depth, Json::parse_event_t, Json&) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return depth <= kMaxJsonDepth;
  };
  Json json = Json::parse(text, limit_depth, /*allow_exceptions=*/false);
  if (json.is_discarded() || too_deep || !json.is_object()) return std::nullopt;
  return json;
}

const Json* Field(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// A short printable string (no control characters: they would only be noise in a manifest).
std::optional<std::string> Text(const Json* value) {
  if (value == nullptr || !value->is_string()) return std::nullopt;
  const std::string& text = value->get_ref<const std::string&>();
  if (text.empty() || text.size() > kMaxNameBytes) return std::nullopt;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  return text;
}

// A whole number in [minimum, maximum]; floats only when integral (512.0).
std::optional<uint64_t> Count(const Json* value, uint64_t minimum, uint64_t maximum) {
  if (value == nullptr) return std::nullopt;
  double number = 0;
  if (value->is_number_unsigned()) {
    const uint64_t n = value->get<uint64_t>();
    return n >= minimum && n <= maximum ? std::optional(n) : std::nullopt;
  }
  if (value->is_number_integer()) return std::nullopt;  // negative
  if (!value->is_number_float()) return std::nullopt;
  number = value->get<double>();
  if (!std::isfinite(number) || number != std::floor(number) || number < double(minimum) ||
      number > double(maximum)) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(number);
}

std::optional<bool> Bool(const Json* value) {
  if (value == nullptr || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

std::optional<double> Number(const Json* value) {
  if (value == nullptr || !value->is_number()) return std::nullopt;
  const double number = value->get<double>();
  return std::isfinite(number) ? std::optional(number) : std::nullopt;
}

// ---- config.json ------------------------------------------------------------------------------

// id2label {"0": "cat", "1": "dog"} in id order; nullopt unless the ids are exactly 0..n-1.
std::optional<std::vector<std::string>> LabelsInIdOrder(const Json* id2label) {
  if (id2label == nullptr || !id2label->is_object() || id2label->empty()) return std::nullopt;
  std::vector<std::optional<std::string>> by_id(id2label->size());
  for (const auto& [key, value] : id2label->items()) {
    uint64_t parsed = 0;
    if (key.empty() || key.size() > 9) return std::nullopt;
    for (char c : key) {
      if (c < '0' || c > '9') return std::nullopt;
      parsed = parsed * 10 + static_cast<uint64_t>(c - '0');
    }
    if (parsed >= by_id.size() || by_id[parsed]) return std::nullopt;
    const bool empty_label = value.is_string() && value.get_ref<const std::string&>().empty();
    std::optional<std::string> label = empty_label ? std::optional<std::string>("") : Text(&value);
    if (!label) return std::nullopt;
    by_id[parsed] = std::move(label);
  }
  std::vector<std::string> labels;
  for (std::optional<std::string>& label : by_id) labels.push_back(std::move(*label));
  return labels;
}

bool ReadModelConfig(const Json& config, ManifestModelConfig& out) {
  bool found = false;
  if (std::optional<std::string> type = Text(Field(config, "model_type"))) {
    out.model_type = *type;
    found = true;
  }
  if (const Json* list = Field(config, "architectures"); list && list->is_array()) {
    for (const Json& item : *list) {
      const std::optional<std::string> name = Text(&item);
      if (name && out.architectures.size() < kMaxArchitectures) out.architectures.push_back(*name);
    }
    found = found || !out.architectures.empty();
  }
  const Json* id2label = Field(config, "id2label");
  if (std::optional<std::vector<std::string>> labels = LabelsInIdOrder(id2label)) {
    out.num_labels = labels->size();
    if (labels->size() <= kMaxInlineLabels) out.labels = std::move(*labels);
  } else if (std::optional<uint64_t> n = Count(Field(config, "num_labels"), 1, 1u << 24)) {
    out.num_labels = *n;
  }
  found = found || out.num_labels != 0;
  for (const char* key : {"max_position_embeddings", "n_positions"}) {
    if (std::optional<uint64_t> n = Count(Field(config, key), 1, kMaxSequenceLength)) {
      out.max_position_embeddings = *n;
      found = true;
      break;
    }
  }
  return found;
}

// ---- preprocessor_config.json -----------------------------------------------------------------

// `size` / `crop_size`: a number (a square, or the shortest edge when `number_is_edge`) or an
// object {height, width} / {shortest_edge[, longest_edge]}.
ManifestImageSize ImageSize(const Json* value, bool number_is_edge) {
  ManifestImageSize size;
  if (value == nullptr) return size;
  if (std::optional<uint64_t> edge = Count(value, 1, kMaxImageEdge)) {
    if (number_is_edge) {
      size.shortest_edge = *edge;
    } else {
      size.height = size.width = *edge;
    }
    return size;
  }
  const auto dim = [&](const char* key) {
    return Count(Field(*value, key), 1, kMaxImageEdge).value_or(0);
  };
  size.height = dim("height");
  size.width = dim("width");
  if (size.height == 0 || size.width == 0) size.height = size.width = 0;
  size.shortest_edge = dim("shortest_edge");
  size.longest_edge = dim("longest_edge");
  return size;
}

// Per-channel values: a list of 1 to 4 finite numbers, or one number.
std::vector<double> Channels(const Json* value) {
  if (value == nullptr) return {};
  if (std::optional<double> one = Number(value)) return {*one};
  if (!value->is_array() || value->empty() || value->size() > 4) return {};
  std::vector<double> values;
  for (const Json& item : *value) {
    const std::optional<double> number = Number(&item);
    if (!number) return {};
    values.push_back(*number);
  }
  return values;
}

bool ReadImage(const Json& config, ManifestImagePreprocessing& out) {
  out.do_resize = Bool(Field(config, "do_resize"));
  out.do_center_crop = Bool(Field(config, "do_center_crop"));
  // A bare number is a square unless the image is center-cropped afterwards (CLIP style: resize
  // the shortest edge, then crop), as Hugging Face's image processors read it.
  const bool crops = out.do_center_crop.value_or(false) || Field(config, "crop_size") != nullptr;
  out.size = ImageSize(Field(config, "size"), crops);
  out.crop_size = ImageSize(Field(config, "crop_size"), false);
  if (std::optional<uint64_t> resample = Count(Field(config, "resample"), 0, 5)) {
    out.resample = static_cast<int64_t>(*resample);
  }
  out.do_rescale = Bool(Field(config, "do_rescale"));
  if (std::optional<double> factor = Number(Field(config, "rescale_factor"));
      factor && *factor > 0) {
    out.rescale_factor = factor;
  }
  out.do_normalize = Bool(Field(config, "do_normalize"));
  out.image_mean = Channels(Field(config, "image_mean"));
  out.image_std = Channels(Field(config, "image_std"));
  bool std_is_usable = true;
  for (double value : out.image_std) std_is_usable = std_is_usable && value != 0;
  if (!std_is_usable || (!out.image_mean.empty() && !out.image_std.empty() &&
                         out.image_mean.size() != out.image_std.size())) {
    out.image_mean.clear();
    out.image_std.clear();
  }
  const bool found = out.do_resize || out.do_center_crop || !out.size.empty() ||
                     !out.crop_size.empty() || out.resample >= 0 || out.do_rescale ||
                     out.rescale_factor || out.do_normalize || !out.image_mean.empty() ||
                     !out.image_std.empty();
  if (!found) return false;  // e.g. an audio feature extractor: nothing for images
  for (const char* key : {"image_processor_type", "feature_extractor_type"}) {
    if (std::optional<std::string> name = Text(Field(config, key))) {
      out.processor = *name;
      break;
    }
  }
  // Hugging Face image processors take RGB images and give channels-first arrays by default.
  out.channel_order = "RGB";
  const std::optional<std::string> format = Text(Field(config, "data_format"));
  out.data_format = format == "channels_last" ? "channels_last" : "channels_first";
  return true;
}

// ---- tokenizer files --------------------------------------------------------------------------

// A special token's text: "[CLS]" or an AddedToken object {"content": "[CLS]", ...}.
std::optional<std::string> TokenText(const Json* value) {
  if (value != nullptr && value->is_object()) return Text(Field(*value, "content"));
  return Text(value);
}

void ReadSpecialTokenNames(const Json& config, ManifestTextPreprocessing& out) {
  for (std::string_view role : kTokenRoles) {
    const std::string key = std::string(role) + "_token";
    if (out.special_tokens.contains(std::string(role))) continue;
    if (std::optional<std::string> token = TokenText(Field(config, key))) {
      out.special_tokens[std::string(role)].token = *token;
    }
  }
}

bool ReadTokenizerConfig(const Json& config, ManifestTextPreprocessing& out) {
  if (std::optional<std::string> name = Text(Field(config, "tokenizer_class"))) {
    out.tokenizer_class = *name;
  }
  if (std::optional<uint64_t> n = Count(Field(config, "model_max_length"), 1, kMaxSequenceLength)) {
    out.max_length = *n;
  }
  for (auto [key, side] : {std::pair{"padding_side", &out.padding_side},
                           std::pair{"truncation_side", &out.truncation_side}}) {
    const std::optional<std::string> value = Text(Field(config, key));
    if (value == "left" || value == "right") *side = *value;
  }
  out.lowercase = Bool(Field(config, "do_lower_case"));
  ReadSpecialTokenNames(config, out);
  return !out.tokenizer_class.empty() || out.max_length != 0 || !out.padding_side.empty() ||
         !out.truncation_side.empty() || out.lowercase || !out.special_tokens.empty();
}

// Lowercasing by a tokenizer.json normalizer: BertNormalizer{lowercase}, Lowercase, or either
// inside a Sequence.
std::optional<bool> NormalizerLowercases(const Json* normalizer, int depth = 0) {
  if (normalizer == nullptr || !normalizer->is_object() || depth > 4) return std::nullopt;
  const std::optional<std::string> type = Text(Field(*normalizer, "type"));
  if (type == "Lowercase") return true;
  if (type == "BertNormalizer") return Bool(Field(*normalizer, "lowercase"));
  if (type == "Sequence") {
    const Json* list = Field(*normalizer, "normalizers");
    if (list == nullptr || !list->is_array()) return std::nullopt;
    bool lowercases = false;
    for (const Json& item : *list)
      lowercases = NormalizerLowercases(&item, depth + 1).value_or(false) || lowercases;
    return lowercases;
  }
  return std::nullopt;
}

// The vocabulary of tokenizer.json: token -> id for the tokens of interest, and the vocabulary size
// (largest id + 1, added tokens included).
struct Vocabulary {
  std::map<std::string, int64_t> ids;
  uint64_t size = 0;
};

void Note(Vocabulary& vocabulary, const std::string& token, uint64_t id) {
  vocabulary.size = std::max(vocabulary.size, id + 1);
  vocabulary.ids.emplace(token, static_cast<int64_t>(id));
}

Vocabulary ReadVocabulary(const Json& tokenizer) {
  Vocabulary vocabulary;
  const Json* model = Field(tokenizer, "model");
  const Json* vocab = model ? Field(*model, "vocab") : nullptr;
  if (vocab != nullptr && vocab->is_object()) {  // WordPiece, BPE, WordLevel: {token: id}
    for (const auto& [token, id] : vocab->items()) {
      if (std::optional<uint64_t> n = Count(&id, 0, kMaxVocabulary - 1))
        Note(vocabulary, token, *n);
    }
  } else if (vocab != nullptr && vocab->is_array()) {  // Unigram: [[token, score], ...]
    uint64_t id = 0;
    for (const Json& entry : *vocab) {
      if (id >= kMaxVocabulary) break;
      if (entry.is_array() && !entry.empty() && entry[0].is_string()) {
        Note(vocabulary, entry[0].get<std::string>(), id);
      }
      ++id;
    }
    vocabulary.size = std::max(vocabulary.size, id);
  }
  if (const Json* added = Field(tokenizer, "added_tokens"); added && added->is_array()) {
    for (const Json& token : *added) {
      const std::optional<std::string> content = Text(Field(token, "content"));
      const std::optional<uint64_t> id = Count(Field(token, "id"), 0, kMaxVocabulary - 1);
      if (content && id) {
        vocabulary.ids[*content] = static_cast<int64_t>(*id);  // added tokens win
        vocabulary.size = std::max(vocabulary.size, *id + 1);
      }
    }
  }
  return vocabulary;
}

// [CLS]/[SEP] of a BertProcessing/RobertaProcessing post-processor: {"cls": ["[CLS]", 101]}.
void ReadPostProcessorTokens(const Json& tokenizer, ManifestTextPreprocessing& out) {
  const Json* processor = Field(tokenizer, "post_processor");
  if (processor == nullptr) return;
  for (const char* role : {"cls", "sep"}) {
    const Json* pair = Field(*processor, role);
    if (pair == nullptr || !pair->is_array() || pair->size() != 2) continue;
    const std::optional<std::string> token = Text(&(*pair)[0]);
    const std::optional<uint64_t> id = Count(&(*pair)[1], 0, kMaxVocabulary - 1);
    if (!token || out.special_tokens.contains(role)) continue;
    out.special_tokens[role] = {*token, id ? static_cast<int64_t>(*id) : -1};
  }
}

bool ReadTokenizerJson(const Json& tokenizer, ManifestTextPreprocessing& out, Vocabulary& vocab) {
  bool found = false;
  if (const Json* model = Field(tokenizer, "model")) {
    if (std::optional<std::string> type = Text(Field(*model, "type"))) {
      out.model = *type;
      found = true;
    }
  }
  vocab = ReadVocabulary(tokenizer);
  if (vocab.size != 0) {
    out.vocab_size = vocab.size;
    found = true;
  }
  if (!out.lowercase) {
    out.lowercase = NormalizerLowercases(Field(tokenizer, "normalizer"));
    found = found || out.lowercase;
  }
  if (const Json* truncation = Field(tokenizer, "truncation"); out.max_length == 0 && truncation) {
    out.max_length = Count(Field(*truncation, "max_length"), 1, kMaxSequenceLength).value_or(0);
    found = found || out.max_length != 0;
  }
  if (const Json* padding = Field(tokenizer, "padding"); padding && padding->is_object()) {
    const std::optional<std::string> direction = Text(Field(*padding, "direction"));
    if (out.padding_side.empty() && (direction == "Left" || direction == "Right")) {
      out.padding_side = direction == "Left" ? "left" : "right";
      found = true;
    }
    if (!out.special_tokens.contains("pad")) {
      if (std::optional<std::string> token = Text(Field(*padding, "pad_token"))) {
        out.special_tokens["pad"].token = *token;
        found = true;
      }
    }
  }
  const size_t tokens_before = out.special_tokens.size();
  ReadPostProcessorTokens(tokenizer, out);
  return found || out.special_tokens.size() != tokens_before;
}

// Ids of the special tokens: from the vocabulary by their text, else config.json's
// pad/bos/eos_token_id. A token whose text is not in a known vocabulary keeps id -1.
void ResolveTokenIds(const Vocabulary& vocab, const std::optional<Json>& config,
                     ManifestTextPreprocessing& out) {
  for (auto& [role, token] : out.special_tokens) {
    if (token.id >= 0) continue;
    if (const auto it = vocab.ids.find(token.token); it != vocab.ids.end()) token.id = it->second;
  }
  if (!config) return;
  for (const char* role : {"pad", "bos", "eos"}) {
    const std::optional<uint64_t> id =
        Count(Field(*config, std::string(role) + "_token_id"), 0, kMaxVocabulary - 1);
    if (!id) continue;
    ManifestSpecialToken& token = out.special_tokens[role];
    if (token.id < 0) token.id = static_cast<int64_t>(*id);
  }
}

std::optional<Json> ObjectOf(const std::map<std::string, std::string>& texts,
                             const std::string& name) {
  const auto it = texts.find(name);
  return it == texts.end() ? std::nullopt : ParseObject(it->second);
}

// The first `limit` + 1 bytes of a file at most: enough to tell that it is too large.
std::optional<std::string> ReadBounded(const std::string& path, uint64_t limit) {
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(path, error);
  if (error || size > limit) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) return std::nullopt;
  return text;
}

}  // namespace

std::optional<ManifestPreprocessing> ExtractPreprocessingHints(
    const std::map<std::string, std::string>& texts) {
  ManifestPreprocessing hints;
  const std::optional<Json> config = ObjectOf(texts, "config.json");
  if (config && ReadModelConfig(*config, hints.model)) hints.sources.push_back("config.json");

  if (const std::optional<Json> preprocessor = ObjectOf(texts, "preprocessor_config.json")) {
    ManifestImagePreprocessing image;
    if (ReadImage(*preprocessor, image)) {
      hints.image = std::move(image);
      hints.sources.push_back("preprocessor_config.json");
    }
  }

  ManifestTextPreprocessing text;
  Vocabulary vocab;
  // tokenizer_config.json first: its settings win over tokenizer.json's, which fill the gaps.
  if (const std::optional<Json> tc = ObjectOf(texts, "tokenizer_config.json");
      tc && ReadTokenizerConfig(*tc, text)) {
    hints.sources.push_back("tokenizer_config.json");
  }
  if (const std::optional<Json> map = ObjectOf(texts, "special_tokens_map.json")) {
    const size_t before = text.special_tokens.size();
    ReadSpecialTokenNames(*map, text);
    if (text.special_tokens.size() != before) hints.sources.push_back("special_tokens_map.json");
  }
  if (const std::optional<Json> tj = ObjectOf(texts, "tokenizer.json");
      tj && ReadTokenizerJson(*tj, text, vocab)) {
    hints.sources.push_back("tokenizer.json");
  }
  const bool has_text = !text.tokenizer_class.empty() || !text.model.empty() ||
                        text.max_length != 0 || !text.padding_side.empty() ||
                        !text.truncation_side.empty() || text.lowercase || text.vocab_size != 0 ||
                        !text.special_tokens.empty();
  if (has_text) {
    ResolveTokenIds(vocab, config, text);
    hints.text = std::move(text);
  }
  if (hints.sources.empty()) return std::nullopt;
  return hints;
}

std::optional<ManifestPreprocessing> ReadPreprocessingHints(
    const std::string& package_dir, const std::vector<ManifestFile>& package_files) {
  std::map<std::string, std::string> texts;
  for (const char* name : kHintFileNames) {
    bool listed = false;
    for (const ManifestFile& file : package_files) listed = listed || file.path == name;
    if (!listed) continue;
    const uint64_t limit =
        std::string_view(name) == "tokenizer.json" ? kMaxTokenizerFileBytes : kMaxHintFileBytes;
    if (std::optional<std::string> text = ReadBounded(package_dir + "/" + name, limit)) {
      texts.emplace(name, std::move(*text));
    }
  }
  return ExtractPreprocessingHints(texts);
}

}  // namespace mlos::axon
