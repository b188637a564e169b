// The `axon` command line: parses arguments, runs one command, prints its result and returns the
// process exit code. Normal output goes to `out`, errors and warnings to `err`; progress appears
// on stderr only when it is a terminal. Environment: AXON_HOME (store, default ~/.axon),
// MLOS_CORE_ENDPOINT (Core URL for `register`, default http://127.0.0.1:8080).
#pragma once

#include <ostream>

namespace mlos::axon {

// Exit codes, also listed in `axon --help`.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,         // bad command line
  kExitBadInput = 2,      // bad spec, model or manifest; not installed; already installed
  kExitCore = 3,          // MLOS Core unreachable or refused the request
  kExitLocalFailure = 4,  // the local disk or store failed (I/O, permissions)
};

int RunAxon(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace mlos::axon
