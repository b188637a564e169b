// OpProfile: where a session's run time goes, summed by operator type over every run that used it
// (SessionOptions::op_profile; mlos-bench-engine --profile prints it beside ONNX Runtime's).
//
// Only the nodes of the main graph are timed: an If, Loop or Scan node's time includes its
// subgraph's. Add() and Totals() are thread-safe, so concurrent runs may share one profile. The
// timing costs two clock reads and a lock per node, which is why it is off unless asked for.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mlos::engine {

struct OpTypeTime {
  std::string op_type{};
  int64_t nodes_run = 0;    // node executions of this type, over every run
  double milliseconds = 0;  // their wall time together
};

class OpProfile {
 public:
  void Add(const std::string& op_type, std::chrono::nanoseconds elapsed);
  // Every op type seen, the most time first.
  std::vector<OpTypeTime> Totals() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, OpTypeTime> totals_;
};

}  // namespace mlos::engine
