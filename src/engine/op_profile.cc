#include "engine/op_profile.h"

#include <algorithm>

namespace mlos::engine {

void OpProfile::Add(const std::string& op_type, std::chrono::nanoseconds elapsed) {
  std::lock_guard lock(mutex_);
  OpTypeTime& total = totals_[op_type];
  total.op_type = op_type;
  total.nodes_run += 1;
  total.milliseconds += std::chrono::duration<double, std::milli>(elapsed).count();
}

std::vector<OpTypeTime> OpProfile::Totals() const {
  std::vector<OpTypeTime> totals;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [op_type, total] : totals_) totals.push_back(total);
  }
  std::stable_sort(totals.begin(), totals.end(), [](const OpTypeTime& a, const OpTypeTime& b) {
    return a.milliseconds > b.milliseconds;
  });
  return totals;
}

}  // namespace mlos::engine
