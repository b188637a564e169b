#include "engine/kernels/math/einsum_equation.h"

#include <algorithm>
#include <map>

namespace mlos::engine {
namespace {

// One term split into its letters before and after an optional ellipsis.
struct Term {
  std::vector<int> head, tail;
  bool has_ellipsis = false;
};

StatusOr<int> LetterLabel(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
  return InvalidArgument(std::string("Einsum equation: unexpected character '") + c + "'");
}

StatusOr<Term> ParseTerm(std::string_view text) {
  Term term;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 3) == "...") {
      if (term.has_ellipsis)
        return InvalidArgument("Einsum equation: term '" + std::string(text) +
                               "' has two ellipses");
      term.has_ellipsis = true;
      i += 2;
      continue;
    }
    ASSIGN_OR_RETURN(int label, LetterLabel(text[i]));
    (term.has_ellipsis ? term.tail : term.head).push_back(label);
  }
  return term;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::vector<int> EllipsisLabels(size_t count, size_t widest) {
  std::vector<int> labels;
  for (size_t j = widest - count; j < widest; ++j)
    labels.push_back(kEllipsisLabel + static_cast<int>(j));
  return labels;
}

}  // namespace

std::string EinsumLabelName(int label) {
  if (label < 26) return std::string(1, static_cast<char>('a' + label));
  if (label < kEllipsisLabel) return std::string(1, static_cast<char>('A' + label - 26));
  return "..." + std::to_string(label - kEllipsisLabel);
}

StatusOr<EinsumEquation> ParseEinsumEquation(std::string_view equation,
                                             const std::vector<size_t>& input_ranks) {
  std::string compact;
  for (char c : equation) {
    if (c != ' ') compact.push_back(c);
  }
  const size_t arrow = compact.find("->");
  const std::string_view inputs_text = std::string_view(compact).substr(0, arrow);
  const std::vector<std::string_view> terms_text = Split(inputs_text, ',');
  if (terms_text.size() != input_ranks.size()) {
    return InvalidArgument("Einsum equation '" + std::string(equation) + "' has " +
                           std::to_string(terms_text.size()) + " input terms for " +
                           std::to_string(input_ranks.size()) + " inputs");
  }
  std::vector<Term> terms;
  size_t widest_ellipsis = 0;
  for (size_t i = 0; i < terms_text.size(); ++i) {
    ASSIGN_OR_RETURN(Term term, ParseTerm(terms_text[i]));
    const size_t letters = term.head.size() + term.tail.size();
    if (letters > input_ranks[i] || (!term.has_ellipsis && letters != input_ranks[i])) {
      return InvalidArgument("input " + std::to_string(i) + ": Einsum term '" +
                             std::string(terms_text[i]) + "' has " + std::to_string(letters) +
                             " labels for rank " + std::to_string(input_ranks[i]));
    }
    if (term.has_ellipsis) widest_ellipsis = std::max(widest_ellipsis, input_ranks[i] - letters);
    terms.push_back(std::move(term));
  }
  EinsumEquation result;
  std::map<int, int> occurrences;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::vector<int> labels = terms[i].head;
    if (terms[i].has_ellipsis) {
      const size_t count = input_ranks[i] - terms[i].head.size() - terms[i].tail.size();
      for (int label : EllipsisLabels(count, widest_ellipsis)) labels.push_back(label);
    }
    labels.insert(labels.end(), terms[i].tail.begin(), terms[i].tail.end());
    for (int label : labels) ++occurrences[label];
    result.input_labels.push_back(std::move(labels));
  }
  if (arrow == std::string::npos) {
    result.output_labels = EllipsisLabels(widest_ellipsis, widest_ellipsis);
    for (const auto& [label, count] : occurrences) {  // std::map: alphabetical (a-z, then A-Z)
      if (label < kEllipsisLabel && count == 1) result.output_labels.push_back(label);
    }
    return result;
  }
  ASSIGN_OR_RETURN(Term output, ParseTerm(std::string_view(compact).substr(arrow + 2)));
  result.output_labels = output.head;
  if (output.has_ellipsis) {
    for (int label : EllipsisLabels(widest_ellipsis, widest_ellipsis))
      result.output_labels.push_back(label);
  }
  result.output_labels.insert(result.output_labels.end(), output.tail.begin(), output.tail.end());
  std::vector<int> seen;
  for (int label : result.output_labels) {
    if (std::find(seen.begin(), seen.end(), label) != seen.end()) {
      return InvalidArgument("Einsum equation: output label '" + EinsumLabelName(label) +
                             "' is repeated");
    }
    if (!occurrences.count(label)) {
      return InvalidArgument("Einsum equation: output label '" + EinsumLabelName(label) +
                             "' appears in no input");
    }
    seen.push_back(label);
  }
  return result;
}

}  // namespace mlos::engine
