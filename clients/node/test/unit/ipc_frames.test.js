// lib/ipc_frames.js against docs/ipc.md: headers and INFER bodies round-trip byte for byte, the
// layout is the documented one, and every way a reply can be wrong (cut at any byte, unknown codes,
// sizes that do not match, regions, trailing bytes, random corruption) throws TransportError.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const frames = require('../../lib/ipc_frames');
const { Tensor, toTensor } = require('../../lib/tensors');
const { TransportError, InvalidArgumentError } = require('../../lib/errors');

function u16(value) { const b = Buffer.alloc(2); b.writeUInt16LE(value); return b; }
function u32(value) { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; }
function i64(value) { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(value)); return b; }
function u64(value) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(value)); return b; }

// A tensor descriptor written field by field from the table in docs/ipc.md.
function descriptor(name, code, dims, payload, placement = 0) {
  const nameBytes = Buffer.isBuffer(name) ? name : Buffer.from(name);
  const parts = [u16(nameBytes.length), nameBytes, Buffer.from([code, dims.length]), ...dims.map(i64), Buffer.from([placement])];
  if (placement === 0) parts.push(u64(payload.length), payload);
  else if (placement === 1) parts.push(u32(payload[0]), u64(payload[1]), u64(payload[2]));
  return Buffer.concat(parts);
}

function replyBody(...descriptors) {
  return Buffer.concat([i64(5), i64(7), u16(descriptors.length), ...descriptors]);
}

test('header layout and round trip', () => {
  const header = frames.encodeHeader(frames.OPS.INFER, 0x0102030405060708n, 99, 2);
  assert.equal(header.subarray(0, 4).toString(), 'MLOS');
  assert.equal(header.length, 32);
  assert.deepEqual(frames.decodeHeader(header), {
    op: 7, requestId: 0x0102030405060708n, status: 2, flags: 0, bodyLength: 99n,
  });
  const good = frames.encodeHeader(frames.OPS.HEALTH, 1, 0);
  const badMagic = Buffer.from(good);
  badMagic.write('SOLM', 0);
  assert.throws(() => frames.decodeHeader(badMagic), (e) => e instanceof TransportError && /magic/.test(e.message));
  const badVersion = Buffer.from(good);
  badVersion.writeUInt16LE(2, 4);
  assert.throws(() => frames.decodeHeader(badVersion), /version 2/);
});

test('INFER request layout is the documented one', () => {
  const x = new Tensor('FP32', [1, 2], Buffer.from(new Float32Array([1, 2]).buffer));
  const body = Buffer.concat(frames.encodeInferRequest('local/m@1', new Map([['x', x]]), ['y']));
  const expected = Buffer.concat([u16(9), Buffer.from('local/m@1'), u32(0), u16(1),
    descriptor('x', 1, [1, 2], Buffer.from(new Float32Array([1, 2]).buffer)), u16(1), u16(1), Buffer.from('y')]);
  assert.deepEqual(body, expected);
});

test('INFER request round trip, large tensors sent from the caller\'s buffer', () => {
  const big = toTensor({ dtype: 'UINT8', shape: [100000], data: Buffer.alloc(100000, 7) });
  const inputs = new Map([['a', toTensor({ dtype: 'INT64', data: [1, -1] })], ['big', big], ['s', toTensor(['x', 'yz'])]]);
  const chunks = frames.encodeInferRequest('ns/model@v', inputs, ['o2', 'o1']);
  assert.ok(chunks.includes(big.data));
  const request = frames.decodeInferRequest(Buffer.concat(chunks));
  assert.equal(request.model, 'ns/model@v');
  assert.deepEqual(request.outputs, ['o2', 'o1']);
  assert.deepEqual(request.inputs.map((d) => [d.name, d.dtype, d.shape]), [['a', 'INT64', [2]], ['big', 'UINT8', [100000]], ['s', 'BYTES', [2]]]);
  assert.deepEqual(request.inputs[1].data, Buffer.from(big.data));
  assert.throws(() => frames.encodeInferRequest('m'.repeat(70000), new Map()), InvalidArgumentError);
});

test('INFER reply decodes to views of the body', () => {
  const body = replyBody(descriptor('y', 1, [2], Buffer.from(new Float32Array([0.5, 1.5]).buffer)),
    descriptor('s', 8, [1], Buffer.from([2, 0, 0, 0, 104, 105])));
  const reply = frames.decodeInferReply(body);
  assert.equal(reply.queueUs, 5n);
  assert.deepEqual(Object.keys(reply.outputs), ['y', 's']);
  assert.deepEqual([...reply.outputs.y.toArray()], [0.5, 1.5]);
  assert.equal(reply.outputs.s.values()[0].toString(), 'hi');
  assert.equal(reply.outputs.y.data.buffer, body.buffer);
  const encoded = Buffer.concat(frames.encodeInferReply(1, 2, new Map([['y', reply.outputs.y], ['s', reply.outputs.s]])));
  assert.deepEqual(frames.decodeInferReply(encoded).outputs.y.values(), [0.5, 1.5]);
});

test('a reply cut at any byte is refused', () => {
  const body = replyBody(descriptor('y', 1, [2, 2], Buffer.alloc(16)), descriptor('s', 8, [1], Buffer.from([1, 0, 0, 0, 122])));
  for (let end = 0; end < body.length; end += 1) {
    assert.throws(() => frames.decodeInferReply(body.subarray(0, end)), TransportError, `cut at ${end}`);
  }
  frames.decodeInferReply(body);
});

test('each reply field wrong is refused naming it', () => {
  const cases = [
    [replyBody(descriptor('y', 14, [1], Buffer.alloc(1))), /unknown dtype code 14/],
    [replyBody(descriptor('y', 1, Array(17).fill(1), Buffer.alloc(4))), /rank 17/],
    [replyBody(descriptor('y', 1, [-1], Buffer.alloc(0))), /negative dimension/],
    [replyBody(descriptor('y', 1, [3], Buffer.alloc(8))), /needs 12 bytes/],
    [replyBody(descriptor('y', 1, [1], null, 2)), /placement 2/],
    [replyBody(descriptor('y', 8, [2], Buffer.from([1, 0, 0, 0, 97, 5, 0, 0, 0, 98]))), /element 1/],
    [replyBody(descriptor('y', 8, [1], Buffer.from([1, 0, 0, 0, 97, 98]))), /after the 1 elements/],
    [replyBody(descriptor('y', 1, [2], [1, 0, 8], 1)), /region 1/],
    [replyBody(descriptor('y', 1, [1], Buffer.alloc(4)), descriptor('y', 1, [1], Buffer.alloc(4))), /comes twice/],
    [Buffer.concat([replyBody(descriptor('y', 1, [1], Buffer.alloc(4))), Buffer.alloc(1)]), /1 bytes after/],
    [replyBody(descriptor(Buffer.from([0xff, 0xfe]), 1, [1], Buffer.alloc(4))), /not UTF-8/],
    [Buffer.concat([i64(0), i64(0), u16(1), u16(1), Buffer.from('y'), Buffer.from([1, 1]), i64(2n ** 62n), Buffer.from([0]), u64(2n ** 64n - 1n)]), /needs/],
  ];
  for (const [body, pattern] of cases) {
    assert.throws(() => frames.decodeInferReply(body), (e) => e instanceof TransportError && pattern.test(e.message), String(pattern));
  }
  const proto = frames.decodeInferReply(replyBody(descriptor('__proto__', 1, [1], Buffer.alloc(4))));
  assert.deepEqual(Object.keys(proto.outputs), ['__proto__']);
});

test('random corruption only ever throws TransportError', () => {
  const body = replyBody(descriptor('logits', 1, [2, 4], Buffer.alloc(32)),
    descriptor('names', 8, [2], Buffer.from([2, 0, 0, 0, 97, 98, 1, 0, 0, 0, 99])));
  let seed = 7;
  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return (seed >>> 8) % n; };
  let refused = 0;
  for (let round = 0; round < 3000; round += 1) {
    const mutated = Buffer.from(body);
    for (let k = 0; k <= random(4); k += 1) mutated[random(mutated.length)] = random(256);
    try {
      frames.decodeInferReply(mutated);
    } catch (error) {
      assert.ok(error instanceof TransportError, `${error.name}: ${error.message}`);
      refused += 1;
    }
  }
  assert.ok(refused > 1000, `only ${refused} of 3000 corruptions were refused`);
});
