// Runs one ONNX model in ONNX Runtime (CPU) for compare.py.
//
// Usage: node run_ort.js REQUEST.json
//
// REQUEST: {"model": PATH, "output_dir": DIR,
//           "inputs": [{"name", "dtype", "shape", "file"}]}  (file: raw little-endian data)
// Writes DIR/<k>.bin (raw data of output k) and DIR/outputs.json:
//   [{"name", "dtype", "shape", "file"}] in the session's output order; prints the run time.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
};

function readTensor({dtype, shape, file}) {
  const Array = ARRAYS[dtype];
  if (!Array) throw new Error(`unsupported input type ${dtype}`);
  const bytes = fs.readFileSync(file);
  // Copy into a fresh, aligned buffer: a Buffer may start at any offset of its pool.
  const data = new Array(bytes.byteLength / Array.BYTES_PER_ELEMENT);
  new Uint8Array(data.buffer).set(bytes);
  return new ort.Tensor(dtype, data, shape);
}

async function main() {
  const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(request.model);
  const feeds = {};
  for (const input of request.inputs) feeds[input.name] = readTensor(input);
  const started = process.hrtime.bigint();
  const results = await session.run(feeds);
  const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  const outputs = session.outputNames.map((name, index) => {
    const tensor = results[name];
    const file = path.join(request.output_dir, `${index}.bin`);
    const data = tensor.data;
    fs.writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return {name, dtype: tensor.type, shape: tensor.dims, file};
  });
  fs.writeFileSync(path.join(request.output_dir, 'outputs.json'), JSON.stringify(outputs));
  console.log(`onnxruntime ${ort.env.versions ? ort.env.versions.common : ''} run ` +
              `${milliseconds.toFixed(1)} ms`);
}

main().catch((error) => {
  console.error(`run_ort: ${error.message || error}`);
  process.exit(1);
});
