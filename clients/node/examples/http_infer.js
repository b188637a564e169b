#!/usr/bin/env node
// Runs a registered model over HTTP with each inference protocol of the Client.
//   node http_infer.js [http://127.0.0.1:8080] local/mlp@1
'use strict';

const { Client } = require('../lib');
const { exampleInputs, printOutputs } = require('./example_inputs');

async function main() {
  const [url, model] = process.argv.length > 3 ? process.argv.slice(2) : ['http://127.0.0.1:8080', process.argv[2]];
  if (!model) throw new Error('usage: node http_infer.js [URL] MODEL_ID');
  const client = new Client(url);
  try {
    console.log('server:', (await client.health()).version);
    const inputs = exampleInputs(await client.metadata(model));
    for (const protocol of ['kserve-binary', 'kserve-json', 'mlos']) {
      console.log(`-- ${protocol}`);
      printOutputs(await client.infer(model, inputs, { protocol }));
    }
  } finally {
    client.close();
  }
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
});
