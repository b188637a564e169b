// TfIdfVectorizer (opset 9): counts, in each row of a [C] or [N, C] int32/int64/string tensor, the
// n-grams of a fixed pool and writes them to output coordinates ngram_indexes ([K] or [N, K],
// K = max(ngram_indexes) + 1, float). An n-gram takes items `stride` apart, stride 1 to
// max_skip_count + 1, each (start, stride) counted once; a 1-gram counts once per position.
// Mode TF writes the count, IDF the weight where the count is nonzero, TFIDF count * weight
// (weights default to 1).
#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/elementwise/kernel_helpers.h"

namespace mlos::engine {
namespace {

enum class Weighting { kTermFrequency, kInverseDocumentFrequency, kBoth };

// The pool's n-grams as a trie: node 0 is the root, a path of tokens spells an n-gram, and the
// node it ends at holds the n-gram's position in the pool.
template <typename Token>
class NgramTrie {
 public:
  NgramTrie() : children_(1), grams_(1, -1) {}

  void Add(std::span<const Token> gram, int64_t position) {
    int32_t node = 0;
    for (const Token& token : gram) {
      auto [child, added] = children_[node].try_emplace(token, static_cast<int32_t>(grams_.size()));
      if (added) {
        children_.emplace_back();
        grams_.push_back(-1);
      }
      node = child->second;
    }
    grams_[node] = position;
  }
  // The node below `node` along `token`, or -1.
  int32_t Child(int32_t node, const Token& token) const {
    auto child = children_[node].find(token);
    return child == children_[node].end() ? -1 : child->second;
  }
  // The pool position of the n-gram ending at `node`, or -1.
  int64_t Gram(int32_t node) const { return grams_[node]; }

 private:
  std::vector<std::unordered_map<Token, int32_t>> children_;
  std::vector<int64_t> grams_;
};

struct Settings {
  Weighting weighting;
  int64_t min_gram_length, max_gram_length, max_skip_count;
  std::vector<int64_t> ngram_indexes;
  std::vector<float> weights;  // one per pool n-gram
  int64_t output_size;
};

// Token is int64_t for pool_int64s, std::string for pool_strings.
template <typename Token>
class TfIdfVectorizerKernel final : public Kernel {
 public:
  TfIdfVectorizerKernel(Settings settings, NgramTrie<Token> trie)
      : settings_(std::move(settings)), trie_(std::move(trie)) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    constexpr bool kStrings = std::is_same_v<Token, std::string>;
    if (kStrings != (input.dtype() == DataType::kString) ||
        (!kStrings && input.dtype() != DataType::kInt32 && input.dtype() != DataType::kInt64)) {
      return InvalidArgument(std::string("input 0 (X): expected ") +
                             (kStrings ? "string (the pool is pool_strings)"
                                       : "int32 or int64 (the pool is pool_int64s)") +
                             ", got " + Name(input.dtype()));
    }
    if (shape.size() != 1 && shape.size() != 2) {
      return InvalidArgument("input 0 (X): expected shape [C] or [N, C], got " +
                             ShapeToString(shape));
    }
    const int64_t rows = shape.size() == 1 ? 1 : shape[0];
    const int64_t columns = shape.back();
    const int64_t width = settings_.output_size;
    Tensor output(DataType::kFloat32, shape.size() == 1 ? Shape{width} : Shape{rows, width});
    float* out = output.data<float>();
    ParallelFor(
        context.pool, rows,
        static_cast<double>(columns * settings_.max_gram_length * (settings_.max_skip_count + 1)),
        [&](int64_t begin, int64_t end) {
          std::vector<int64_t> counts(settings_.ngram_indexes.size());
          for (int64_t row = begin; row < end; ++row) {
            std::fill(counts.begin(), counts.end(), 0);
            if constexpr (kStrings) {
              Count(input.strings().data() + row * columns, columns, counts);
            } else if (input.dtype() == DataType::kInt64) {
              Count(input.data<int64_t>() + row * columns, columns, counts);
            } else {
              const int32_t* values = input.data<int32_t>() + row * columns;
              Count(std::vector<int64_t>(values, values + columns).data(), columns, counts);
            }
            Write(counts, out + row * width);
          }
        });
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  void Count(const Token* tokens, int64_t columns, std::vector<int64_t>& counts) const {
    for (int64_t start = 0; start < columns; ++start) {
      for (int64_t stride = 1; stride <= settings_.max_skip_count + 1; ++stride) {
        int32_t node = 0;
        for (int64_t n = 1; n <= settings_.max_gram_length; ++n) {
          const int64_t at = start + (n - 1) * stride;
          if (at >= columns || (node = trie_.Child(node, tokens[at])) < 0) break;
          if (n < settings_.min_gram_length || (n == 1 && stride > 1)) continue;
          if (const int64_t gram = trie_.Gram(node); gram >= 0) ++counts[gram];
        }
      }
    }
  }

  void Write(const std::vector<int64_t>& counts, float* out) const {
    for (size_t gram = 0; gram < counts.size(); ++gram) {
      if (counts[gram] == 0) continue;
      const float count = static_cast<float>(counts[gram]);
      const float weight = settings_.weights[gram];
      float value = count;
      if (settings_.weighting == Weighting::kInverseDocumentFrequency) value = weight;
      if (settings_.weighting == Weighting::kBoth) value = count * weight;
      out[settings_.ngram_indexes[gram]] = value;
    }
  }

  const Settings settings_;
  const NgramTrie<Token> trie_;
};

// Splits the pool into n-grams by ngram_counts (the start of the 1-grams, 2-grams, ...) and
// builds the kernel.
template <typename Token>
StatusOr<std::unique_ptr<Kernel>> Build(Settings settings, const std::vector<Token>& pool,
                                        const std::vector<int64_t>& ngram_counts) {
  NgramTrie<Token> trie;
  int64_t position = 0;
  for (size_t group = 0; group < ngram_counts.size(); ++group) {
    const int64_t begin = ngram_counts[group];
    const int64_t end = group + 1 < ngram_counts.size() ? ngram_counts[group + 1]
                                                        : static_cast<int64_t>(pool.size());
    const int64_t n = static_cast<int64_t>(group) + 1;
    if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()) ||
        (end - begin) % n != 0) {
      return InvalidArgument("attribute ngram_counts: the " + std::to_string(n) +
                             "-grams span pool entries [" + std::to_string(begin) + ", " +
                             std::to_string(end) + "), not a whole number of " + std::to_string(n) +
                             "-grams within the pool of " + std::to_string(pool.size()));
    }
    for (int64_t at = begin; at < end; at += n, ++position) {
      trie.Add(std::span<const Token>(pool.data() + at, static_cast<size_t>(n)), position);
    }
  }
  if (position != static_cast<int64_t>(settings.ngram_indexes.size())) {
    return InvalidArgument("attribute ngram_indexes: has " +
                           std::to_string(settings.ngram_indexes.size()) +
                           " entries for a pool of " + std::to_string(position) + " n-grams");
  }
  if (settings.weights.empty()) settings.weights.assign(settings.ngram_indexes.size(), 1.0f);
  if (settings.weights.size() != settings.ngram_indexes.size()) {
    return InvalidArgument("attribute weights: has " + std::to_string(settings.weights.size()) +
                           " entries for a pool of " + std::to_string(position) + " n-grams");
  }
  return std::unique_ptr<Kernel>(
      new TfIdfVectorizerKernel<Token>(std::move(settings), std::move(trie)));
}

StatusOr<std::unique_ptr<Kernel>> CreateTfIdfVectorizer(const KernelInit& init) {
  RETURN_IF_ERROR(CheckInputCount(init, 1, 1));
  const NodeAttributes& attributes = init.attributes;
  Settings settings;
  const std::string mode = attributes.GetString("mode", "");
  if (mode == "TF") {
    settings.weighting = Weighting::kTermFrequency;
  } else if (mode == "IDF") {
    settings.weighting = Weighting::kInverseDocumentFrequency;
  } else if (mode == "TFIDF") {
    settings.weighting = Weighting::kBoth;
  } else {
    return InvalidArgument("attribute mode: expected TF, IDF or TFIDF, got '" + mode + "'");
  }
  settings.min_gram_length = attributes.GetInt("min_gram_length", 0);
  settings.max_gram_length = attributes.GetInt("max_gram_length", 0);
  settings.max_skip_count = attributes.GetInt("max_skip_count", 0);
  if (settings.min_gram_length < 1 || settings.max_gram_length < settings.min_gram_length ||
      settings.max_skip_count < 0) {
    return InvalidArgument(
        "attributes min_gram_length, max_gram_length, max_skip_count: expected "
        "1 <= min <= max and skips >= 0, got " +
        std::to_string(settings.min_gram_length) + ", " + std::to_string(settings.max_gram_length) +
        ", " + std::to_string(settings.max_skip_count));
  }
  settings.ngram_indexes = attributes.GetInts("ngram_indexes");
  settings.weights = attributes.GetFloats("weights");
  settings.output_size = 0;
  for (int64_t index : settings.ngram_indexes) {
    if (index < 0) {
      return InvalidArgument("attribute ngram_indexes: " + std::to_string(index) + " is negative");
    }
    settings.output_size = std::max(settings.output_size, index + 1);
  }
  const std::vector<int64_t> ngram_counts = attributes.GetInts("ngram_counts");
  const bool has_integers = attributes.Has("pool_int64s");
  if (has_integers == attributes.Has("pool_strings")) {
    return InvalidArgument(
        "exactly one of the attributes pool_int64s and pool_strings is required");
  }
  if (has_integers) {
    return Build(std::move(settings), attributes.GetInts("pool_int64s"), ngram_counts);
  }
  return Build(std::move(settings), attributes.GetStrings("pool_strings"), ngram_counts);
}

}  // namespace

void RegisterTfIdfVectorizerKernel(KernelRegistry& registry) {
  registry.Register({"",
                     "TfIdfVectorizer",
                     9,
                     1 << 30,
                     {DataType::kString, DataType::kInt32, DataType::kInt64},
                     &CreateTfIdfVectorizer});
}

}  // namespace mlos::engine
