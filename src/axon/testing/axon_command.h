// Runs the axon command line in-process (RunAxon, the code the binary runs) and captures what it
// printed, for tests of the commands. Test-only code.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "axon/cli.h"

namespace mlos::axon::testing {

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

// `args` without the program name, e.g. {"install", dir, "--json"}.
inline CommandResult RunAxonCommand(std::vector<std::string> args) {
  args.insert(args.begin(), "axon");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out, err;
  const int code = RunAxon(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

}  // namespace mlos::axon::testing
