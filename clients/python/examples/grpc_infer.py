#!/usr/bin/env python3
"""Runs a registered model over KServe v2 gRPC (needs python3-grpcio and protoc).

    python3 grpc_infer.py --target 127.0.0.1:8081 --model local/mlp@1
"""

import argparse

from _common import example_inputs, print_outputs
from mlos_client import GrpcClient, MlosError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:8081")
    parser.add_argument("--model", required=True, help="model id, e.g. local/mlp@1")
    arguments = parser.parse_args()
    try:
        with GrpcClient(arguments.target) as client:
            print("server:", client.health())
            print_outputs(client.infer(arguments.model,
                                       example_inputs(client.metadata(arguments.model))))
    except MlosError as error:
        raise SystemExit(f"error: {error}")


if __name__ == "__main__":
    main()
