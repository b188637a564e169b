// Hub file names are untrusted: a hub (or whoever answers in its place) chooses the names of the
// files Axon writes. CheckHubFilePath accepts only names that stay inside the package folder.
#pragma once

#include <string_view>

#include "common/status.h"

namespace mlos::axon {

// OK iff `path` is a relative, '/'-separated path whose every segment is a plain name: not empty
// (no leading, trailing or doubled '/'), not "." or "..", without '\\', NUL or other control
// characters, and not starting with '~' or a drive letter ("C:"). InvalidArgument naming the file
// and the problem otherwise.
Status CheckHubFilePath(std::string_view path);

}  // namespace mlos::axon
