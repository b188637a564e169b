#!/usr/bin/env python3
"""A realistic summary.json (schema mlos-e2e/1) for developing and testing the report.

build() returns a run over six models in which every case the report must show is present: a
multi-role model (T5's encoder and decoder; CLIP's two encoders), a failed check that fails its
model (and so the run), a failed protocol, a protocol the run could not use (gRPC), figures that
could not be measured (null, with the reason beside them), and a model whose name is HTML that
must be shown as text. The figures are plausible for a 2-core machine, from 0.05 ms to seconds.

Command line: sample_summary.py [OUT_JSON]   (default: print to stdout)
"""

import json
import sys

PROTOCOLS = [
    {"name": "mlos-http", "label": "MLOS HTTP", "available": True, "note": ""},
    {"name": "kserve-json", "label": "KServe HTTP JSON", "available": True, "note": ""},
    {"name": "kserve-binary", "label": "KServe HTTP binary", "available": True, "note": ""},
    {"name": "grpc", "label": "KServe gRPC", "available": False,
     "note": "python3-grpcio is not importable"},
    {"name": "ipc", "label": "IPC", "available": True, "note": ""},
]
# Client overhead of each protocol over the server's own time, in ms (JSON grows with the tensor).
OVERHEAD_MS = {"mlos-http": 0.09, "kserve-json": 0.15, "kserve-binary": 0.1, "ipc": 0.02}
JSON_MS_PER_MB = {"kserve-json": 9.0, "mlos-http": 8.0}


def _timing(p50):
    return {"n": 20, "p50": round(p50, 4), "p90": round(p50 * 1.18, 4),
            "mean": round(p50 * 1.06, 4), "min": round(p50 * 0.93, 4)}


def _component(model_id, role, server_ms, output_mb, first_ms, failed=None):
    """One registered role measured over every protocol; `failed`: {protocol: error}."""
    failed = failed or {}
    entries = []
    for protocol in PROTOCOLS:
        name = protocol["name"]
        if not protocol["available"]:
            entries.append({"protocol": name, "status": "unavailable", "error": protocol["note"],
                            "client_ms": None, "server_ms": None})
            continue
        client_ms = server_ms + OVERHEAD_MS[name] + JSON_MS_PER_MB.get(name, 0.5) * output_mb
        entries.append({"protocol": name, "status": "failed" if name in failed else "passed",
                        "error": failed.get(name), "client_ms": _timing(client_ms),
                        "server_ms": _timing(server_ms)})
    return {"role": role, "model_id": model_id, "first_inference_ms": first_ms,
            "load_ms": None if first_ms is None else round(first_ms * 0.8, 1),
            "protocols": entries}


def _checks(components, kinds, failures=None):
    """Every check for every role and available protocol; `failures`: {(role, protocol, check):
    detail} for the ones that failed."""
    failures = failures or {}
    checks = []
    for component in components:
        for entry in component["protocols"]:
            if entry["status"] == "unavailable":
                continue
            for kind in kinds:
                key = (component["role"], entry["protocol"], kind)
                checks.append({"component": component["role"], "protocol": entry["protocol"],
                               "check": kind, "passed": key not in failures,
                               "detail": failures.get(key, "as torch")})
    return checks


def _model(name, architecture, task, hub, source, parameters, size_bytes, phases, rss,
           components, kinds, failures=None, error=None):
    checks = _checks(components, kinds, failures)
    failed_protocols = any(entry["status"] == "failed"
                           for component in components for entry in component["protocols"])
    passed = error is None and not failed_protocols and all(check["passed"] for check in checks)
    return {"name": name, "architecture": architecture, "task": task, "hub": hub,
            "source": source, "parameters": parameters, "size_bytes": size_bytes,
            "passed": passed, "error": error, "phases_s": phases, "server_rss_bytes": rss,
            "components": components, "checks": checks}


def build():
    mib = 1 << 20
    models = [
        _model("mlp_tiny", "MLP 16-32-4", "features", "registry", "registry/e2e/mlp-tiny@1",
               676, 3_100, {"build": 0.4, "publish": 0.1, "install": 0.31, "register": 0.05},
               41 * mib, [_component("registry/e2e/mlp-tiny@1", "single", 0.012, 0.0, 3.9)],
               ["names", "shapes", "dtypes", "values", "same-answers"]),
        _model("resnet18", "ResNet-18", "classification", "pytorch",
               "pytorch/vision:v0.14.0/resnet18", 11_689_512, 46_830_571,
               {"build": 2.8, "publish": 0.6, "install": 1.9, "register": 0.42}, 152 * mib,
               [_component("pytorch/vision/resnet18@v0.14.0", "single", 38.0, 0.004, 212.0)],
               ["names", "shapes", "dtypes", "values", "top5", "same-answers"]),
        _model("distilbert_sst2", "DistilBERT (SST-2 head)", "classification", "hf",
               "hf/e2e-zoo/distilbert-sst2", 66_955_010, 268_000_000,
               {"build": 4.1, "publish": 1.2, "install": 3.3, "register": 0.71}, 431 * mib,
               [_component("hf/e2e-zoo/distilbert-sst2@main", "single", 21.5, 0.0, 340.5,
                           failed={"ipc": "reply outputs differ from HTTP's: "
                                          "logits max |diff| 0.41"})],
               ["names", "shapes", "dtypes", "values", "top5", "same-answers"],
               failures={("single", "kserve-json", "values"):
                         "max |error| 0.41 at logits[0,1] above atol 1e-04 + rtol 1e-03",
                         ("single", "kserve-json", "top5"):
                         "top-5 [0, 1] differs from torch's [1, 0]"}),
        _model("t5_small", "T5-small", "seq2seq", "hf", "hf/e2e-zoo/t5-small", 60_506_624,
               242_000_000, {"build": 3.1, "publish": 0.2, "install": 1.4, "register": 0.9},
               618 * mib,
               [_component("hf/e2e-zoo/t5-small/encoder@main", "encoder", 4.0, 0.03, 210.4),
                _component("hf/e2e-zoo/t5-small/decoder@main", "decoder", 6.2, 2.0, 260.9)],
               ["names", "shapes", "dtypes", "values", "same-answers"]),
        _model("clip_vit_b32", "CLIP ViT-B/32", "multimodal", "modelscope",
               "modelscope/e2e-zoo/clip-vit-b32", 151_277_313, 605_000_000,
               {"build": 7.5, "publish": 2.1, "install": 5.6, "register": 1.3}, 1_190 * mib,
               [_component("modelscope/e2e-zoo/clip-vit-b32/text_encoder@master",
                           "text_encoder", 9.4, 0.002, 402.0),
                _component("modelscope/e2e-zoo/clip-vit-b32/vision_encoder@master",
                           "vision_encoder", 61.0, 0.002, 655.3)],
               ["names", "shapes", "dtypes", "values", "cosine", "same-answers"]),
        _model('<script>alert("owned")</script>&lt;b&gt;', "Kaggle upload <i>v2</i>",
               "embedding", "kaggle", "kaggle/e2e/<img src=x onerror=alert(1)>/1", None, None,
               {"build": 1.0, "publish": 0.3, "install": None, "register": 0.2}, None,
               [_component("kaggle/e2e/odd/1", "single", 1.7, 0.001, None)],
               ["names", "shapes", "dtypes", "cosine"]),
    ]
    checks = [check for model in models for check in model["checks"]]
    return {
        "schema": "mlos-e2e/1",
        "configuration": "quick",
        "passed": all(model["passed"] for model in models),
        "started": "2026-11-26T18:00:00Z",
        "duration_s": 412.5,
        "versions": {"mlos_core": "0.4.0", "axon": "0.4.0", "git_commit": "d548b95",
                     "torch": "1.13.0", "onnx": "1.12.0", "python": "3.11.2"},
        "hardware": {"cpu_model": "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
                     "logical_cpus": 2, "physical_cores": 1,
                     "simd": ["sse4_2", "avx2", "fma", "avx512f"], "memory_bytes": 25769803776,
                     "os": "Debian GNU/Linux 12 (bookworm)", "kernel": "6.1.0-27-cloud-amd64"},
        "protocols": PROTOCOLS,
        "server": {"rss_bytes_start": 30_000_000, "rss_bytes_peak": 1_310 * mib,
                   "rss_bytes_end": 1_250 * mib},
        "models": models,
        "totals": {"models": len(models),
                   "models_passed": sum(model["passed"] for model in models),
                   "checks": len(checks),
                   "checks_failed": sum(not check["passed"] for check in checks)},
    }


def main():
    text = json.dumps(build(), indent=2) + "\n"
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
