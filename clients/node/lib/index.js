// MLOS client for Node.js (no dependencies; Node's built-in http and net): mlos-core over HTTP
// (MLOS API and KServe v2 REST, JSON or binary tensors) and over its local IPC socket (inline
// tensors; no shared memory, which needs descriptor passing Node does not have). Both clients
// have the same promise-based surface as the Python client:
//   health(), models(), metadata(model), load(model), unload(model), register(modelId, path, fields),
//   infer(model, {name: value}, {outputs}) -> {name: Tensor}
'use strict';

const errors = require('./errors');
const tensors = require('./tensors');
const { Client } = require('./http_client');
const { IpcClient, DEFAULT_SOCKET } = require('./ipc_client');
const ipcFrames = require('./ipc_frames');

module.exports = {
  Client, IpcClient, DEFAULT_SOCKET, Tensor: tensors.Tensor, toTensor: tensors.toTensor,
  DTYPES: tensors.DTYPES,
  ipcFrames,
  ...Object.fromEntries(Object.entries(errors).filter(([name]) => name.endsWith('Error'))),
};
