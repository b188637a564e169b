// IpcClient against a scripted peer on a real Unix socket: the frames it writes are docs/ipc.md's,
// error replies reject with the right MlosError and leave the connection usable, pipelined replies
// may come back in any order, and a peer that breaks the protocol (bad magic, unknown id, wrong
// op, a body over the limit, closing mid-frame, a malformed INFER body) rejects every pending call
// with TransportError and closes the client. No mlos-core needed.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const frames = require('../../lib/ipc_frames');
const { IpcClient } = require('../../lib/ipc_client');
const { Tensor } = require('../../lib/tensors');
const { TransportError, NotFoundError, UnavailableError } = require('../../lib/errors');

// Starts a server on a temporary socket; ONFRAME(socket, header, body) runs for each frame.
async function peer(onFrame) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'mlos-node-peer-'));
  const socketPath = path.join(directory, 'mlos.sock');
  const frameLog = [];
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 32) {
        const header = frames.decodeHeader(pending.subarray(0, 32));
        const end = 32 + Number(header.bodyLength);
        if (pending.length < end) return;
        const body = pending.subarray(32, end);
        pending = pending.subarray(end);
        frameLog.push({ header, body });
        onFrame(socket, header, body, frameLog);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(socketPath, resolve));
  return {
    path: socketPath, frameLog,
    close: () => new Promise((resolve) => server.close(() => { fs.rmSync(directory, { recursive: true, force: true }); resolve(); })),
  };
}

function reply(socket, header, body = Buffer.alloc(0), { status = 0, op = header.op, id = header.requestId } = {}) {
  socket.write(Buffer.concat([frames.encodeHeader(op, id, body.length, status), body]));
}

const json = (document) => Buffer.from(JSON.stringify(document));

test('control ops send JSON, errors keep the connection', async () => {
  const server = await peer((socket, header) => {
    if (header.op === frames.OPS.HEALTH) reply(socket, header, json({ live: true, ready: true, version: 'x' }));
    else if (header.op === frames.OPS.METADATA) reply(socket, header, Buffer.from("model 'a/b@1' is not registered"), { status: 2 });
    else reply(socket, header, json({ model: 'a/b@1', state: 'ready' }));
  });
  const client = await IpcClient.connect(server.path);
  assert.deepEqual(await client.health(), { live: true, ready: true, version: 'x' });
  await assert.rejects(client.metadata('a/b@1'), (error) => error instanceof NotFoundError
    && error.serverMessage === "model 'a/b@1' is not registered" && error.status === 'NOT_FOUND');
  assert.deepEqual(await client.load('a/b@1'), { model: 'a/b@1', state: 'ready' });
  client.close();
  await server.close();
  assert.deepEqual(server.frameLog.map(({ header, body }) => [header.op, header.status, header.flags, body.toString()]),
    [[1, 0, 0, ''], [3, 0, 0, '{"model":"a/b@1"}'], [5, 0, 0, '{"model":"a/b@1"}']]);
});

test('pipelined INFER requests, replies in reverse order', async () => {
  const big = Buffer.alloc(1 << 20, 3);
  const server = await peer((socket, header, body, log) => {
    if (log.length < 3) return;
    for (const { header: h } of [...log].reverse()) {
      if (h.requestId === log[1].header.requestId) {
        reply(socket, h, Buffer.from('queue full'), { status: 4 });
        continue;
      }
      const id = Buffer.alloc(8);
      id.writeBigInt64LE(h.requestId);
      reply(socket, h, Buffer.concat(frames.encodeInferReply(0, 0, new Map([['id', new Tensor('INT64', [1], id)], ['big', new Tensor('UINT8', [big.length], big)]]))));
    }
  });
  const client = await IpcClient.connect(server.path);
  const calls = [0, 1, 2].map((i) => client.infer('m', { x: { dtype: 'INT8', data: [i] } }).then((r) => r, (e) => e));
  const results = await Promise.all(calls);
  assert.deepEqual(results[0].id.values(), [1n]);
  assert.ok(results[1] instanceof UnavailableError);
  assert.deepEqual(results[2].id.values(), [3n]);
  assert.ok(results[2].big.data.every((byte) => byte === 3));
  const request = frames.decodeInferRequest(server.frameLog[2].body);
  assert.deepEqual([request.model, request.inputs[0].name, request.inputs[0].dtype, [...request.inputs[0].data]], ['m', 'x', 'INT8', [2]]);
  client.close();
  await server.close();
});

async function expectBroken(answer, pattern, call = (client) => client.health()) {
  const server = await peer(answer);
  const client = await IpcClient.connect(server.path, { maxReplyBytes: 1 << 20, timeoutMs: 2000 });
  const second = client.models();  // pending beside the first: rejected too
  await assert.rejects(call(client), (error) => error instanceof TransportError && pattern.test(error.message));
  await assert.rejects(second, TransportError);
  assert.ok(client.closed);
  await assert.rejects(client.health(), /closed/);
  client.close();
  await server.close();
}

test('bad magic', () => expectBroken((socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n....'), /magic/));
test('unknown request id', () => expectBroken((socket, header) => reply(socket, header, json({}), { id: 999n }), /not in flight/));
test('wrong op', () => expectBroken((socket, header) => reply(socket, header, json({}), { op: 9 }), /op 9/));
test('body over the limit', () => expectBroken((socket, header) => socket.write(frames.encodeHeader(header.op, header.requestId, 2 ** 40)), /over the client's limit/));
test('closed mid-body', () => expectBroken((socket, header) => { socket.end(Buffer.concat([frames.encodeHeader(header.op, header.requestId, 100), Buffer.from('{')])); }, /closed the connection/));
test('no reply in time', () => expectBroken(() => {}, /no reply/));
test('malformed INFER body', () => expectBroken((socket, header) => {
  if (header.op === frames.OPS.INFER) reply(socket, header, Buffer.concat([Buffer.alloc(16), Buffer.from([1, 0, 1, 0, 121, 99, 0, 0])]));
}, /unknown dtype code 99/, (client) => client.infer('m', { x: { dtype: 'INT8', data: [1] } })));
