// IpcClient: mlos-core over its local IPC socket (docs/ipc.md), with Node's built-in net module.
//
//   const client = await IpcClient.connect('/tmp/mlos.sock');
//   const outputs = await client.infer('local/mlp@1', { input: { shape: [1, 16], data: new Float32Array(16) } });
//
// Tensors travel inline in the frames. Node cannot attach file descriptors (SCM_RIGHTS) to a Unix
// socket write, so this client cannot register shared-memory regions: use the Python or C client
// where tensors should not cross the socket.
//
// Requests are pipelined: every call writes its frame at once and the replies, which may come
// back in any order, are matched by request id. A reply that breaks the protocol (bad magic or
// version, an unknown request id, the wrong op, a body over maxReplyBytes, a malformed INFER body)
// or a connection that closes rejects every pending call with TransportError and closes the
// client; later calls reject at once.
'use strict';

const net = require('node:net');
const frames = require('./ipc_frames');
const { ClientBase } = require('./client_base');
const { TransportError, ipcError } = require('./errors');

const DEFAULT_SOCKET = '/tmp/mlos.sock';

class IpcClient extends ClientBase {
  constructor(socket, path, { timeoutMs = 60000, maxReplyBytes = 2 ** 32 } = {}) {
    super();
    this.socket = socket;
    this.path = path;
    this.timeoutMs = timeoutMs;
    this.maxReplyBytes = BigInt(maxReplyBytes);
    this.nextId = 1;
    this.pending = new Map();  // request id -> {op, resolve, reject, timer}
    this.received = [];        // Buffers not yet parsed
    this.receivedBytes = 0;
    this.header = null;        // the header of the frame being received
    this.broken = null;        // why the connection can no longer be used
    socket.setNoDelay?.(true);
    socket.on('data', (data) => this.onData(data));
    socket.on('error', (error) => this.fail(`${path}: ${error.message}`));
    socket.on('close', () => this.fail(`${path} closed the connection`));
  }

  // Connects to the socket at PATH; resolves an IpcClient.
  static connect(path = DEFAULT_SOCKET, options = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ path });
      const onError = (error) => reject(new TransportError(
        `cannot connect to the MLOS IPC socket ${path}: ${error.message} (is mlos-core running with IPC, --socket ${path}?)`));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new IpcClient(socket, path, options));
      });
    });
  }

  get closed() {
    return this.broken !== null;
  }

  close() {
    this.fail('the client was closed');
    this.socket.destroy();
  }

  // Rejects every pending call with TransportError(MESSAGE) and closes the connection.
  fail(message) {
    if (this.broken === null) this.broken = message;
    for (const [, call] of this.pending) {
      clearTimeout(call.timer);
      call.reject(new TransportError(this.broken));
    }
    this.pending.clear();
    this.socket.destroy();
  }

  take(size) {
    const joined = this.received.length === 1 ? this.received[0] : Buffer.concat(this.received);
    this.received = joined.length > size ? [joined.subarray(size)] : [];
    this.receivedBytes -= size;
    return joined.subarray(0, size);
  }

  onData(data) {
    this.received.push(data);
    this.receivedBytes += data.length;
    try {
      for (;;) {
        if (this.header === null) {
          if (this.receivedBytes < frames.HEADER_SIZE) return;
          const header = frames.decodeHeader(this.take(frames.HEADER_SIZE));
          if (header.bodyLength > this.maxReplyBytes) {
            throw new TransportError(`reply body of ${header.bodyLength} bytes is over the client's limit of ${this.maxReplyBytes}`);
          }
          this.header = header;
        }
        const length = Number(this.header.bodyLength);
        if (this.receivedBytes < length) return;
        const header = this.header;
        this.header = null;
        this.dispatch(header, this.take(length));
      }
    } catch (error) {
      this.fail(`${this.path}: ${error.serverMessage || error.message}`);
    }
  }

  dispatch(header, body) {
    const id = header.requestId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(header.requestId) : -1;
    const call = this.pending.get(id);
    if (!call) throw new TransportError(`reply for request ${header.requestId}, which is not in flight`);
    if (header.op !== call.op) {
      throw new TransportError(`reply to request ${id} is op ${header.op}, the request was op ${call.op}`);
    }
    this.pending.delete(id);
    clearTimeout(call.timer);
    if (header.status !== 0) {
      call.reject(ipcError(header.status, body.toString('utf8')));
      return;
    }
    call.resolve(body);  // decode errors are thrown by the caller's continuation, see infer()
  }

  // Sends one frame; resolves the reply body (a Buffer) or rejects with the error it carries.
  call(op, chunks) {
    if (this.broken !== null) return Promise.reject(new TransportError(`the IPC connection to ${this.path} is closed: ${this.broken}`));
    const id = this.nextId;
    this.nextId += 1;
    const length = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(
        `no reply to ${frames.OP_NAMES[op]} from ${this.path} within ${this.timeoutMs} ms`), this.timeoutMs);
      timer.unref?.();
      this.pending.set(id, { op, resolve, reject, timer });
      this.socket.cork();
      this.socket.write(frames.encodeHeader(op, id, length));
      for (const chunk of chunks) if (chunk.byteLength) this.socket.write(chunk);
      this.socket.uncork();
    });
  }

  async control(op, document = null) {
    const json = document === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(document));
    const body = await this.call(op, [json]);
    try {
      return body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch (error) {
      this.fail(`${this.path}: the reply to ${frames.OP_NAMES[op]} is not JSON: ${error.message}`);
      throw new TransportError(this.broken);
    }
  }

  // {"live", "ready", "version"}.
  health() {
    return this.control(frames.OPS.HEALTH);
  }

  async models() {
    return (await this.control(frames.OPS.LIST)).models;
  }

  metadata(model) {
    return this.control(frames.OPS.METADATA, { model });
  }

  load(model) {
    return this.control(frames.OPS.LOAD, { model });
  }

  unload(model) {
    return this.control(frames.OPS.UNLOAD, { model });
  }

  register(modelId, path, fields = {}) {
    this.forgetModel(modelId);
    return this.control(frames.OPS.REGISTER, { model_id: modelId, path: String(path), ...fields });
  }

  // Runs MODEL on INPUTS; resolves {output name: Tensor} (options.outputs: names, in that order;
  // default all, in declared order). Tensors are views of the reply frame.
  async infer(model, inputs, { outputs = null } = {}) {
    const tensors = await this.toTensors(model, inputs);
    const body = await this.call(frames.OPS.INFER, frames.encodeInferRequest(model, tensors, outputs));
    try {
      return frames.decodeInferReply(body).outputs;
    } catch (error) {
      this.fail(`${this.path}: ${error.serverMessage || error.message}`);
      throw new TransportError(this.broken);
    }
  }
}

module.exports = { IpcClient, DEFAULT_SOCKET };
