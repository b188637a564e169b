// lib/tensors.js: every datatype packs and unpacks to the same values in the SMI layout, inputs
// of every accepted kind become the right Tensor, and bad values are refused naming the tensor.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { Tensor, toTensor, packValues, floatToHalf, halfToFloat, floatToBf16 } = require('../../lib/tensors');
const { InvalidArgumentError } = require('../../lib/errors');

test('every dtype round-trips through its SMI bytes', () => {
  const cases = {
    FP32: [1.5, -2, 0], FP64: [1e300, -0.1], FP16: [0.5, -65504, 2 ** -24], BF16: [1, -2.5, 256],
    INT8: [-128, 127], UINT8: [0, 255], INT16: [-32768, 32767], UINT16: [65535],
    INT32: [-(2 ** 31), 2 ** 31 - 1], UINT32: [2 ** 32 - 1], INT64: [-(2n ** 63n), 2n ** 63n - 1n],
    UINT64: [2n ** 64n - 1n], BOOL: [true, false, true],
  };
  for (const [dtype, values] of Object.entries(cases)) {
    const tensor = new Tensor(dtype, [values.length], packValues(dtype, values));
    assert.deepEqual(tensor.values(), values, dtype);
  }
  const strings = toTensor({ dtype: 'BYTES', shape: [3], data: ['', 'abc', Buffer.from([0xff])] });
  assert.deepEqual(strings.values().map((b) => [...b]), [[], [97, 98, 99], [255]]);
});

test('layouts are the SMI ones', () => {
  assert.deepEqual([...packValues('FP32', [1])], [0, 0, 0x80, 0x3f]);
  assert.deepEqual([...packValues('BOOL', [true, 0])], [1, 0]);
  assert.deepEqual([...packValues('BYTES', ['ab'])], [2, 0, 0, 0, 97, 98]);
  assert.equal(floatToBf16(1), 0x3f80);
  assert.equal(floatToBf16(1 + 2 ** -8), 0x3f80);  // halfway: to even
  assert.equal(floatToBf16(1 + 3 * 2 ** -9), 0x3f81);
  assert.equal(floatToHalf(1), 0x3c00);
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00);  // halfway: to even
  assert.equal(floatToHalf(1 + 3 * 2 ** -12), 0x3c01);
  assert.equal(floatToHalf(70000), 0x7c00);  // overflow: infinity
  assert.equal(floatToHalf(2 ** -25), 0);    // halfway to the smallest subnormal: to even (0)
  assert.equal(floatToHalf(3 * 2 ** -26), 1);
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
});

test('values that do not fit are refused naming the tensor', () => {
  for (const [dtype, values] of [['UINT8', [256]], ['INT8', [-129]], ['INT64', [1.5]], ['BOOL', [2]],
    ['UINT64', [-1]], ['INT32', ['7']]]) {
    assert.throws(() => packValues(dtype, values, "input 'x'"),
      (error) => error instanceof InvalidArgumentError && error.message.includes("input 'x'"), dtype);
  }
  assert.throws(() => new Tensor('FP8', [1], new Uint8Array(1)), /FP8/);
  assert.throws(() => new Tensor('FP32', [2, 3], new Uint8Array(20)), /needs 24 bytes/);
});

test('inputs of every accepted kind', () => {
  assert.deepEqual(toTensor([[1, 2], [3, 4]], 'FP32').toNested(), [[1, 2], [3, 4]]);
  assert.equal(toTensor([[1, 2]]).dtype, 'INT64');
  assert.equal(toTensor([0.5]).dtype, 'FP32');
  assert.equal(toTensor(['a']).dtype, 'BYTES');
  assert.deepEqual(toTensor(3, 'FP64').shape, []);
  const typed = toTensor({ shape: [2, 2], data: new Int16Array([1, -1, 2, -2]) });
  assert.equal(typed.dtype, 'INT16');
  assert.deepEqual(typed.toNested(), [[1, -1], [2, -2]]);
  assert.deepEqual(toTensor(new Float64Array([1, 2])).shape, [2]);
  const raw = toTensor({ dtype: 'FP32', shape: [1], data: Buffer.from([0, 0, 0x80, 0x3f]) });
  assert.deepEqual(raw.values(), [1]);
  const converted = toTensor({ dtype: 'FP16', shape: [2], data: new Float32Array([0.5, 2]) });
  assert.deepEqual([...converted.toArray()], [0.5, 2]);
  assert.throws(() => toTensor([[1, 2], [3]], 'FP32', "input 'x'"), /input 'x'.*ragged/);
  assert.throws(() => toTensor({ shape: [1] }, 'FP32', "input 'x'"), /needs "data"/);
});

test('unaligned data still gives a TypedArray', () => {
  const bytes = Buffer.alloc(9);
  bytes.writeFloatLE(2.5, 1);
  bytes.writeFloatLE(-1, 5);
  const tensor = new Tensor('FP32', [2], bytes.subarray(1));
  assert.deepEqual([...tensor.toArray()], [2.5, -1]);
});
