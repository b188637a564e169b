#include "axon/hubs/remote_model.h"

namespace mlos::axon {

StatusOr<FormatWanted> ParseFormatWanted(std::string_view text) {
  if (text == "auto") return FormatWanted::kAuto;
  if (text == "onnx") return FormatWanted::kOnnx;
  if (text == "torchscript") return FormatWanted::kTorchScript;
  if (text == "native") return FormatWanted::kNative;
  return InvalidArgument("format \"" + std::string(text) +
                         "\" is not one of auto, onnx, torchscript, native");
}

const char* FormatWantedName(FormatWanted format) {
  switch (format) {
    case FormatWanted::kAuto:
      return "auto";
    case FormatWanted::kOnnx:
      return "onnx";
    case FormatWanted::kTorchScript:
      return "torchscript";
    case FormatWanted::kNative:
      return "native";
  }
  return "auto";
}

}  // namespace mlos::axon
