// Client: mlos-core over HTTP, the MLOS API (docs/http_api.md) and KServe v2 REST
// (docs/kserve.md), with Node's built-in http module and a keep-alive agent.
//
//   const client = new Client('http://127.0.0.1:8080');
//   const outputs = await client.infer('local/mlp@1', { input: { shape: [1, 16], data: new Float32Array(16) } });
//   outputs.logits.toArray();  // Float32Array
//
// infer() speaks KServe v2 with Triton's binary tensor extension by default; {protocol:
// 'kserve-json'} sends JSON numbers and {protocol: 'mlos'} uses POST /models/{id}/inference. All
// give the same Tensors. Failures reject with MlosError subclasses carrying the server's message.
'use strict';

const http = require('node:http');
const { ClientBase } = require('./client_base');
const { InvalidArgumentError, TransportError, httpError } = require('./errors');
const { Tensor, packValues } = require('./tensors');

const PROTOCOLS = ['kserve-binary', 'kserve-json', 'mlos'];

function flatten(values) {
  return Array.isArray(values) ? values.flat(Infinity) : [values];
}

function jsonValues(name, tensor) {
  const values = tensor.values();
  if (tensor.dtype === 'BYTES') {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      return values.map((value) => decoder.decode(value));
    } catch {
      throw new InvalidArgumentError(
        `input '${name}': BYTES elements that are not UTF-8 cannot travel as JSON; use protocol 'kserve-binary'`);
    }
  }
  // JSON has no BigInt: a 64-bit integer a double cannot hold exactly would lose digits.
  if (values.length && typeof values[0] === 'bigint') {
    const bad = values.find((v) => BigInt(Number(v)) !== v);
    if (bad !== undefined) {
      throw new InvalidArgumentError(
        `input '${name}': ${tensor.dtype} value ${bad} cannot travel exactly as a JSON number; use protocol 'kserve-binary'`);
    }
    return values.map(Number);
  }
  return values;
}

function tensorFromJson(name, document) {
  let values = flatten(document.data ?? []);
  if (document.datatype === 'BYTES') values = values.map((v) => Buffer.from(String(v), 'utf8'));
  return new Tensor(document.datatype, document.shape, packValues(document.datatype, values, `output '${name}'`));
}

class Client extends ClientBase {
  // URL: 'http://host:port'; options.timeoutMs per request; options.protocol the infer() default.
  constructor(url = 'http://127.0.0.1:8080', { timeoutMs = 60000, protocol = 'kserve-binary' } = {}) {
    super();
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:') throw new TypeError(`Client needs an http:// URL, not ${url}`);
    if (!PROTOCOLS.includes(protocol)) throw new TypeError(`protocol must be one of ${PROTOCOLS}`);
    this.url = url.replace(/\/+$/, '');
    this.host = parsed.hostname;
    this.port = Number(parsed.port) || 80;
    this.timeoutMs = timeoutMs;
    this.protocol = protocol;
    this.agent = new http.Agent({ keepAlive: true });
  }

  close() {
    this.agent.destroy();
  }

  // One request: resolves {status, headers, body: Buffer}. BODY: a Buffer, an Array of
  // Uint8Arrays written in order, or a value sent as JSON.
  request(method, path, body = undefined, headers = {}) {
    const allHeaders = { ...headers };
    let chunks = [];
    if (body !== undefined && !Buffer.isBuffer(body) && !Array.isArray(body)) {
      chunks = [Buffer.from(JSON.stringify(body))];
      allHeaders['Content-Type'] = allHeaders['Content-Type'] || 'application/json';
    } else if (body !== undefined) {
      chunks = Array.isArray(body) ? body : [body];
    }
    if (body !== undefined) {
      allHeaders['Content-Length'] = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    }
    return new Promise((resolve, reject) => {
      const request = http.request({
        host: this.host, port: this.port, method, path, headers: allHeaders, agent: this.agent,
        timeout: this.timeoutMs,
      }, (response) => {
        const parts = [];
        response.on('data', (part) => parts.push(part));
        response.on('end', () => resolve({
          status: response.statusCode, headers: response.headers, body: Buffer.concat(parts),
        }));
        response.on('error', (error) => reject(new TransportError(`${method} ${this.url}${path}: ${error.message}`)));
      });
      request.on('timeout', () => request.destroy(new Error(`no reply within ${this.timeoutMs} ms`)));
      request.on('error', (error) => reject(new TransportError(`${method} ${this.url}${path}: ${error.message}`)));
      request.setNoDelay(true);
      for (const chunk of chunks) request.write(chunk);
      request.end();
    });
  }

  static errorMessage(body) {
    try {
      const document = JSON.parse(body.toString());
      if (document && typeof document.message === 'string') return document.message;
      if (document && typeof document.error === 'string') return document.error;
    } catch { /* not JSON: the raw text below */ }
    return body.toString();
  }

  // A request whose reply must be 2xx; resolves the parsed JSON (null for an empty body).
  async call(method, path, body = undefined) {
    const reply = await this.request(method, path, body);
    if (reply.status >= 300) throw httpError(reply.status, Client.errorMessage(reply.body));
    return reply.body.length ? JSON.parse(reply.body.toString()) : null;
  }

  static mlosPath(model) {
    return `/models/${encodeURIComponent(model)}`;
  }

  static kservePath(model) {
    return `/v2/models/${encodeURIComponent(model).replace(/%2F/gi, '/')}`;
  }

  // GET /health's document with "live" and "ready" (GET /v2/health/ready) added.
  async health() {
    const document = await this.call('GET', '/health');
    document.live = document.status === 'healthy';
    document.ready = (await this.request('GET', '/v2/health/ready')).status === 200;
    return document;
  }

  async models() {
    return (await this.call('GET', '/models')).models;
  }

  async metadata(model) {
    return this.call('GET', Client.kservePath(model));
  }

  async load(model) {
    const reply = await this.call('POST', `${Client.mlosPath(model)}/load`);
    return { model: reply.model_id, state: reply.state };
  }

  async unload(model) {
    const reply = await this.call('POST', `${Client.mlosPath(model)}/unload`);
    return { model: reply.model_id, state: reply.state };
  }

  // POST /models/register with model_id, path and any other documented field.
  async register(modelId, path, fields = {}) {
    this.forgetModel(modelId);
    return this.call('POST', '/models/register', { model_id: modelId, path: String(path), ...fields });
  }

  async delete(model) {
    this.forgetModel(model);
    return this.call('DELETE', Client.mlosPath(model));
  }

  // Runs MODEL on INPUTS; resolves {output name: Tensor}: options.outputs (names, in that order)
  // or all outputs in declared order. options.protocol overrides the client's default.
  async infer(model, inputs, { outputs = null, protocol = this.protocol } = {}) {
    if (!PROTOCOLS.includes(protocol)) throw new TypeError(`protocol must be one of ${PROTOCOLS}`);
    const tensors = await this.toTensors(model, inputs);
    if (protocol === 'mlos') return this.inferMlos(model, tensors, outputs);
    return this.inferKserve(model, tensors, outputs, protocol === 'kserve-binary');
  }

  async inferMlos(model, tensors, outputs) {
    const body = { inputs: {} };
    for (const [name, tensor] of tensors) {
      body.inputs[name] = { datatype: tensor.dtype, shape: tensor.shape, data: jsonValues(name, tensor) };
    }
    const reply = await this.call('POST', `${Client.mlosPath(model)}/inference`, body);
    const wanted = outputs || Object.keys(reply.outputs);
    const result = {};
    for (const name of wanted) {
      if (!(name in reply.outputs)) {
        throw new InvalidArgumentError(
          `model '${model}' has no output '${name}'; its outputs are ${Object.keys(reply.outputs).join(', ')}`);
      }
      result[name] = tensorFromJson(name, reply.outputs[name]);
    }
    return result;
  }

  async inferKserve(model, tensors, outputs, binary) {
    const request = { inputs: [] };
    const chunks = [];
    for (const [name, tensor] of tensors) {
      const entry = { name, datatype: tensor.dtype, shape: tensor.shape };
      if (binary) {
        entry.parameters = { binary_data_size: tensor.nbytes };
        chunks.push(tensor.data);
      } else {
        entry.data = jsonValues(name, tensor);
      }
      request.inputs.push(entry);
    }
    if (outputs) request.outputs = outputs.map((name) => ({ name, parameters: { binary_data: binary } }));
    else if (binary) request.parameters = { binary_data_output: true };
    const header = Buffer.from(JSON.stringify(request));
    const headers = binary
      ? { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': header.length }
      : { 'Content-Type': 'application/json' };
    const reply = await this.request('POST', `${Client.kservePath(model)}/infer`, [header, ...chunks], headers);
    if (reply.status >= 300) throw httpError(reply.status, Client.errorMessage(reply.body));
    return Client.kserveOutputs(reply.headers, reply.body);
  }

  static kserveOutputs(headers, body) {
    const length = headers['inference-header-content-length'];
    const jsonLength = length === undefined ? body.length : Number(length);
    if (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > body.length) {
      throw new TransportError(`Inference-Header-Content-Length ${length} is outside the ${body.length}-byte reply`);
    }
    const document = JSON.parse(body.subarray(0, jsonLength).toString());
    const binary = body.subarray(jsonLength);
    const result = {};
    let offset = 0;
    for (const output of document.outputs) {
      const size = output.parameters?.binary_data_size;
      if (size === undefined) {
        result[output.name] = tensorFromJson(output.name, output);
        continue;
      }
      if (offset + size > binary.length) {
        throw new TransportError(
          `output '${output.name}' says ${size} binary bytes, ${binary.length - offset} are left in the reply`);
      }
      result[output.name] = new Tensor(output.datatype, output.shape, binary.subarray(offset, offset + size));
      offset += size;
    }
    return result;
  }
}

module.exports = { Client, PROTOCOLS };
