// Socket helpers shared by the test HTTP servers (test_http_listener, testing/range_file_server):
// a listening TCP socket on 127.0.0.1 with a port the kernel picks, and a send that writes
// everything. Test-only code.
#pragma once

#include <cstddef>

namespace mlos::axon::testing {

// Listens on 127.0.0.1:0 with `backlog`; sets *port to the port chosen. Throws
// std::runtime_error when the socket cannot be set up.
int ListenOnLoopback(int backlog, int* port);

// Sends all `size` bytes (no SIGPIPE); false when the peer went away.
bool SendAll(int fd, const char* data, size_t size);

}  // namespace mlos::axon::testing
