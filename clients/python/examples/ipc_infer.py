#!/usr/bin/env python3
"""Runs a registered model over mlos-core's local IPC socket: once with the tensors inline in the
frames, once with input and outputs in a shared-memory region (no tensor byte crosses the socket),
and a pipelined batch of requests.

    python3 ipc_infer.py --socket /tmp/mlos.sock --model local/mlp@1
"""

import argparse

from _common import example_inputs, print_outputs
from mlos_client import IpcClient, MlosError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", default="/tmp/mlos.sock")
    parser.add_argument("--model", required=True, help="model id, e.g. local/mlp@1")
    arguments = parser.parse_args()
    try:
        with IpcClient(arguments.socket) as client:
            print("server:", client.health())
            inputs = example_inputs(client.metadata(arguments.model))
            print("-- inline")
            print_outputs(client.infer(arguments.model, inputs))

            print("-- shared memory")
            with client.create_region(1 << 20) as region:
                offset, in_region = 0, {}
                for name, tensor in inputs.items():  # inputs in the first half, 64-byte aligned
                    in_region[name] = region.put(tensor, offset)
                    offset += (tensor.nbytes + 63) // 64 * 64
                outputs = client.infer(arguments.model, in_region,
                                       output_region=(region, 1 << 19, 1 << 19))
                print_outputs(outputs)  # views of the region: read them before reusing it
                del outputs

            print("-- 8 pipelined requests")
            results = client.infer_many([{"model": arguments.model, "inputs": inputs}] * 8)
            print(f"{sum(isinstance(result, dict) for result in results)} of 8 answered")
    except MlosError as error:
        raise SystemExit(f"error: {error}")


if __name__ == "__main__":
    main()
