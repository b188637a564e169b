// The built-in `onnx` SMI plugin: MLOS's own ONNX engine behind the SMI 1.0 function table.
//
// Core links this plugin in (target mlos_onnx_plugin) and calls mlos_onnx_plugin_init() instead
// of dlsym("smi_plugin_init"); from then on it goes through the returned table exactly as for an
// external plugin. The same table is also built as a loadable module (target mlos_plugin_onnx,
// <build>/lib/plugins/libmlos_plugin_onnx.so, exporting only `smi_plugin_init`).
//
// model_load takes a .onnx file, or a directory holding model.onnx or exactly one .onnx file, and
// a JSON object {"threads": N} (intra-op threads, 0 or absent = one per core; plugin_create takes
// the same key as the default for its models). Inputs are borrowed zero-copy (string inputs are
// decoded); outputs are copied into host-allocated buffers. The table is thread-safe as smi.h
// requires: model_execute may run concurrently on one model.
#pragma once

#include <stdint.h>

#include "mlos/smi.h"

#ifdef __cplusplus
extern "C" {
#endif

// Returns the plugin's static function table, or NULL when the host's ABI major version differs.
const smi_plugin_api* mlos_onnx_plugin_init(uint32_t host_abi_major, uint32_t host_abi_minor);

#ifdef __cplusplus
}
#endif
