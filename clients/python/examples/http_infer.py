#!/usr/bin/env python3
"""Runs a registered model over HTTP, with each inference protocol of the Client.

    python3 http_infer.py --url http://127.0.0.1:8080 --model local/mlp@1
    python3 http_infer.py --register /path/to/model.onnx --model local/mlp@1
"""

import argparse

from _common import example_inputs, print_outputs
from mlos_client import Client, MlosError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--model", required=True, help="model id, e.g. local/mlp@1")
    parser.add_argument("--register", metavar="PATH", help="register the model from PATH first")
    arguments = parser.parse_args()
    with Client(arguments.url) as client:
        try:
            print("server:", client.health()["version"])
            if arguments.register:
                print(client.register(arguments.model, arguments.register)["message"])
            inputs = example_inputs(client.metadata(arguments.model))
            for protocol in ("kserve-binary", "kserve-json", "mlos"):
                print(f"-- {protocol}")
                print_outputs(client.infer(arguments.model, inputs, protocol=protocol))
        except MlosError as error:
            raise SystemExit(f"error: {error}")


if __name__ == "__main__":
    main()
