// Model ids: "namespace/name@version", e.g. "hf/bert-base-uncased@latest".
//
// Namespace and version are made of letters, digits, '.', '_', '-' (version also '+'); the name
// may also contain '/' (hub repositories such as "google/bert"). The first '/' ends the
// namespace and the last '@' starts the version. Pure functions, thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace mlos::core {

struct ModelId {
  std::string namespace_;
  std::string name;
  std::string version;
};

// InvalidArgument naming the id and the rule it breaks.
StatusOr<ModelId> ParseModelId(const std::string& id);

}  // namespace mlos::core
