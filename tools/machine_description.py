"""One line naming the machine a benchmark ran on (CPU model, CPU count, OS and kernel), for the
benchmarks' tables and JSON (tools/bench-server, tools/bench-engine)."""

import os
import pathlib
import platform


def machine_description():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"
