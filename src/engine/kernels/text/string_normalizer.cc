// StringNormalizer (opset 10): drops the stopwords from a [C] or [1, C] string tensor, then
// lowercases, uppercases or keeps the rest. When every element is dropped the output is one
// empty string, of shape [1] or [1, 1].
//
// Case mapping is our own, locale-independent and UTF-8 aware: it maps ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic letters (case_mapping.h), leaves every other code point and
// any invalid UTF-8 byte unchanged, and ignores the `locale` attribute. Case-insensitive stopword
// matching compares lowercased strings.
#include <memory>
#include <string>
#include <unordered_set>

#include "engine/kernel_registry.h"
#include "engine/kernels/elementwise/kernel_helpers.h"
#include "engine/kernels/text/case_mapping.h"

namespace mlos::engine {
namespace {

enum class CaseChange { kNone, kLower, kUpper };

class StringNormalizerKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    RETURN_IF_ERROR(CheckInputCount(init, 1, 1));
    const std::string action = init.attributes.GetString("case_change_action", "NONE");
    CaseChange change;
    if (action == "NONE") {
      change = CaseChange::kNone;
    } else if (action == "LOWER") {
      change = CaseChange::kLower;
    } else if (action == "UPPER") {
      change = CaseChange::kUpper;
    } else {
      return InvalidArgument("attribute case_change_action: expected LOWER, UPPER or NONE, got '" +
                             action + "'");
    }
    const bool case_sensitive = init.attributes.GetInt("is_case_sensitive", 0) != 0;
    std::unordered_set<std::string> stopwords;
    for (const std::string& word : init.attributes.GetStrings("stopwords")) {
      stopwords.insert(case_sensitive ? word : ToLowerUtf8(word));
    }
    return std::unique_ptr<Kernel>(
        new StringNormalizerKernel(change, case_sensitive, std::move(stopwords)));
  }

  Status Compute(KernelContext& context) const override {
    const Tensor& input = context.input(0);
    const Shape& shape = input.shape();
    if (input.dtype() != DataType::kString ||
        !(shape.size() == 1 || (shape.size() == 2 && shape[0] == 1))) {
      return InvalidArgument(
          std::string("input 0 (X): expected a string tensor of shape [C] or [1, C], got ") +
          Name(input.dtype()) + " of shape " + ShapeToString(shape));
    }
    std::vector<std::string> kept;
    for (const std::string& word : input.strings()) {
      if (stopwords_.count(case_sensitive_ ? word : ToLowerUtf8(word)) != 0) continue;
      switch (change_) {
        case CaseChange::kNone:
          kept.push_back(word);
          break;
        case CaseChange::kLower:
          kept.push_back(ToLowerUtf8(word));
          break;
        case CaseChange::kUpper:
          kept.push_back(ToUpperUtf8(word));
          break;
      }
    }
    if (kept.empty()) kept.emplace_back();
    const int64_t count = static_cast<int64_t>(kept.size());
    Tensor output(DataType::kString, shape.size() == 1 ? Shape{count} : Shape{1, count});
    output.strings() = std::move(kept);
    context.outputs[0] = std::move(output);
    return Status::Ok();
  }

 private:
  StringNormalizerKernel(CaseChange change, bool case_sensitive,
                         std::unordered_set<std::string> stopwords)
      : change_(change), case_sensitive_(case_sensitive), stopwords_(std::move(stopwords)) {}

  const CaseChange change_;
  const bool case_sensitive_;
  const std::unordered_set<std::string> stopwords_;
};

}  // namespace

void RegisterStringNormalizerKernel(KernelRegistry& registry) {
  registry.Register(
      {"", "StringNormalizer", 10, 1 << 30, {DataType::kString}, &StringNormalizerKernel::Create});
}

}  // namespace mlos::engine
