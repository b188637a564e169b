// Copies to and from client shared memory that survive the client shrinking it.
//
// A client may ftruncate a region's object below the size the server mapped; touching the lost
// pages then raises SIGBUS. Regions sealed against shrinking (a memfd created with
// MFD_ALLOW_SEALING: the server adds F_SEAL_SHRINK when it maps one) cannot lose pages and are
// read in place. Every other access to client memory goes through GuardedCopy, which turns a
// SIGBUS during the copy into `false` instead of ending the process. The SIGBUS handler is
// installed on first use; a SIGBUS anywhere else still takes the previous disposition.
// Thread-safe.
#pragma once

#include <cstddef>

namespace mlos::core::ipc {

// memcpy(destination, source, size); false when a page of either was gone (SIGBUS).
bool GuardedCopy(void* destination, const void* source, size_t size);

}  // namespace mlos::core::ipc
