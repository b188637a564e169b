// The Node.js client against a real mlos-core, started and loaded with models by
// tests/integration/test_client_node.py, which passes (environment):
//   MLOS_TEST_URL        the server's HTTP URL
//   MLOS_TEST_SOCKET     its IPC socket; when set, IPC is under test and must work
//   MLOS_TEST_EXPECTED   a JSON file: the model ids, and the mlp fixture's reference input/output
// Every protocol must give the reference output and byte-identical answers; the echo models give
// back every datatype exactly; control operations and errors agree across protocols.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { Client, IpcClient, NotFoundError, InvalidArgumentError, AlreadyExistsError, UnsupportedError } = require('../../lib');

for (const name of ['MLOS_TEST_URL', 'MLOS_TEST_EXPECTED']) {
  if (!process.env[name]) throw new Error(`${name} is not set: run this through tests/integration/test_client_node.py`);
}
const expected = JSON.parse(fs.readFileSync(process.env.MLOS_TEST_EXPECTED, 'utf8'));
const { mlp: MLP, echo: ECHO, echoText: ECHO_TEXT, echoI32: ECHO_I32, echoF32: ECHO_F32 } = expected.models;
const http = new Client(process.env.MLOS_TEST_URL);
const socketPath = process.env.MLOS_TEST_SOCKET || null;
let ipc = null;

test.before(async () => {
  if (socketPath) ipc = await IpcClient.connect(socketPath);
});
test.after(() => {
  http.close();
  if (ipc) ipc.close();
});

// [label, client, infer options] for every protocol under test.
function clients() {
  const list = ['kserve-binary', 'kserve-json', 'mlos'].map((protocol) => [`http ${protocol}`, http, { protocol }]);
  if (ipc) list.push(['ipc', ipc, {}]);
  return list;
}

const bytesOf = (tensor) => Buffer.from(tensor.data).toString('hex');

test('the mlp reference output, byte-identical on every protocol', async () => {
  const reference = expected.mlpReference;
  const input = { shape: reference.input.shape, data: new Float32Array(reference.input.data) };
  const answers = new Map();
  for (const [label, client, options] of clients()) {
    const outputs = await client.infer(MLP, { input }, options);
    assert.deepEqual(Object.keys(outputs), ['logits'], label);
    assert.deepEqual(outputs.logits.shape, reference.logits.shape, label);
    const values = outputs.logits.toArray();
    reference.logits.data.forEach((value, index) => {
      assert.ok(Math.abs(values[index] - value) <= 1e-5 + 1e-4 * Math.abs(value), `${label}: element ${index}: ${values[index]} vs ${value}`);
    });
    answers.set(label, bytesOf(outputs.logits));
  }
  assert.equal(new Set(answers.values()).size, 1, `answers differ: ${[...answers.keys()]}`);
});

test('plain nested arrays take the declared datatype', async () => {
  const reference = expected.mlpReference;
  const rows = [];
  for (let row = 0; row < reference.input.shape[0]; row += 1) {
    rows.push(reference.input.data.slice(row * 16, row * 16 + 16));
  }
  for (const [label, client, options] of clients()) {
    const outputs = await client.infer(MLP, { input: rows }, options);
    assert.equal(outputs.logits.dtype, 'FP32', label);
    assert.deepEqual(outputs.logits.shape, reference.logits.shape, label);
  }
});

const ECHO_INPUTS = {
  f32: { shape: [2, 3], data: new Float32Array([1.5, -2, 3.25e-3, 0, 1e30, -7]) },
  f64: { shape: [2, 3], data: new Float64Array([1e300, -0.1, 2, 0, 5, -1e-300]) },
  f16: { dtype: 'FP16', shape: [2, 3], data: [0.5, -65504, 2, 0, 1, -3] },
  bf16: { dtype: 'BF16', shape: [2, 3], data: [1, -2.5, 256, 0, 3, -1] },
  i8: { shape: [2, 3], data: new Int8Array([-128, 127, 0, 1, 2, 3]) },
  u8: { shape: [2, 3], data: new Uint8Array([0, 255, 7, 1, 2, 3]) },
  i16: { shape: [2, 3], data: new Int16Array([-32768, 32767, 0, 1, 2, 3]) },
  u16: { shape: [2, 3], data: new Uint16Array([65535, 0, 1, 2, 3, 4]) },
  i32: { shape: [2, 3], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, 1, 2, 3]) },
  u32: { shape: [2, 3], data: new Uint32Array([2 ** 32 - 1, 0, 1, 2, 3, 4]) },
  i64: { shape: [2, 3], data: new BigInt64Array([-(2n ** 53n), 2n ** 53n, 0n, 1n, 2n, 3n]) },
  u64: { shape: [2, 3], data: new BigUint64Array([2n ** 53n, 0n, 1n, 2n, 3n, 4n]) },
  flag: { dtype: 'BOOL', shape: [2, 3], data: [true, false, true, false, false, true] },
};
const TEXT_INPUTS = { text: { dtype: 'BYTES', shape: [2, 3], data: ['a', '', 'été', 'x'.repeat(300), 'y', 'z'] } };

test('every datatype comes back exactly', async () => {
  const { toTensor } = require('../../lib');
  for (const [label, client, options] of clients()) {
    for (const [model, inputs] of [[ECHO, ECHO_INPUTS], [ECHO_TEXT, TEXT_INPUTS]]) {
      let outputs;
      try {
        outputs = await client.infer(model, inputs, options);
      } catch (error) {
        // BYTES through the MLOS JSON API may be refused (501, naming BYTES); nothing else may.
        if (!(error instanceof UnsupportedError) || model !== ECHO_TEXT || options.protocol !== 'mlos') throw error;
        assert.match(error.message, /BYTES/);
        continue;
      }
      assert.deepEqual(Object.keys(outputs), Object.keys(inputs).map((name) => `${name}_echo`), label);
      for (const [name, value] of Object.entries(inputs)) {
        const sent = toTensor(value, undefined, name);
        const echoed = outputs[`${name}_echo`];
        assert.deepEqual([echoed.dtype, echoed.shape, bytesOf(echoed)], [sent.dtype, sent.shape, bytesOf(sent)], `${label}: ${name}`);
      }
    }
  }
});

test('control operations agree across protocols', async () => {
  const metadata = await http.metadata(MLP);
  assert.deepEqual(metadata.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 16] }]);
  const ids = (await http.models()).map((model) => model.id).sort();
  for (const [label, client] of clients().slice(2)) {
    const health = await client.health();
    assert.deepEqual([health.live, health.ready], [true, true], label);
    assert.deepEqual(await client.metadata(MLP), metadata, label);
    assert.deepEqual((await client.models()).map((model) => model.id).sort(), ids, label);
    assert.deepEqual(await client.unload(MLP), { model: MLP, state: 'unloaded' }, label);
    assert.deepEqual(await client.load(MLP), { model: MLP, state: 'ready' }, label);
  }
});

test('register, and a second path for the same id is refused', async () => {
  for (const [label, client] of clients().slice(2)) {
    const modelId = `reg/node-${label.split(' ')[0]}@1`;
    const reply = await client.register(modelId, expected.registerPaths.first, { plugin_id: 'echo' });
    assert.equal(reply.model_id, modelId, label);
    const outputs = await client.infer(modelId, { x: [5, -6] });
    assert.deepEqual(outputs.x_echo.values(), [5, -6], label);
    await assert.rejects(client.register(modelId, expected.registerPaths.second, { plugin_id: 'echo' }),
      (e) => e instanceof AlreadyExistsError && e.serverMessage.includes(modelId), label);
  }
});

test('errors have the same kind and the server\'s message', async () => {
  const wrong = { input: { shape: [2, 15], data: new Float32Array(30) } };
  for (const [label, client, options] of clients()) {
    await assert.rejects(client.infer('local/nothing@1', wrong, options),
      (e) => e instanceof NotFoundError && e.serverMessage.includes('local/nothing') && e.protocol === label.split(' ')[0], label);
    await assert.rejects(client.infer(MLP, wrong, options),
      (e) => e instanceof InvalidArgumentError && e.serverMessage.includes('input') && e.serverMessage.includes('16'), label);
  }
});

// Only defined when IPC is under test (the wrapper then requires it to pass).
if (socketPath) test('IPC: pipelined requests, one failing, all answered', async () => {
  const calls = Array.from({ length: 40 }, (_, index) => (index === 5
    ? ipc.infer('local/nothing@1', { x: [1] }).then(() => null, (error) => error)
    : ipc.infer(ECHO_I32, { i32: { shape: [1, 3], data: new Int32Array([index, -index, 7]) } })
      .catch((error) => { throw new Error(`request ${index}: ${error.message}`); })));
  const results = await Promise.all(calls);
  results.forEach((result, index) => {
    if (index === 5) assert.ok(result instanceof NotFoundError);
    else assert.deepEqual(result.i32_echo.values(), [index, -index | 0, 7]);  // -0 is 0 in INT32
  });
});

// Only defined when IPC is under test.
if (socketPath) test('IPC: 588 KiB tensors inline, several at once', async () => {
  const image = new Float32Array(50176 * 3).map((_, index) => (index % 1000) / 7);
  const calls = [1, 2, 3, 4].map((scale) => ipc.infer(ECHO_F32, { f32: { shape: [50176, 3], data: image.map((v) => v * scale) } }));
  const results = await Promise.all(calls);
  results.forEach((result, index) => {
    const expectedBytes = Buffer.from(image.map((v) => v * (index + 1)).buffer);
    assert.ok(Buffer.from(result.f32_echo.data).equals(expectedBytes), `request ${index}`);
  });
});
