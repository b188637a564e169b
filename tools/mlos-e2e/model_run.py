"""One zoo model through the system test: publish, install, register, then per registered model
(per role) a cold first request, a timed load, every data set over every protocol checked against
torch, steady-state client and server times, and for seq2seq models the served chain."""

import json
import pathlib
import traceback

import checks
import harness
import hubs
import measure
import zoo
from log import log


def data_sets(fixture_dir):
    """[(inputs, outputs)] of every test_data_set_<k> of a fixture, in order."""
    count = len(list(pathlib.Path(fixture_dir).glob("test_data_set_*")))
    return [harness.load_reference(fixture_dir, index) for index in range(count)]


class ModelRun:
    """Runs one zoo model through publish, install, register and inference; fills RECORD (the
    model's entry of summary.json)."""

    def __init__(self, model, options, context):
        self.model, self.options, self.context = model, options, context
        self.loaded_references = {}  # component -> references(component)
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
        """[(inputs, outputs)] of COMPONENT's data sets, named as the served model names them;
        read from disk once per component (exercise() and chain() both use them)."""
        if component not in self.loaded_references:
            renames = self.publication.renames
            self.loaded_references[component] = [
                ({renames.get(name, name): array for name, array in inputs.items()},
                 {renames.get(name, name): array for name, array in outputs.items()})
                for inputs, outputs in data_sets(self.context.fixtures / component.fixture)]
        return self.loaded_references[component]

    def chain(self, component, model_id):
        """Runs COMPONENT on every data set with each fed input replaced by what the server
        answered for the feeding role on its data set (over the first protocol), as a seq2seq
        application does, and checks the result against torch's chained outputs."""
        served_ids = {c.role: i for c, i in self.component_ids}
        feeding = {c.role: c for c, _ in self.component_ids}
        endpoint = self.context.endpoints[0]
        try:
            for index, (inputs, expected) in enumerate(self.references(component)):
                inputs = dict(inputs)  # the cached references stay as read
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
