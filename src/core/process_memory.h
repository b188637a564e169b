// The memory of this process and of the machine, for the resource manager and /metrics.
#pragma once

#include <cstdint>

namespace mlos::core {

// Resident set size of this process (from /proc/self/statm); 0 if unreadable.
uint64_t ResidentBytes();
// Physical memory of the machine (sysconf); 0 if unknown.
uint64_t PhysicalMemoryBytes();

}  // namespace mlos::core
