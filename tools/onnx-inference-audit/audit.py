#!/usr/bin/python3
"""Finds the one-node models that crash libonnx's shape inference, and checks MLOS refuses them.

Every operator schema libonnx knows (all domains, all versions) is instantiated as a one-node
model in four families of hostile variations:
  ranks       inputs of rank 0 to 5, together and one at a time;
  attributes  each int/ints attribute set to negative, zero, huge and oddly long values;
  constants   each input given as an initializer of hostile int64/int32/float values;
  dims        every dimension set to 0, negative or huge values.
Each model passes the ONNX checker first (as in the engine's loader), then runs
onnx.shape_inference.infer_shapes in a forked child; a child killed by a signal or out of memory (4 GiB) is a
crash.

With --mlos-run, each crashing model is then loaded by the engine (`mlos-run MODEL`, which loads
and then stops for want of inputs): it must exit with an error, never with a signal or out of memory. The engine's
guards for these crashes are in src/engine/shape_inference_guard.cc.

Needs Debian's python3-onnx (the same libonnx the engine links). About ten minutes on two cores.
Usage: tools/onnx-inference-audit/audit.py [--families ranks,attributes,constants,dims]
           [--save DIR] [--mlos-run build/bin/mlos-run]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, defs, helper, numpy_helper
from onnx.defs import OpSchema

AttrType = OpSchema.AttrType
TYPE_PREFERENCE = [("tensor(float)", TensorProto.FLOAT), ("tensor(int64)", TensorProto.INT64),
                   ("tensor(int32)", TensorProto.INT32), ("tensor(uint8)", TensorProto.UINT8),
                   ("tensor(int8)", TensorProto.INT8), ("tensor(bool)", TensorProto.BOOL),
                   ("tensor(string)", TensorProto.STRING), ("tensor(double)", TensorProto.DOUBLE),
                   ("tensor(float16)", TensorProto.FLOAT16)]
HOSTILE_INTS = [-9, -1, 0, 7, 1 << 40]
HOSTILE_INT_LISTS = [[], [7], [-9], [0] * 7, [1, -1], [1 << 40]]
HOSTILE_CONSTANTS = [[], [0], [-1], [-9], [7], [1 << 40], [-(1 << 62)], [0, 0], [-1, -1, -1],
                     [2] * 9, [1, -9, 1 << 40]]
HOSTILE_DIMS = [0, -1, -7, 1 << 40, -(1 << 62), (1 << 63) - 1]
MEMORY_LIMIT = 4 << 30  # address space of each inference child and mlos-run
OUT_OF_MEMORY = 99


def placeholder_attribute(attribute):
    """A valid value for a required attribute, or None for graph attributes."""
    return {AttrType.INT: 1, AttrType.INTS: [1], AttrType.FLOAT: 1.0, AttrType.FLOATS: [1.0],
            AttrType.STRING: "a", AttrType.STRINGS: ["a"],
            AttrType.TENSOR: helper.make_tensor("t", TensorProto.FLOAT, [1], [1.0])
            }.get(attribute.type)


def allowed_types(schema, formal):
    for constraint in schema.type_constraints:
        if constraint.type_param_str == formal.typeStr:
            return constraint.allowed_type_strs
    return [formal.typeStr]


def element_type(schema, index):
    formal = schema.inputs[min(index, len(schema.inputs) - 1)]
    allowed = allowed_types(schema, formal)
    return next((code for name, code in TYPE_PREFERENCE if name in allowed), None)


def one_node_model(schema, shapes, attributes, constants=None):
    """`shapes[i]` is input i's declared shape; `constants` maps an input index to an array."""
    constants = constants or {}
    inputs, names, initializers = [], [], []
    for index, shape in enumerate(shapes):
        name = "x%d" % index
        names.append(name)
        if index in constants:
            initializers.append(numpy_helper.from_array(constants[index], name))
            continue
        code = element_type(schema, index)
        if code is None:
            return None
        inputs.append(helper.make_tensor_value_info(name, code, shape))
    outputs = ["y%d" % i for i in range(max(1, len(schema.outputs)))]
    node = helper.make_node(schema.name, names, outputs, domain=schema.domain, **attributes)
    # No graph outputs: declared output types would make inference stop at a mismatch first.
    graph = helper.make_graph([node], "audit", inputs, [], initializer=initializers)
    opsets = [helper.make_opsetid(schema.domain, schema.since_version)]
    if schema.domain:
        opsets.append(helper.make_opsetid("", 13))
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def crash(model):
    """How shape inference of `model` failed in a child ("signal N", "out of memory"), or None."""
    pid = os.fork()
    if pid == 0:
        limit_memory()
        try:
            onnx.checker.check_model(model)
            onnx.shape_inference.infer_shapes(model)
        except MemoryError:
            os._exit(OUT_OF_MEMORY)
        except Exception:
            pass
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "signal %d" % os.WTERMSIG(status)
    return "out of memory" if os.WEXITSTATUS(status) == OUT_OF_MEMORY else None


def auditable_schemas():
    for schema in defs.get_all_schemas_with_history():
        if schema.deprecated:
            continue
        attributes = schema.attributes.values()
        if any(a.type in (AttrType.GRAPH, AttrType.GRAPHS) for a in attributes):
            continue
        required = {a.name: placeholder_attribute(a) for a in attributes if a.required}
        if all(value is not None for value in required.values()):
            yield schema, required


def input_counts(schema):
    most = min(len(schema.inputs) + 1, schema.max_input, 4)
    return sorted({count for count in (schema.min_input, most) if count > 0})


def rank_variations(schema, required):
    for count in input_counts(schema):
        patterns = {tuple([rank] * count) for rank in range(6)}
        for index in range(count):
            for rank in range(4):
                for other in (2, 4):
                    patterns.add(tuple(rank if i == index else other for i in range(count)))
        for ranks in sorted(patterns):
            yield "ranks %s" % (ranks,), one_node_model(schema, [[2] * r for r in ranks], required)


def attribute_variations(schema, required):
    count = min(max(schema.min_input, 1), schema.max_input, 4)
    count = min(max(count, min(len(schema.inputs), schema.max_input)), 4)
    for name, attribute in schema.attributes.items():
        values = {AttrType.INT: HOSTILE_INTS, AttrType.INTS: HOSTILE_INT_LISTS}.get(attribute.type, [])
        for value in values:
            for rank in (1, 2, 4):
                attributes = dict(required, **{name: value})
                yield ("%s=%s, rank %d" % (name, value, rank),
                       one_node_model(schema, [[2] * rank] * count, attributes))


def constant_variations(schema, required):
    count = min(len(schema.inputs), schema.max_input, 5)
    for index in range(count):
        allowed = allowed_types(schema, schema.inputs[index])
        dtypes = [d for d, name in ((np.int64, "tensor(int64)"), (np.int32, "tensor(int32)"),
                                    (np.float32, "tensor(float)")) if name in allowed]
        for dtype in dtypes[:2]:
            for values in HOSTILE_CONSTANTS:
                with np.errstate(all="ignore"):
                    array = np.array(values).astype(dtype)
                for rank in (1, 2, 4):
                    yield ("input %d = %s %s, rank %d" % (index, np.dtype(dtype).name, values, rank),
                           one_node_model(schema, [[2] * rank] * count, required, {index: array}))


def dim_variations(schema, required):
    count = min(len(schema.inputs), schema.max_input, 5)
    for dim in HOSTILE_DIMS:
        for rank in (1, 2, 4):
            yield "dims %d x rank %d" % (dim, rank), one_node_model(schema, [[dim] * rank] * count,
                                                                      required)


FAMILIES = {"ranks": rank_variations, "attributes": attribute_variations,
            "constants": constant_variations, "dims": dim_variations}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--save", help="directory for the crashing models (default: a temporary one)")
    parser.add_argument("--mlos-run", help="check that mlos-run refuses every crashing model")
    args = parser.parse_args()
    save = args.save or tempfile.mkdtemp(prefix="onnx-inference-audit-")
    os.makedirs(save, exist_ok=True)

    crashes = []
    for family in args.families.split(","):
        for schema, required in auditable_schemas():
            for label, model in FAMILIES[family](schema, required):
                if model is None:
                    continue
                failure = crash(model)
                if failure is None:
                    continue
                op = "%s%s-%d" % (schema.domain + "." if schema.domain else "", schema.name,
                                  schema.since_version)
                path = os.path.join(save, "%s-%d.onnx" % (op, len(crashes)))
                onnx.save(model, path)
                crashes.append(path)
                print("%-28s %-10s %-40s %s  %s" % (op, family, label, failure, path), flush=True)
    print("%d one-node models crash libonnx shape inference (saved in %s)" % (len(crashes), save))

    if args.mlos_run:
        escaped = 0
        for path in crashes:
            run = subprocess.run([args.mlos_run, path], capture_output=True, text=True,
                                 preexec_fn=limit_memory)
            if run.returncode < 0 or "out of memory" in run.stderr:
                escaped += 1
                print("NOT GUARDED (%s): %s" % (
                    "signal %d" % -run.returncode if run.returncode < 0 else "out of memory", path))
        print("mlos-run: %d of %d refused with an error, %d not guarded" %
              (len(crashes) - escaped, len(crashes), escaped))
        return 1 if escaped else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
