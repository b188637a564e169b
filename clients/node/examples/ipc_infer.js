#!/usr/bin/env node
// Runs a registered model over mlos-core's local IPC socket: one request, then 16 pipelined ones
// (written at once; the replies come back matched by request id).
//   node ipc_infer.js [/tmp/mlos.sock] local/mlp@1
'use strict';

const { IpcClient } = require('../lib');
const { exampleInputs, printOutputs } = require('./example_inputs');

async function main() {
  const [socketPath, model] = process.argv.length > 3 ? process.argv.slice(2) : ['/tmp/mlos.sock', process.argv[2]];
  if (!model) throw new Error('usage: node ipc_infer.js [SOCKET] MODEL_ID');
  const client = await IpcClient.connect(socketPath);
  try {
    console.log('server:', await client.health());
    const inputs = exampleInputs(await client.metadata(model));
    printOutputs(await client.infer(model, inputs));
    const started = process.hrtime.bigint();
    const results = await Promise.all(Array.from({ length: 16 }, () => client.infer(model, inputs)));
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    console.log(`16 pipelined requests: ${results.length} answered in ${micros.toFixed(0)} µs`);
  } finally {
    client.close();
  }
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
});
