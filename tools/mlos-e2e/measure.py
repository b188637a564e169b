"""What the system test measures besides answers: the machine it ran on (read from /proc and
the OS, never assumed), a server's memory, and latency distributions.
"""

import os
import platform
import re
import statistics
import time

SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
              "avx512_bf16", "amx_tile", "asimd", "sve")


def hardware():
    """The CPU model, logical CPUs, physical cores, SIMD extensions, memory, OS and kernel."""
    facts = {"cpu_model": None, "logical_cpus": os.cpu_count(), "physical_cores": None,
             "simd": [], "memory_bytes": None, "os": None, "kernel": platform.release(),
             "machine": platform.machine()}
    try:
        cpuinfo = open("/proc/cpuinfo").read()
        model = re.search(r"^(model name|Model)\s*:\s*(.+)$", cpuinfo, re.M)
        facts["cpu_model"] = model.group(2).strip() if model else None
        flags = re.search(r"^(flags|Features)\s*:\s*(.+)$", cpuinfo, re.M)
        present = set(flags.group(2).split()) if flags else set()
        facts["simd"] = [flag for flag in SIMD_FLAGS if flag in present]
        cores = set(re.findall(r"^physical id\s*:\s*(\d+)$.*?^core id\s*:\s*(\d+)$", cpuinfo,
                               re.M | re.S))
        facts["physical_cores"] = len(cores) or None
    except OSError:
        pass
    try:
        memory = re.search(r"^MemTotal:\s*(\d+) kB", open("/proc/meminfo").read(), re.M)
        facts["memory_bytes"] = int(memory.group(1)) * 1024 if memory else None
    except OSError:
        pass
    try:
        release = dict(line.split("=", 1) for line in open("/etc/os-release").read().splitlines()
                       if "=" in line)
        facts["os"] = release.get("PRETTY_NAME", "").strip('"') or None
    except OSError:
        pass
    return facts


def process_memory(pid):
    """(VmRSS, VmHWM) of process PID in bytes: its resident memory now and at its peak."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
    return values.get("VmRSS"), values.get("VmHWM")


def distribution(samples_ms):
    """{n, p50, p90, mean, min} of SAMPLES_MS (milliseconds), or None when there are none.
    Percentiles are nearest-rank, so each is a time that was actually measured."""
    if not samples_ms:
        return None
    ordered = sorted(samples_ms)

    def rank(fraction):
        return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]

    return {"n": len(ordered), "p50": rank(0.5), "p90": rank(0.9),
            "mean": statistics.fmean(ordered), "min": ordered[0]}


class Stopwatch:
    """with Stopwatch() as watch: ...; watch.seconds / watch.milliseconds afterwards."""

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_):
        self.seconds = time.perf_counter() - self.started
        self.milliseconds = self.seconds * 1e3
        return False
