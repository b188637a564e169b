#!/usr/bin/python3
"""mlos-e2e: the system test (SPEC §7, docs/e2e.md). Drives the real binaries over the model zoo:
publish each model into the hub emulator, `axon install`, `axon register`, then inference over
every protocol, checked against torch; records phase times, latency (client and server side) and
memory; writes summary.json and report.html, and checks the report in headless Chromium.

Usage: mlos_e2e.py --build DIR [--quick] [--fixtures DIR] [--out DIR] [--models NAME ...]
                   [--requests N] [--chromium PATH]

--quick uses the tiny configurations (the fixture factory's default set), the default the real
sizes. The zoo is exported into <build>/e2e/zoo-tiny or zoo-real (real: minutes, gigabytes) and
reused until the factory's code changes; --fixtures uses an existing export as it is. The exit
status is 0 only when every check of every model passed and the report rendered cleanly.
"""

import argparse
import datetime
import hashlib
import json
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
sys.path.insert(0, str(REPOSITORY / "tests" / "integration"))
sys.path.insert(0, str(REPOSITORY / "tests" / "hub_emulator"))

import axon_harness  # noqa: E402
import harness  # noqa: E402
import measure  # noqa: E402
import protocols  # noqa: E402
import summary_table  # noqa: E402
import zoo  # noqa: E402
from log import log  # noqa: E402
from model_run import ModelRun  # noqa: E402
from services import Axon, Core  # noqa: E402

FIXTURE_PYTHON = "/usr/bin/python3"
STAMP = "factory.sha256"  # beside each export: factory_digest() of the code that made it


# ---------------------------------------------------------------------------------------------
# The zoo's fixtures


def factory_digest():
    """A digest of the fixture factory's code: an export made by other code is not reused."""
    digest = hashlib.sha256()
    factory = REPOSITORY / "fixtures"
    for path in sorted([factory / "make_fixtures.py", *(factory / "architectures").glob("*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_fixtures(names, out, real):
    """Exports the fixtures NAMES that OUT lacks or that other factory code made; returns
    {name: seconds it took} for those exported now (a reused one is absent)."""
    stamp = factory_digest()
    wanted = [name for name in names
              if not (out / name / "test_data_set_0").is_dir()
              or not (out / name / STAMP).exists()
              or (out / name / STAMP).read_text().strip() != stamp]
    if not wanted:
        return {}
    log(f"exporting {len(wanted)} zoo models with torch into {out}: {', '.join(wanted)}")
    command = [FIXTURE_PYTHON, str(REPOSITORY / "fixtures" / "make_fixtures.py"), "--out",
               str(out), "--only", *wanted] + (["--real"] if real else [])
    seconds = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                          env=harness.scrubbed_environment(pathlib.Path.home())) as process:
        for line in process.stdout:
            print("  " + line.rstrip(), flush=True)
            if match := re.match(r"fixture (\S+): .* \(([\d.]+) s\)$", line.strip()):
                seconds[match.group(1)] = float(match.group(2))
                (out / match.group(1) / STAMP).write_text(stamp + "\n")
    if process.returncode != 0:
        raise SystemExit(f"mlos-e2e: the fixture factory failed (exit {process.returncode})")
    return seconds


# ---------------------------------------------------------------------------------------------
# The run


class Context:
    """What every ModelRun shares: fixtures, the emulator, axon, the server and its clients."""


def versions(core_health):
    """The server's version (from its /health), the checkout's commit, torch's and onnx's."""
    found = {"mlos_core": core_health.get("version"), "python": platform.python_version()}
    try:
        found["git_commit"] = subprocess.run(
            ["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"], capture_output=True,
            text=True, timeout=30).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        found["git_commit"] = None
    for module in ("torch", "onnx"):
        try:
            found[module] = __import__(module).__version__
        except ImportError:
            found[module] = None
    return found


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", required=True, type=pathlib.Path,
                        help="the CMake build folder (bin/mlos-core, bin/axon, lib/plugins)")
    parser.add_argument("--quick", action="store_true", help="the tiny configurations")
    parser.add_argument("--fixtures", type=pathlib.Path,
                        help="folder of exported zoo models to use as they are (default: "
                             "<build>/e2e/zoo-tiny or zoo-real, where missing or outdated ones "
                             "are exported first)")
    parser.add_argument("--out", type=pathlib.Path,
                        help="where summary.json, report.html and report.png go (default "
                             "<build>/e2e/quick or full)")
    parser.add_argument("--models", nargs="+", metavar="NAME",
                        help=f"only these zoo models (of {', '.join(m.name for m in zoo.ZOO)})")
    parser.add_argument("--requests", type=int, help="steady-state requests per model and "
                        "protocol (default 20 with --quick, else 30)")
    parser.add_argument("--chromium", help="the Chromium binary for the report check")
    parser.add_argument("--verbose", action="store_true", help="print tracebacks of failures")
    options = parser.parse_args()
    options.requests = options.requests or (20 if options.quick else 30)
    configuration = "quick" if options.quick else "full"
    options.out = options.out or options.build / "e2e" / configuration
    options.fixtures_given = options.fixtures is not None
    options.fixtures = options.fixtures or (
        options.build / "e2e" / ("zoo-tiny" if options.quick else "zoo-real"))
    try:
        options.zoo = zoo.select(options.models)
    except ValueError as error:
        parser.error(str(error))
    return options


def main():
    options = parse_arguments()
    started, clock = datetime.datetime.now(datetime.timezone.utc), time.monotonic()
    options.out.mkdir(parents=True, exist_ok=True)
    options.fixtures.mkdir(parents=True, exist_ok=True)
    context = Context()
    context.real = not options.quick
    context.fixtures = options.fixtures.resolve()
    needed = zoo.fixtures_needed(options.zoo)
    if options.fixtures_given:
        if missing := [name for name in needed
                       if not (context.fixtures / name / "test_data_set_0").is_dir()]:
            raise SystemExit(f"mlos-e2e: {context.fixtures} lacks the zoo models {missing}; "
                             f"export them with fixtures/make_fixtures.py"
                             f"{'' if options.quick else ' --real'} --out {context.fixtures}")
        built = {}
    else:
        built = build_fixtures(needed, context.fixtures, context.real)
    context.build_seconds = {model.name: sum(built[c.fixture] for c in model.components)
                             for model in options.zoo
                             if all(c.fixture in built for c in model.components)}

    work = pathlib.Path(tempfile.mkdtemp(prefix="mlos-e2e-"))
    environment = harness.scrubbed_environment(work)
    for variable in ("HF_TOKEN", "GITHUB_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY",
                     "KAGGLE_API_TOKEN", "MODELSCOPE_API_TOKEN"):
        environment.pop(variable, None)
    context.hub_root = work / "hub"
    context.hub_root.mkdir()
    context.emulator = axon_harness.HubEmulator(context.hub_root)
    context.axon = Axon(options.build / "bin" / "axon", work / "axon-home", environment)
    context.core = Core(options.build, work, environment)
    summary = {"schema": "mlos-e2e/1", "configuration": "quick" if options.quick else "full",
               "passed": False, "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "duration_s": None, "versions": {},
               "hardware": measure.hardware(), "protocols": [], "server": {}, "models": []}
    try:
        apis = context.core.start()
        summary["versions"] = versions(context.core.call("GET", "/health"))
        rss_start, _ = context.core.memory()
        context.endpoints = protocols.connect(context.core.server.url,
                                              f"127.0.0.1:{context.core.grpc_port}",
                                              str(context.core.socket), apis)
        summary["protocols"] = [endpoint.describe() for endpoint in context.endpoints]
        for endpoint in context.endpoints:
            if not endpoint.available:
                log(f"protocol {endpoint.name} is unavailable: {endpoint.note}")
        for model in options.zoo:
            log(f"{model.name} ({model.architecture}, from {model.hub})")
            summary["models"].append(ModelRun(model, options, context).run())
        rss_end, rss_peak = context.core.memory()
        summary["server"] = {"rss_bytes_start": rss_start, "rss_bytes_peak": rss_peak,
                             "rss_bytes_end": rss_end}
    finally:
        for endpoint in getattr(context, "endpoints", []):
            endpoint.close()
        context.core.server.kill()
        context.emulator.stop()
        shutil.rmtree(work, ignore_errors=True)

    records = summary["models"]
    all_checks = [check for record in records for check in record["checks"]]
    summary["totals"] = {"models": len(records),
                         "models_passed": sum(record["passed"] for record in records),
                         "checks": len(all_checks),
                         "checks_failed": sum(not check["passed"] for check in all_checks)}
    summary["passed"] = bool(records) and all(record["passed"] for record in records)
    summary["duration_s"] = time.monotonic() - clock
    (options.out / "summary.json").write_text(json.dumps(summary, indent=2))
    import browser_check  # the report's modules, imported once the run is recorded
    import report

    page = report.write_report(summary, options.out)
    rendered = browser_check.check(page, options.out / "report.png", options.chromium)
    (options.out / "browser_check.json").write_text(json.dumps(rendered, indent=2))

    print(summary_table.markdown(summary), flush=True)
    totals = summary["totals"]
    log(f"{totals['models_passed']}/{totals['models']} models passed, "
        f"{totals['checks'] - totals['checks_failed']}/{totals['checks']} checks; report "
        f"{page}, screenshot {options.out / 'report.png'}")
    for record in records:
        if not record["passed"]:
            failed = [c for c in record["checks"] if not c["passed"]]
            log(f"FAILED {record['name']}: {record['error'] or ''} " +
                "; ".join(f"[{c['component']}/{c['protocol']}] {c['check']}: {c['detail']}"
                          for c in failed[:5]))
    if not rendered.get("passed"):
        log(f"FAILED the report check in Chromium: {json.dumps(rendered)[:2000]}")
    return 0 if summary["passed"] and rendered.get("passed") else 1


if __name__ == "__main__":
    sys.exit(main())
