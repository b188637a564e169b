#!/usr/bin/python3
"""`make bench-axon`: how long `axon install` takes for a 100 MiB model from the hub emulator,
as one stream and in ranged parallel parts, on the loopback as fast as it goes and behind a
per-connection bandwidth cap (what a CDN or a busy mirror imposes on each connection).

Each case is a fresh store (the whole model is downloaded, checked, hashed into the blob store
and published); the figure is the median of --repeat runs, and the ratio single stream /
ranged parts is computed from the medians of the same run.

Usage: bench.py --axon BIN [--size-mib 100] [--repeat 3] [--cap-mib-s 25] [--work DIR]
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "integration"))
from axon_harness import HubEmulator, make_repo, sha256_of, write_matmul_model  # noqa: E402

SINGLE_STREAM_PART_MIB = 4096  # parts of 4 GiB: a 100 MiB file is one stream


def install_seconds(axon, emulator, work, part_mib):
    home = pathlib.Path(tempfile.mkdtemp(dir=work, prefix="home-"))
    environment = dict(os.environ, AXON_HOME=str(home), HF_ENDPOINT=emulator.url)
    environment.pop("HF_TOKEN", None)
    subprocess.run([axon, "config", "set", "download.part_mib", str(part_mib)], env=environment,
                   check=True, stdout=subprocess.DEVNULL)
    started = time.monotonic()
    subprocess.run([axon, "install", "hf/bench/big@main"], env=environment, check=True,
                   stdout=subprocess.DEVNULL)
    elapsed = time.monotonic() - started
    shutil.rmtree(home)
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--axon", required=True)
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cap-mib-s", type=int, default=25,
                        help="per-connection cap of the capped cases, MiB/s")
    parser.add_argument("--work", type=pathlib.Path, help="scratch folder (default: a temp dir)")
    arguments = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-axon-", dir=arguments.work))
    try:
        model = work / "big.onnx"
        cols = 1024
        rows = arguments.size_mib * (1 << 20) // (4 * cols)
        write_matmul_model(model, rows, cols)
        size_mib = model.stat().st_size / (1 << 20)
        root = work / "hub"
        make_repo(root, "bench/big", {"model.onnx": model, "config.json": b"{}\n"})
        emulator = HubEmulator(root)
        print(f"model: {size_mib:.1f} MiB ONNX (sha256 {sha256_of(model)[:12]}...), "
              f"hub emulator on {emulator.url}, {arguments.repeat} runs per case, "
              f"axon defaults: 4 ranged parts per file of 16 MiB parts")
        try:
            cap = {"bytes_per_second": arguments.cap_mib_s << 20, "times": -1}
            cases = [("loopback, no cap", {}),
                     (f"capped at {arguments.cap_mib_s} MiB/s per connection",
                      {"hf/bench/big/model.onnx": cap})]
            for title, faults in cases:
                emulator.set_faults(faults)
                medians = {}
                for label, part_mib in (("one stream", SINGLE_STREAM_PART_MIB),
                                        ("ranged parts (16 MiB)", 16)):
                    runs = [install_seconds(arguments.axon, emulator, work, part_mib)
                            for _ in range(arguments.repeat)]
                    medians[label] = statistics.median(runs)
                    shown = ", ".join(f"{r:.2f}" for r in runs)
                    print(f"{title:<34} {label:<22} median {medians[label]:6.2f} s "
                          f"({size_mib / medians[label]:6.1f} MiB/s; runs {shown})")
                one, parts = medians.values()
                print(f"{title:<34} one stream / ranged parts = {one / parts:.2f}x")
        finally:
            emulator.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
