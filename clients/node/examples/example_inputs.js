// Shared by the examples: inputs of the shape a model declares (dynamic dimensions as 1), built
// from its metadata, and a short print of the outputs.
'use strict';

const { Tensor, DTYPES } = require('../lib');
const { packValues } = require('../lib/tensors');

function exampleInputs(metadata) {
  const inputs = {};
  for (const spec of metadata.inputs) {
    const shape = spec.shape.map((dim) => (dim < 0 ? 1 : dim));
    const count = shape.reduce((a, b) => a * b, 1);
    const dtype = DTYPES[spec.datatype];
    const values = Array.from({ length: count }, (_, index) => {
      if (dtype.name === 'BYTES') return `text ${index}`;
      if (dtype.name === 'BOOL') return index % 2 === 1;
      if (['FP32', 'FP64', 'FP16', 'BF16'].includes(dtype.name)) return (index % 100) / 100;
      return dtype.name.endsWith('64') ? BigInt(index % 100) : index % 100;
    });
    inputs[spec.name] = new Tensor(spec.datatype, shape, packValues(spec.datatype, values));
  }
  return inputs;
}

function printOutputs(outputs) {
  for (const [name, tensor] of Object.entries(outputs)) {
    const values = tensor.values();
    const shown = values.slice(0, 8).map((v) => (typeof v === 'number' ? Number(v.toPrecision(6)) : String(v)));
    console.log(`${name} ${tensor.dtype} [${tensor.shape.join(', ')}]: [${shown.join(', ')}${values.length > 8 ? ', ...' : ''}]`);
  }
}

module.exports = { exampleInputs, printOutputs };
