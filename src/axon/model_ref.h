// ModelRef: a model id `namespace/name@version` as Axon's store and Core use it.
//
// The namespace is one segment; the name may have several '/'-separated segments
// ("pytorch/vision/resnet50" = namespace "pytorch", name "vision/resnet50"). Every segment and the
// version use only [A-Za-z0-9._-] and are not "." or "..", so an id maps safely onto the store's
// directory tree. A missing version means "latest".
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mlos::axon {

struct ModelRef {
  std::string namespace_;
  std::string name;
  std::string version = "latest";

  // "namespace/name@version".
  std::string id() const { return namespace_ + "/" + name + "@" + version; }
  // "namespace/name/version": the model's directory relative to the store's model root.
  std::string relative_dir() const { return namespace_ + "/" + name + "/" + version; }
};

// Parses "ns/name[@version]"; InvalidArgument says which part is wrong.
StatusOr<ModelRef> ParseModelRef(std::string_view text);

// Lowercases `text` and replaces every character outside [a-z0-9._-] with '-', for default names
// derived from file and directory names ("My Model.onnx" stem -> "my-model"). Never returns an
// empty, "." or ".." name ("model" instead).
std::string SanitizeName(std::string_view text);

}  // namespace mlos::axon
