// Tensors as the MLOS Node.js clients send and return them (the Python client's
// mlos_client.tensors, in JavaScript).
//
// A Tensor is {dtype, shape, data}: dtype a KServe v2 datatype name ("FP32", "INT64", "BYTES", ...),
// shape an array of numbers, data a Uint8Array (often a Buffer view of a reply) holding the
// elements row-major and little-endian in the SMI layout (BOOL one byte; BYTES per element a u32
// length then the bytes; BF16 the upper 16 bits of a float32).
//
// toTensor() turns an input value into a Tensor: a Tensor; {dtype, shape, data} with data a
// TypedArray (its type gives the dtype when none is named), a plain Array of values, or a Buffer of
// raw SMI bytes; a TypedArray (a 1-D tensor); nested Arrays or a scalar (the nesting gives the
// shape; the dtype is the model's declared one, else guessed). tensor.toArray() gives a TypedArray
// (BigInt64Array for INT64, Float32Array for FP16/BF16, an Array of Buffers for BYTES),
// tensor.values() a flat Array, tensor.toNested() nested Arrays.
'use strict';

const os = require('node:os');
const { InvalidArgumentError } = require('./errors');

if (os.endianness() !== 'LE') throw new Error('mlos-client needs a little-endian machine');

function dtype(name, code, size, ArrayType) {
  return { name, code, size, ArrayType };
}

const DTYPES = Object.freeze({
  FP32: dtype('FP32', 1, 4, Float32Array), UINT8: dtype('UINT8', 2, 1, Uint8Array),
  INT8: dtype('INT8', 3, 1, Int8Array), UINT16: dtype('UINT16', 4, 2, Uint16Array),
  INT16: dtype('INT16', 5, 2, Int16Array), INT32: dtype('INT32', 6, 4, Int32Array),
  INT64: dtype('INT64', 7, 8, BigInt64Array), BYTES: dtype('BYTES', 8, 0, null),
  BOOL: dtype('BOOL', 9, 1, Uint8Array), FP16: dtype('FP16', 10, 2, null),
  FP64: dtype('FP64', 11, 8, Float64Array), UINT32: dtype('UINT32', 12, 4, Uint32Array),
  UINT64: dtype('UINT64', 13, 8, BigUint64Array), BF16: dtype('BF16', 16, 2, null),
});
const DTYPES_BY_CODE = Object.fromEntries(Object.values(DTYPES).map((d) => [d.code, d]));

const TYPED_ARRAY_DTYPES = new Map([
  [Float32Array, 'FP32'], [Float64Array, 'FP64'], [Int8Array, 'INT8'], [Uint8Array, 'UINT8'],
  [Int16Array, 'INT16'], [Uint16Array, 'UINT16'], [Int32Array, 'INT32'], [Uint32Array, 'UINT32'],
  [BigInt64Array, 'INT64'], [BigUint64Array, 'UINT64'],
]);

const INTEGER_RANGES = {
  INT8: [-128, 127], UINT8: [0, 255], INT16: [-32768, 32767], UINT16: [0, 65535],
  INT32: [-2147483648, 2147483647], UINT32: [0, 4294967295],
  INT64: [-(2n ** 63n), 2n ** 63n - 1n], UINT64: [0n, 2n ** 64n - 1n],
};

function dtypeOf(name) {
  const found = Object.prototype.hasOwnProperty.call(DTYPES, name) ? DTYPES[name] : undefined;
  if (!found) {
    throw new InvalidArgumentError(
      `unknown datatype ${JSON.stringify(name)}; expected one of ${Object.keys(DTYPES).join(', ')}`);
  }
  return found;
}

function elementCount(shape) {
  return shape.reduce((count, dim) => count * dim, 1);
}

// --- FP16 and BF16 ---------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function floatToHalf(value) {
  f32[0] = value;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const rebiased = exponent - 127 + 15;
  if (rebiased >= 0x1f) return sign | 0x7c00;
  let half;
  let remainder;
  let halfway;
  if (rebiased <= 0) {  // a subnormal half (or zero)
    if (rebiased < -10) return sign;
    const shift = 14 - rebiased;
    const full = mantissa | 0x800000;
    half = full >>> shift;
    remainder = full & ((1 << shift) - 1);
    halfway = 1 << (shift - 1);
  } else {
    half = (rebiased << 10) | (mantissa >>> 13);
    remainder = mantissa & 0x1fff;
    halfway = 0x1000;
  }
  if (remainder > halfway || (remainder === halfway && (half & 1))) half += 1;  // nearest even
  return sign | half;
}

function halfToFloat(half) {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function floatToBf16(value) {
  f32[0] = value;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff)) return (bits >>> 16) | 0x40;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function bf16ToFloat(half) {
  u32[0] = half << 16;
  return f32[0];
}

// --- packing ---------------------------------------------------------------------------------

function checkedInteger(name, value, where, index) {
  const [low, high] = INTEGER_RANGES[name];
  const wide = typeof low === 'bigint';
  let converted;
  if (typeof value === 'bigint') converted = wide ? value : Number(value);
  else if (typeof value === 'boolean') converted = wide ? BigInt(value) : Number(value);
  else if (typeof value === 'number' && Number.isInteger(value)) {
    converted = wide ? BigInt(value) : value;
  } else {
    throw new InvalidArgumentError(`${where}: element ${index} (${value}) is not an integer`);
  }
  if (converted < low || converted > high) {
    throw new InvalidArgumentError(`${where}: element ${index} (${value}) is out of range for ${name}`);
  }
  return converted;
}

// A flat Array (or array-like) of JS values -> Uint8Array of the SMI layout of dtype NAME.
function packValues(name, values, where = 'tensor') {
  const type = dtypeOf(name);
  const count = values.length;
  if (type.name === 'BYTES') {
    const parts = [];
    for (const value of values) {
      const element = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(element.length);
      parts.push(length, element);
    }
    return Buffer.concat(parts);
  }
  const out = Buffer.alloc(count * type.size);
  for (let index = 0; index < count; index += 1) {
    const value = values[index];
    const offset = index * type.size;
    if (type.name === 'BOOL') {
      if (value !== true && value !== false && value !== 0 && value !== 1) {
        throw new InvalidArgumentError(`${where}: element ${index} (${value}) is not a boolean`);
      }
      out[offset] = value ? 1 : 0;
    } else if (type.name in INTEGER_RANGES) {
      const integer = checkedInteger(type.name, value, where, index);
      const write = {
        INT8: 'writeInt8', UINT8: 'writeUInt8', INT16: 'writeInt16LE', UINT16: 'writeUInt16LE',
        INT32: 'writeInt32LE', UINT32: 'writeUInt32LE', INT64: 'writeBigInt64LE',
        UINT64: 'writeBigUInt64LE',
      }[type.name];
      out[write](integer, offset);
    } else {
      const number = value === null ? NaN : Number(value);
      if (typeof value !== 'number' && typeof value !== 'bigint' && value !== null) {
        throw new InvalidArgumentError(`${where}: element ${index} (${value}) is not a number`);
      }
      if (type.name === 'FP32') out.writeFloatLE(number, offset);
      else if (type.name === 'FP64') out.writeDoubleLE(number, offset);
      else if (type.name === 'FP16') out.writeUInt16LE(floatToHalf(number), offset);
      else out.writeUInt16LE(floatToBf16(number), offset);
    }
  }
  return out;
}

// The COUNT elements of a BYTES tensor's data, as Buffers viewing it; they must fill it exactly.
function splitBytesElements(data, count, where = 'BYTES tensor') {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const elements = [];
  let offset = 0;
  for (let index = 0; index < count; index += 1) {
    if (offset + 4 > bytes.length) {
      throw new InvalidArgumentError(`${where}: element ${index} of ${count} has no length`);
    }
    const length = bytes.readUInt32LE(offset);
    offset += 4;
    if (length > bytes.length - offset) {
      throw new InvalidArgumentError(
        `${where}: element ${index} says ${length} bytes, ${bytes.length - offset} are left`);
    }
    elements.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.length) {
    throw new InvalidArgumentError(`${where}: ${bytes.length - offset} bytes after the ${count} elements`);
  }
  return elements;
}

function asBytes(view) {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

class Tensor {
  constructor(dtypeName, shape, data) {
    this.dtype = dtypeOf(dtypeName).name;
    this.shape = Array.from(shape, (dim) => Number(dim));
    if (this.shape.some((dim) => !Number.isInteger(dim) || dim < 0)) {
      throw new InvalidArgumentError(`shape [${this.shape}] has a dimension that is not a count`);
    }
    if (!ArrayBuffer.isView(data)) throw new InvalidArgumentError('tensor data must be a Uint8Array');
    this.data = asBytes(data);
    const size = DTYPES[this.dtype].size;
    if (size && this.data.byteLength !== elementCount(this.shape) * size) {
      throw new InvalidArgumentError(
        `${this.dtype} [${this.shape}] needs ${elementCount(this.shape) * size} bytes, the data has ${this.data.byteLength}`);
    }
  }

  get nbytes() {
    return this.data.byteLength;
  }

  // The elements as a TypedArray (a view when the data is aligned); FP16/BF16 as Float32Array,
  // BOOL as Uint8Array, BYTES as an Array of Buffers.
  toArray() {
    const type = DTYPES[this.dtype];
    const count = elementCount(this.shape);
    if (type.name === 'BYTES') return splitBytesElements(this.data, count);
    if (type.name === 'FP16' || type.name === 'BF16') {
      const convert = type.name === 'FP16' ? halfToFloat : bf16ToFloat;
      const halves = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
      const out = new Float32Array(count);
      for (let index = 0; index < count; index += 1) out[index] = convert(halves.readUInt16LE(index * 2));
      return out;
    }
    const aligned = this.data.byteOffset % type.size === 0;
    const bytes = aligned ? this.data : this.data.slice();
    return new type.ArrayType(bytes.buffer, bytes.byteOffset, count);
  }

  // The elements as a flat Array of JS values (numbers, BigInts for 64-bit integers, booleans,
  // Buffers for BYTES).
  values() {
    const array = Array.from(this.toArray());
    return this.dtype === 'BOOL' ? array.map((value) => value !== 0) : array;
  }

  // The elements as nested Arrays in the tensor's shape (a value for rank 0).
  toNested() {
    const values = this.values();
    if (this.shape.length === 0) return values[0];
    const nest = (start, depth) => {
      const dim = this.shape[depth];
      if (depth === this.shape.length - 1) return values.slice(start, start + dim);
      const step = elementCount(this.shape.slice(depth + 1));
      return Array.from({ length: dim }, (_, index) => nest(start + index * step, depth + 1));
    };
    return nest(0, 0);
  }
}

function nestedShapeAndValues(value, where) {
  const shape = [];
  for (let probe = value; Array.isArray(probe); probe = probe[0]) {
    shape.push(probe.length);
    if (probe.length === 0) break;
  }
  const values = [];
  const walk = (item, depth, path) => {
    if (depth === shape.length) {
      if (Array.isArray(item)) {
        throw new InvalidArgumentError(`${where}: element [${path}] is nested deeper than the shape [${shape}]`);
      }
      values.push(item);
      return;
    }
    if (!Array.isArray(item) || item.length !== shape[depth]) {
      throw new InvalidArgumentError(`${where}: element [${path}] is not an array of ${shape[depth]} (ragged nesting)`);
    }
    item.forEach((child, index) => walk(child, depth + 1, [...path, index]));
  };
  walk(value, 0, []);
  return [shape, values];
}

function guessDtype(values) {
  if (values.length && values.every((v) => typeof v === 'boolean')) return 'BOOL';
  if (values.length && values.every((v) => typeof v === 'string' || Buffer.isBuffer(v))) return 'BYTES';
  if (values.some((v) => typeof v === 'bigint')) return 'INT64';
  if (values.every((v) => Number.isInteger(v))) return 'INT64';
  return 'FP32';
}

function typedArrayDtype(array) {
  for (const [ArrayType, name] of TYPED_ARRAY_DTYPES) {
    if (array.constructor === ArrayType) return name;
  }
  return undefined;
}

// Whether VALUE says its own dtype (else the model's declared one is used).
function carriesDtype(value) {
  if (value instanceof Tensor) return true;
  if (ArrayBuffer.isView(value)) return !Buffer.isBuffer(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Boolean(value.dtype) || (ArrayBuffer.isView(value.data) && !Buffer.isBuffer(value.data));
  }
  return false;
}

// VALUE as a Tensor (see the header comment). DECLARED: the model's datatype for this input.
function toTensor(value, declared, where = 'tensor') {
  if (value instanceof Tensor) return value;
  if (ArrayBuffer.isView(value) && !Buffer.isBuffer(value) && !(value instanceof DataView)) {
    return toTensor({ shape: [value.length], data: value }, declared, where);
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)) {
    const { data } = value;
    if (data === undefined) throw new InvalidArgumentError(`${where}: a tensor object needs "data"`);
    if (Buffer.isBuffer(data)) {  // raw SMI bytes
      const name = value.dtype || declared;
      if (!name || !value.shape) {
        throw new InvalidArgumentError(`${where}: raw bytes need a dtype and a shape`);
      }
      return new Tensor(name, value.shape, data);
    }
    if (ArrayBuffer.isView(data)) {
      const own = typedArrayDtype(data);
      const name = value.dtype || own;
      const shape = value.shape || [data.length];
      if (name === own || (name === 'BOOL' && own === 'UINT8')) return new Tensor(name, shape, asBytes(data));
      return new Tensor(name, shape, packValues(name, data, where));
    }
    const [nestedShape, values] = nestedShapeAndValues(data, where);
    const name = value.dtype || declared || guessDtype(values);
    return new Tensor(name, value.shape || nestedShape, packValues(name, values, where));
  }
  const [shape, values] = nestedShapeAndValues(value, where);
  const name = declared || guessDtype(values);
  return new Tensor(name, shape, packValues(name, values, where));
}

module.exports = {
  DTYPES, DTYPES_BY_CODE, Tensor, toTensor, carriesDtype, packValues, splitBytesElements,
  elementCount, dtypeOf, floatToHalf, halfToFloat, floatToBf16, bf16ToFloat,
};
