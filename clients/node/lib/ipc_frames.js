// The MLOS local IPC wire format, version 1 (docs/ipc.md, include/mlos/ipc.h): frame headers and
// INFER bodies as pure functions over Buffers, with no socket (the Python client's
// mlos_client.ipc_frames, in JavaScript).
//
// Encoders return an Array of Uint8Arrays (small fields coalesced, large tensor data kept as the
// caller's own buffers). Decoders check everything a hostile or broken peer could get wrong
// (lengths past the end, unknown dtypes, ranks over 16, negative dims, sizes that do not match
// dtype and shape, trailing bytes) and throw the given error class naming the field and its byte
// offset. Node cannot pass file descriptors over a Unix socket, so this client has no
// shared-memory regions: a region placement in a reply is refused.
'use strict';

const { InvalidArgumentError, TransportError } = require('./errors');
const { DTYPES, DTYPES_BY_CODE, Tensor, elementCount, splitBytesElements } = require('./tensors');

const MAGIC = 0x534f4c4d;  // the bytes "MLOS" read as a little-endian u32
const VERSION = 1;
const HEADER_SIZE = 32;
const OPS = Object.freeze({
  HEALTH: 1, LIST: 2, METADATA: 3, REGISTER: 4, LOAD: 5, UNLOAD: 6, INFER: 7,
  REGISTER_REGION: 8, UNREGISTER_REGION: 9,
});
const OP_NAMES = Object.fromEntries(Object.entries(OPS).map(([name, op]) => [op, name]));
const PLACEMENT_INLINE = 0;
const PLACEMENT_REGION = 1;
const OUTPUTS_TO_REGION = 1;
const MAX_RANK = 16;
const COALESCE_BYTES = 16384;

function encodeHeader(op, requestId, bodyLength, status = 0, flags = 0) {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt16LE(VERSION, 4);
  header.writeUInt16LE(op, 6);
  header.writeBigUInt64LE(BigInt(requestId), 8);
  header.writeUInt32LE(status, 16);
  header.writeUInt32LE(flags, 20);
  header.writeBigUInt64LE(BigInt(bodyLength), 24);
  return header;
}

// 32 bytes -> {op, requestId (BigInt), status, flags, bodyLength (BigInt)}; a wrong magic or
// version throws ErrorKind: the stream is not MLOS IPC v1.
function decodeHeader(data, ErrorKind = TransportError) {
  if (data.length !== HEADER_SIZE) {
    throw new ErrorKind(`IPC frame header: ${data.length} bytes, expected ${HEADER_SIZE}`);
  }
  const magic = data.readUInt32LE(0);
  if (magic !== MAGIC) {
    throw new ErrorKind(`IPC frame header: magic 0x${magic.toString(16).toUpperCase().padStart(8, '0')}, expected 0x534F4C4D ('MLOS')`);
  }
  const version = data.readUInt16LE(4);
  if (version !== VERSION) {
    throw new ErrorKind(`IPC frame header: protocol version ${version}, this client speaks ${VERSION}`);
  }
  return {
    op: data.readUInt16LE(6), requestId: data.readBigUInt64LE(8), status: data.readUInt32LE(16),
    flags: data.readUInt32LE(20), bodyLength: data.readBigUInt64LE(24),
  };
}

class Chunks {
  constructor() {
    this.chunks = [];
    this.fields = [];
  }

  field(size, write) {
    const buffer = Buffer.alloc(size);
    write(buffer);
    this.fields.push(buffer);
  }

  u8(value) { this.field(1, (b) => b.writeUInt8(value)); }

  u16(value) { this.field(2, (b) => b.writeUInt16LE(value)); }

  u32(value) { this.field(4, (b) => b.writeUInt32LE(value)); }

  u64(value) { this.field(8, (b) => b.writeBigUInt64LE(BigInt(value))); }

  i64(value) { this.field(8, (b) => b.writeBigInt64LE(BigInt(value))); }

  string(text, what) {
    const data = Buffer.from(text, 'utf8');
    if (data.length > 0xffff) throw new InvalidArgumentError(`${what} is ${data.length} bytes of UTF-8, the most is 65535`);
    this.u16(data.length);
    this.fields.push(data);
  }

  data(bytes) {
    if (bytes.byteLength <= COALESCE_BYTES) {
      this.fields.push(bytes);
      return;
    }
    this.flush();
    this.chunks.push(bytes);
  }

  flush() {
    if (this.fields.length) this.chunks.push(Buffer.concat(this.fields));
    this.fields = [];
  }

  finish() {
    this.flush();
    return this.chunks;
  }
}

function encodeDescriptor(out, name, tensor) {
  out.string(name, `tensor name '${name.slice(0, 40)}'`);
  if (tensor.shape.length > MAX_RANK) {
    throw new InvalidArgumentError(`tensor '${name}': rank ${tensor.shape.length}, the most is ${MAX_RANK}`);
  }
  out.u8(DTYPES[tensor.dtype].code);
  out.u8(tensor.shape.length);
  for (const dim of tensor.shape) out.i64(dim);
  if (tensor.region) {  // {region, offset, length}: only for tests of the wire format
    out.u8(PLACEMENT_REGION);
    out.u32(tensor.region.region);
    out.u64(tensor.region.offset);
    out.u64(tensor.region.length);
    return;
  }
  out.u8(PLACEMENT_INLINE);
  out.u64(tensor.data.byteLength);
  out.data(tensor.data);
}

// An INFER request body: TENSORS a Map name -> Tensor, OUTPUTS the names wanted (null: all).
function encodeInferRequest(model, tensors, outputs = null, outputWindow = null) {
  const out = new Chunks();
  out.string(model, 'model id');
  if (outputWindow) {
    out.u32(OUTPUTS_TO_REGION);
    out.u32(outputWindow.region);
    out.u64(outputWindow.offset);
    out.u64(outputWindow.capacity);
  } else {
    out.u32(0);
  }
  if (tensors.size > 0xffff) throw new InvalidArgumentError(`${tensors.size} inputs, the most is 65535`);
  out.u16(tensors.size);
  for (const [name, tensor] of tensors) encodeDescriptor(out, name, tensor);
  const wanted = outputs || [];
  out.u16(wanted.length);
  for (const name of wanted) out.string(name, `output name '${name.slice(0, 40)}'`);
  return out.finish();
}

// An INFER reply body (what the server sends): OUTPUTS a Map name -> Tensor.
function encodeInferReply(queueUs, computeUs, outputs) {
  const out = new Chunks();
  out.i64(queueUs);
  out.i64(computeUs);
  out.u16(outputs.size);
  for (const [name, tensor] of outputs) encodeDescriptor(out, name, tensor);
  return out.finish();
}

class Reader {
  constructor(body, what, ErrorKind) {
    this.body = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.offset = 0;
    this.what = what;
    this.ErrorKind = ErrorKind;
  }

  fail(message) {
    throw new this.ErrorKind(`${this.what}: ${message} (at byte ${this.offset} of ${this.body.length})`);
  }

  take(size, field) {
    const left = this.body.length - this.offset;
    if (BigInt(size) > BigInt(left)) this.fail(`${field} needs ${size} bytes, ${left} are left`);
    const start = this.offset;
    this.offset += Number(size);
    return this.body.subarray(start, this.offset);
  }

  u8(field) { return this.take(1, field).readUInt8(0); }

  u16(field) { return this.take(2, field).readUInt16LE(0); }

  u32(field) { return this.take(4, field).readUInt32LE(0); }

  u64(field) { return this.take(8, field).readBigUInt64LE(0); }

  i64(field) { return this.take(8, field).readBigInt64LE(0); }

  string(field) {
    const length = this.u16(`${field} length`);
    const data = this.take(length, field);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      this.offset -= length;
      return this.fail(`${field} is not UTF-8`);
    }
  }

  finish() {
    if (this.offset !== this.body.length) this.fail(`${this.body.length - this.offset} bytes after the last field`);
  }
}

// One descriptor -> {name, dtype, shape, data: Buffer} or {..., region: {region, offset, length}}.
function decodeDescriptor(reader, index, kind) {
  const name = reader.string(`${kind} ${index} name`);
  const where = `${kind} '${name}'`;
  const code = reader.u8(`${where} dtype`);
  const rank = reader.u8(`${where} rank`);
  const type = DTYPES_BY_CODE[code];
  if (!type) reader.fail(`${where}: unknown dtype code ${code}`);
  if (rank > MAX_RANK) reader.fail(`${where}: rank ${rank}, the most is ${MAX_RANK}`);
  const dims = [];
  for (let axis = 0; axis < rank; axis += 1) dims.push(reader.i64(`${where} dims`));
  if (dims.some((dim) => dim < 0n)) reader.fail(`${where}: negative dimension in [${dims}]`);
  const placement = reader.u8(`${where} placement`);
  let length;
  const descriptor = { name, dtype: type.name, dims };
  if (placement === PLACEMENT_INLINE) {
    length = reader.u64(`${where} length`);
    descriptor.data = reader.take(length, `${where} data`);
  } else if (placement === PLACEMENT_REGION) {
    const region = reader.u32(`${where} region`);
    const offset = reader.u64(`${where} region offset`);
    length = reader.u64(`${where} region length`);
    descriptor.region = { region, offset, length };
  } else {
    reader.fail(`${where}: unknown placement ${placement}`);
  }
  const count = dims.reduce((product, dim) => product * dim, 1n);
  if (type.size && length !== count * BigInt(type.size)) {
    reader.fail(`${where}: ${type.name} [${dims}] needs ${count * BigInt(type.size)} bytes, the descriptor says ${length}`);
  }
  if (!type.size && length < 4n * count) {
    reader.fail(`${where}: BYTES [${dims}] needs at least ${4n * count} bytes, the descriptor says ${length}`);
  }
  descriptor.shape = dims.map(Number);  // safe: the bytes they need were found in the body
  return descriptor;
}

function decodeInferRequest(body, ErrorKind = InvalidArgumentError) {
  const reader = new Reader(body, 'IPC INFER request', ErrorKind);
  const model = reader.string('model id');
  const flags = reader.u32('flags');
  let outputWindow = null;
  if (flags & OUTPUTS_TO_REGION) {
    outputWindow = {
      region: reader.u32('output region'),
      offset: reader.u64('output offset'),
      capacity: reader.u64('output capacity'),
    };
  }
  const inputs = [];
  const inputCount = reader.u16('input count');
  for (let index = 0; index < inputCount; index += 1) inputs.push(decodeDescriptor(reader, index, 'input'));
  const outputs = [];
  const outputCount = reader.u16('output count');
  for (let index = 0; index < outputCount; index += 1) outputs.push(reader.string(`output name ${index}`));
  reader.finish();
  return { model, flags, outputWindow, inputs, outputs };
}

// An INFER reply body -> {queueUs, computeUs, outputs: {name: Tensor}} (views of BODY).
function decodeInferReply(body, ErrorKind = TransportError) {
  const reader = new Reader(body, 'IPC INFER reply', ErrorKind);
  const queueUs = reader.i64('queue time');
  const computeUs = reader.i64('compute time');
  const count = reader.u16('output count');
  const outputs = {};
  for (let index = 0; index < count; index += 1) {
    const descriptor = decodeDescriptor(reader, index, 'output');
    const where = `output '${descriptor.name}'`;
    if (descriptor.region) reader.fail(`${where} is in region ${descriptor.region.region}; this client registers no regions`);
    if (Object.prototype.hasOwnProperty.call(outputs, descriptor.name)) reader.fail(`${where} comes twice`);
    if (descriptor.dtype === 'BYTES') {
      try {
        splitBytesElements(descriptor.data, elementCount(descriptor.shape), where);
      } catch (error) {
        reader.fail(error.serverMessage);
      }
    }
    Object.defineProperty(outputs, descriptor.name, {  // a name like "__proto__" stays a key
      value: new Tensor(descriptor.dtype, descriptor.shape, descriptor.data),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  reader.finish();
  return { queueUs, computeUs, outputs };
}

module.exports = {
  MAGIC, VERSION, HEADER_SIZE, OPS, OP_NAMES, PLACEMENT_INLINE, PLACEMENT_REGION,
  OUTPUTS_TO_REGION, MAX_RANK, encodeHeader, decodeHeader, encodeInferRequest,
  encodeInferReply, decodeInferRequest, decodeInferReply,
};
