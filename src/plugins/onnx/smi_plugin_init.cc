// The loadable-module entry point of the ONNX plugin (libmlos_plugin_onnx.so): the same table as
// the built-in plugin, exported as the one symbol SMI hosts look up.
#include "plugins/onnx/onnx_plugin.h"

extern "C" __attribute__((visibility("default"))) const smi_plugin_api* smi_plugin_init(
    uint32_t host_abi_major, uint32_t host_abi_minor) {
  return mlos_onnx_plugin_init(host_abi_major, host_abi_minor);
}
