// What the Node.js clients (HTTP and IPC) share: turning the caller's inputs into Tensors.
// Inputs are an object {name: value} (or a Map); values without a dtype of their own (plain
// Arrays, scalars) take the model's declared datatype, fetched once per model with metadata()
// and cached until register() on this client.
'use strict';

const { Tensor, toTensor, carriesDtype } = require('./tensors');

class ClientBase {
  constructor() {
    this.declaredDtypes = new Map();  // model -> Map(input name -> datatype)
  }

  async declaredInputs(model) {
    if (!this.declaredDtypes.has(model)) {
      const metadata = await this.metadata(model);
      this.declaredDtypes.set(model, new Map(metadata.inputs.map((t) => [t.name, t.datatype])));
    }
    return this.declaredDtypes.get(model);
  }

  forgetModel(model) {
    this.declaredDtypes.delete(model);
  }

  // {name: value} -> Map(name -> Tensor).
  async toTensors(model, inputs) {
    if (!inputs || typeof inputs !== 'object') {
      throw new TypeError('inputs must be an object (or Map) of input name -> value');
    }
    const entries = inputs instanceof Map ? [...inputs] : Object.entries(inputs);
    const tensors = new Map();
    for (const [name, value] of entries) {
      let declared;
      if (!(value instanceof Tensor) && !carriesDtype(value)) {
        declared = (await this.declaredInputs(model)).get(name);
      }
      tensors.set(name, toTensor(value, declared, `input '${name}'`));
    }
    return tensors;
  }
}

module.exports = { ClientBase };
