// Percent-encoding for the URLs hub adapters build from ids, revisions and file paths (RFC 3986):
// everything but the unreserved characters [A-Za-z0-9-._~] becomes %XX.
#pragma once

#include <string>
#include <string_view>

namespace mlos::axon {

// Encodes `text`; '/' is kept as it is when `keep_slash` (a path of several segments).
std::string PercentEncode(std::string_view text, bool keep_slash);

}  // namespace mlos::axon
