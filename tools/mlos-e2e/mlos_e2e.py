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
import traceback

HERE = pathlib.Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
sys.path.insert(0, str(REPOSITORY / "tests" / "integration"))
sys.path.insert(0, str(REPOSITORY / "tests" / "hub_emulator"))

import axon_harness  # noqa: E402
import checks  # noqa: E402
import harness  # noqa: E402
import hubs  # noqa: E402
import measure  # noqa: E402
import protocols  # noqa: E402
import summary_table  # noqa: E402
import zoo  # noqa: E402

FIXTURE_PYTHON = "/usr/bin/python3"
COMMAND_TIMEOUT_S = 1800
STAMP = "factory.sha256"  # beside each export: factory_digest() of the code that made it


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Axon:
    """The axon CLI with its own AXON_HOME; each call's environment adds a hub's variables."""

    def __init__(self, binary, home, environment):
        self.binary, self.home, self.environment = str(binary), home, environment

    def run(self, *arguments, home=None, environment=None):
        env = dict(self.environment, AXON_HOME=str(home or self.home), **(environment or {}))
        return subprocess.run([self.binary, *map(str, arguments)], env=env, capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT_S)

    def check(self, *arguments, home=None, environment=None):
        result = self.run(*arguments, home=home, environment=environment)
        if result.returncode != 0:
            raise RuntimeError(f"`axon {' '.join(map(str, arguments))}` exited with "
                               f"{result.returncode}: {(result.stderr or result.stdout).strip()}")
        return result


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
    command = [FIXTURE_PYTHON, str(REPOSITORY / "fixtures" / "make_fixtures.py"), "--out", str(out),
               "--only", *wanted] + (["--real"] if real else [])
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


def data_sets(fixture_dir):
    """[(inputs, outputs)] of every test_data_set_<k> of a fixture, in order."""
    count = len(list(pathlib.Path(fixture_dir).glob("test_data_set_*")))
    return [harness.load_reference(fixture_dir, index) for index in range(count)]


# ---------------------------------------------------------------------------------------------
# The server


class Core:
    """mlos-core with HTTP, gRPC and IPC on free ports, its home under WORK."""

    def __init__(self, build, work, environment):
        self.http_port, self.grpc_port = harness.free_port(), harness.free_port()
        self.socket = work / "mlos.sock"
        self.server = harness.Server(
            build / "bin" / "mlos-core", work / "mlos-home", self.http_port, environment,
            arguments=["--grpc-port", self.grpc_port, "--socket", self.socket,
                       "--plugin-dir", build / "lib" / "plugins", "--keep-alive-s", "-1"],
            front_ends=("http", "grpc", "ipc"))

    def start(self):
        self.server.start()
        return self.server.request("GET", "/stats").json.get("apis", {})

    def memory(self):
        return measure.process_memory(self.server.process.pid)

    def request_duration_us(self, model_id):
        """Cumulative server-side request time of MODEL_ID (queue + compute), from /metrics."""
        labels = harness.model_labels(model_id)
        return self.server.metrics().get(("nv_inference_request_duration_us", labels), 0.0)

    def call(self, method, path):
        reply = self.server.request(method, path, timeout=COMMAND_TIMEOUT_S)
        if reply.status != 200:
            raise RuntimeError(f"{method} {path}: {reply}")
        return reply.json


# ---------------------------------------------------------------------------------------------
# One zoo model


class ModelRun:
    """Runs one zoo model through publish, install, register and inference; fills RECORD (the
    model's entry of summary.json)."""

    def __init__(self, model, options, context):
        self.model, self.options, self.context = model, options, context
        self.record = {"name": model.name, "architecture": model.architecture, "task": model.task,
                       "hub": model.hub, "source": None, "parameters": None, "size_bytes": None,
                       "passed": False, "error": None,
                       "phases_s": {"build": context.build_seconds.get(model.name),
                                    "publish": None, "install": None, "register": None},
                       "server_rss_bytes": None, "components": [], "checks": []}

    def run(self):
        try:
            self.install_and_register()
            for component, model_id in self.component_ids:
                self.exercise(component, model_id)
            for component, model_id in self.component_ids:
                if component.feeds:
                    self.chain(component, model_id)
        except Exception as error:  # noqa: BLE001 - any failure fails this model, not the run
            self.record["error"] = f"{type(error).__name__}: {error}"
            log(f"  FAILED: {self.record['error']}")
            if self.options.verbose:
                traceback.print_exc()
        self.record["server_rss_bytes"] = self.context.core.memory()[0]
        self.record["passed"] = (self.record["error"] is None and bool(self.record["checks"])
                                 and all(check["passed"] for check in self.record["checks"]))
        return self.record

    def install_and_register(self):
        context, phases = self.context, self.record["phases_s"]
        with measure.Stopwatch() as watch:
            self.publication = hubs.publish(self.model, context.fixtures, context.hub_root,
                                            context.emulator.url, context.axon, context.real)
        phases["publish"] = watch.seconds
        self.record["source"] = self.publication.spec
        for key, value in self.publication.config.items():
            context.axon.check("config", "set", key, value)
        with measure.Stopwatch() as watch:
            installed = json.loads(context.axon.check(
                "install", self.publication.spec, "--json",
                environment=self.publication.environment).stdout)
        phases["install"] = watch.seconds
        self.record["size_bytes"] = installed.get("disk_bytes")
        log(f"  installed {installed['model_id']} from {self.publication.spec} in "
            f"{watch.seconds:.2f} s ({installed.get('disk_bytes', 0) / 1e6:.1f} MB)")
        with measure.Stopwatch() as watch:
            reply = json.loads(context.axon.check(
                "register", installed["model_id"], "--core", context.core.server.url,
                "--json").stdout)
        phases["register"] = watch.seconds
        replies = reply if isinstance(reply, list) else [reply]
        registered = [entry["model_id"] for entry in replies]
        self.component_ids = self.match_roles(registered)
        log(f"  registered {', '.join(registered)} in {watch.seconds:.2f} s")

    def match_roles(self, registered):
        """[(component, Core model id)]: a one-file model has one id; a multi-file model one per
        role, `<namespace>/<name>/<role>@<version>`."""
        if self.model.roles == ["single"]:
            if len(registered) != 1:
                raise RuntimeError(f"axon registered {registered} for a one-file model")
            return [(self.model.components[0], registered[0])]
        pairs = []
        for component in self.model.components:
            ids = [model_id for model_id in registered
                   if model_id.rpartition("@")[0].endswith("/" + component.role)]
            if len(ids) != 1:
                raise RuntimeError(f"no registered model for role {component.role}: axon "
                                   f"registered {registered}")
            pairs.append((component, ids[0]))
        return pairs

    def references(self, component):
        """[(inputs, outputs)] of COMPONENT's data sets, named as the served model names them."""
        renames = self.publication.renames
        return [({renames.get(name, name): array for name, array in inputs.items()},
                 {renames.get(name, name): array for name, array in outputs.items()})
                for inputs, outputs in data_sets(self.context.fixtures / component.fixture)]

    def chain(self, component, model_id):
        """Runs COMPONENT on every data set with each fed input replaced by what the server
        answered for the feeding role on its data set (over the first protocol), as a seq2seq
        application does, and checks the result against torch's chained outputs."""
        served_ids = {c.role: i for c, i in self.component_ids}
        feeding = {c.role: c for c, _ in self.component_ids}
        endpoint = self.context.endpoints[0]
        try:
            for index, (inputs, expected) in enumerate(self.references(component)):
                inputs = dict(inputs)
                for input_name, role, output in component.feeds:
                    source_inputs = self.references(feeding[role])[index][0]
                    inputs[input_name] = endpoint.infer(served_ids[role], source_inputs)[output][1]
                served = endpoint.infer(model_id, inputs)
                for check in checks.compare(expected, served):
                    if check["check"] == "values":
                        check["detail"] = (f"data set {index}, fed by the served "
                                           f"{'/'.join(role for _, role, _ in component.feeds)}: "
                                           f"{check['detail']}")
                        self.add_check(component, endpoint.name, dict(check, check="chain"))
        except Exception as error:  # noqa: BLE001 - the chain failed: a failed check
            self.add_check(component, endpoint.name,
                           checks.result("chain", False, f"{type(error).__name__}: {error}"))

    def exercise(self, component, model_id):
        context = self.context
        references = self.references(component)
        renames = self.publication.renames
        judgements = [zoo.Judgement(renames.get(j.output, j.output), j.kind)
                      for j in component.judgements]
        entry = {"role": component.role, "model_id": model_id, "first_inference_ms": None,
                 "load_ms": None, "protocols": []}
        self.record["components"].append(entry)
        self.record["parameters"] = (self.record["parameters"] or 0) + count_parameters(
            context.fixtures / component.fixture / "model.onnx")

        first = context.endpoints[0]  # MLOS HTTP: the first request loads the model
        with measure.Stopwatch() as watch:
            first.infer(model_id, references[0][0])
        entry["first_inference_ms"] = watch.milliseconds
        quoted = harness.quoted_model_id(model_id)
        context.core.call("POST", f"/models/{quoted}/unload")
        with measure.Stopwatch() as watch:
            context.core.call("POST", f"/models/{quoted}/load")
        entry["load_ms"] = watch.milliseconds
        log(f"  {model_id}: first inference {entry['first_inference_ms']:.1f} ms, "
            f"load {entry['load_ms']:.1f} ms")

        answers = {}  # protocol -> served outputs of data set 0
        for endpoint in context.endpoints:
            entry["protocols"].append(self.exercise_protocol(
                endpoint, component, model_id, references, judgements, answers))
        same = checks.same_answers(answers)
        self.add_check(component, "all", same)

    def exercise_protocol(self, endpoint, component, model_id, references, judgements,
                          answers):
        result = {"protocol": endpoint.name, "status": "unavailable", "error": None,
                  "client_ms": None, "server_ms": None}
        if not endpoint.available:
            result["error"] = endpoint.note
            return result
        try:
            for index, (inputs, expected) in enumerate(references):
                served = endpoint.infer(model_id, inputs)
                if index == 0:
                    answers[endpoint.name] = served
                for check in checks.compare(expected, served, judgements):
                    check["detail"] = f"data set {index}: {check['detail']}"
                    self.add_check(component, endpoint.name, check)
            client, server = self.steady_state(endpoint, model_id, references[0][0])
            result["client_ms"] = measure.distribution(client)
            result["server_ms"] = measure.distribution(server)
        except Exception as error:  # noqa: BLE001 - reported as this protocol's failure
            result.update(status="failed", error=f"{type(error).__name__}: {error}")
            self.add_check(component, endpoint.name,
                           checks.result("request", False, result["error"]))
            return result
        failed = any(not check["passed"] for check in self.record["checks"]
                     if check["component"] == component.role
                     and check["protocol"] == endpoint.name)
        result["status"] = "failed" if failed else "passed"
        p50 = result["client_ms"]["p50"]
        log(f"    {endpoint.name:13} {result['status']:6} client p50 {p50:8.3f} ms, server p50 "
            f"{result['server_ms']['p50']:8.3f} ms")
        return result

    def steady_state(self, endpoint, model_id, inputs):
        """Client and server milliseconds of REQUESTS sequential requests after one warm-up; the
        server's time of each is the growth of its request-duration counter across it."""
        endpoint.infer(model_id, inputs)
        client, server = [], []
        for _ in range(self.options.requests):
            before = self.context.core.request_duration_us(model_id)
            with measure.Stopwatch() as watch:
                endpoint.infer(model_id, inputs)
            client.append(watch.milliseconds)
            server.append((self.context.core.request_duration_us(model_id) - before) / 1e3)
        return client, server

    def add_check(self, component, protocol, check):
        self.record["checks"].append({"component": component.role, "protocol": protocol, **check})


def count_parameters(model_path):
    """The number of weights in an ONNX model's initializers."""
    import onnx

    model = onnx.load(str(model_path), load_external_data=False)
    total = 0
    for initializer in model.graph.initializer:
        count = 1
        for dim in initializer.dims:
            count *= dim
        total += count
    return total


# ---------------------------------------------------------------------------------------------


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
