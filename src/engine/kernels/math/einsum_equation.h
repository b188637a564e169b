// EinsumEquation: an Einsum equation ("bij,bjk->bik", "...ii->...i") resolved against the ranks
// of the actual inputs.
//
// Every axis gets an integer label: letters a-z and A-Z are 0..51; the axes an ellipsis stands
// for are labels kEllipsisLabel + j, right-aligned across inputs, so that ellipsis dimensions
// broadcast like numpy batch dimensions. Without "->" the output is the ellipsis labels followed
// by the letters that occur exactly once, in alphabetical order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mlos::engine {

constexpr int kEllipsisLabel = 52;

struct EinsumEquation {
  std::vector<std::vector<int>> input_labels;  // one label per axis of each input
  std::vector<int> output_labels;
};

// InvalidArgument names the term and what is wrong (unknown character, label count versus rank,
// a repeated or unknown output label).
StatusOr<EinsumEquation> ParseEinsumEquation(std::string_view equation,
                                             const std::vector<size_t>& input_ranks);

// "a".."Z" for letters, "...0", "...1" for ellipsis axes.
std::string EinsumLabelName(int label);

}  // namespace mlos::engine
