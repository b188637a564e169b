// RFC 3339 UTC timestamps ("2026-11-25T23:01:04Z"), as the registry and the HTTP API write them.
#pragma once

#include <chrono>
#include <string>

namespace mlos::core {

std::string FormatUtc(std::chrono::system_clock::time_point time);

}  // namespace mlos::core
