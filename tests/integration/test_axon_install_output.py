#!/usr/bin/python3
"""What `axon install hf/...` shows and records beyond the files, against the hub emulator:

- on a terminal (stderr a pseudo-terminal) the multi-line download display — a line per file in
  flight and a total line — then the one-line summary, while stdout carries only --json's result;
  with pipes, stderr stays empty and stdout holds nothing but the result;
- the manifest's spec.io.preprocessing, read from the repository's config.json,
  preprocessor_config.json, tokenizer_config.json and tokenizer.json.

Usage: test_axon_install_output.py --axon BIN --fixtures DIR [unittest arguments]
"""

import argparse
import fcntl
import json
import os
import pathlib
import pty
import re
import select
import shutil
import struct
import subprocess
import tempfile
import termios
import unittest

import yaml

import axon_harness
import harness
from axon_harness import HubEmulator, make_repo

OPTIONS = argparse.Namespace()  # --axon, --fixtures; set by axon_harness.run_tests
ESCAPE = re.compile(r"\x1b\[[0-9]*[A-Za-z]|\r")


def tokenizer_json(words):
    """A WordPiece tokenizer.json with [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3 and `words` more."""
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    vocab.update({f"word{i}": i + 4 for i in range(words)})
    return json.dumps({
        "added_tokens": [{"id": 0, "content": "[PAD]"}, {"id": 2, "content": "[CLS]"},
                         {"id": 3, "content": "[SEP]"}],
        "normalizer": {"type": "BertNormalizer", "lowercase": True},
        "truncation": None, "padding": None,
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": vocab}}).encode()


class InstallOutputTest(unittest.TestCase):
    WORDS = 40000  # tokenizer.json of about 0.8 MB: throttled, it takes about a second

    @classmethod
    def setUpClass(cls):
        cls.workspace = pathlib.Path(tempfile.mkdtemp(prefix="mlos-install-output-"))
        cls.addClassCleanup(shutil.rmtree, cls.workspace, ignore_errors=True)
        root = cls.workspace / "hub"
        cls.tokenizer = tokenizer_json(cls.WORDS)
        make_repo(root, "org/vit-bert", {
            "model.onnx": OPTIONS.fixtures / "mlp" / "model.onnx",
            "config.json": json.dumps({
                "model_type": "vit", "architectures": ["ViTForImageClassification"],
                "id2label": {"0": "cat", "1": "dog", "2": "true"},
                "max_position_embeddings": 197}).encode(),
            "preprocessor_config.json": json.dumps({
                "image_processor_type": "ViTImageProcessor", "do_resize": True,
                "size": {"height": 224, "width": 224}, "resample": 2, "do_rescale": True,
                "rescale_factor": 1 / 255, "do_normalize": True,
                "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}).encode(),
            "tokenizer_config.json": json.dumps({
                "tokenizer_class": "BertTokenizer", "model_max_length": 128,
                "padding_side": "right", "cls_token": "[CLS]", "sep_token": "[SEP]",
                "pad_token": "[PAD]", "unk_token": "[UNK]"}).encode(),
            "tokenizer.json": cls.tokenizer,
        })
        cls.emulator = HubEmulator(root)
        cls.addClassCleanup(cls.emulator.stop)
        cls.environment = harness.scrubbed_environment(cls.workspace)
        cls.environment.pop("HF_TOKEN", None)
        cls.environment.pop("COLUMNS", None)
        cls.environment["HF_ENDPOINT"] = cls.emulator.url
        cls.axon_home = cls.workspace / "axon-home"
        cls.axon = harness.Axon(OPTIONS.axon, cls.axon_home, cls.environment)

    def throttle_tokenizer(self):
        self.emulator.set_faults({"hf/org/vit-bert/tokenizer.json":
                                  {"bytes_per_second": len(self.tokenizer)}})

    def run_on_terminal(self, *arguments, columns=100):
        """Runs axon with stderr on a pseudo-terminal COLUMNS wide; returns (exit code, stdout,
        everything the terminal received)."""
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        process = subprocess.Popen([str(OPTIONS.axon), *arguments],
                                   env=dict(self.environment, AXON_HOME=str(self.axon_home)),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=follower)
        os.close(follower)
        terminal = b""
        while True:
            ready, _, _ = select.select([leader], [], [], harness.COMMAND_TIMEOUT_S)
            if not ready:
                process.kill()
                self.fail(f"axon went silent; the terminal so far:\n{terminal!r}")
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the follower side is closed, axon has exited
                break
            if not chunk:
                break
            terminal += chunk
        os.close(leader)
        stdout = process.stdout.read().decode()
        process.stdout.close()
        return process.wait(timeout=harness.COMMAND_TIMEOUT_S), stdout, terminal.decode()

    def test_progress_on_a_terminal_and_silence_on_pipes(self):
        self.throttle_tokenizer()
        # --force: the other test may have installed it already; this one must download.
        code, stdout, terminal = self.run_on_terminal("install", "hf/org/vit-bert@main", "--json",
                                                      "--force")
        self.assertEqual(code, 0, terminal)
        self.assertEqual(json.loads(stdout)["model_id"], "hf/org/vit-bert@main")  # JSON only
        # The frames: each redraw erases the block ("\x1b[J") and writes its lines.
        frames = [ESCAPE.sub("", frame).splitlines() for frame in terminal.split("\x1b[J")]
        lines = [line for frame in frames for line in frame]
        self.assertTrue(any(line.startswith("  tokenizer.json") and "%" in line and "/s" in line
                            and "[" in line for line in lines), terminal)
        self.assertTrue(any(line.startswith("total ") and "/5 files" in line and "ETA" in line
                            for line in lines), terminal)
        self.assertGreater(len([f for f in frames if any(l.startswith("total ") for l in f)]), 2,
                           "redrawn in place while the download runs")
        for line in lines:  # the terminal never wraps a line: the cursor moves stay exact
            self.assertLess(len(line), 100, line)
        self.assertRegex(frames[-1][-1], r"^downloaded 5 files, [0-9.]+ (KiB|MiB) in [0-9.]+ s \(")

        self.throttle_tokenizer()
        result = self.axon.run("install", "hf/org/vit-bert@main", "--json", "--force")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        self.assertEqual(json.loads(result.stdout)["outcome"], "replaced")

    def test_manifest_records_the_preprocessing_hints(self):
        model = json.loads(self.axon.check("install", "hf/org/vit-bert@main", "--json").stdout)
        manifest = yaml.safe_load((pathlib.Path(model["path"]) / "manifest.yaml").read_text())
        hints = manifest["spec"]["io"]["preprocessing"]
        self.assertEqual(hints["sources"], ["config.json", "preprocessor_config.json",
                                            "tokenizer_config.json", "tokenizer.json"])
        self.assertEqual(hints["model"], {
            "type": "vit", "architectures": ["ViTForImageClassification"], "num_labels": 3,
            "labels": ["cat", "dog", "true"], "max_position_embeddings": 197})
        self.assertEqual(hints["image"], {
            "processor": "ViTImageProcessor", "do_resize": True,
            "size": {"height": 224, "width": 224}, "resample": 2, "do_rescale": True,
            "rescale_factor": 1 / 255, "do_normalize": True,
            "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225],
            "channel_order": "RGB", "data_format": "channels_first"})
        self.assertEqual(hints["text"], {
            "tokenizer_class": "BertTokenizer", "model": "WordPiece", "max_length": 128,
            "padding_side": "right", "lowercase": True, "vocab_size": self.WORDS + 4,
            "special_tokens": {"cls": {"token": "[CLS]", "id": 2},
                               "sep": {"token": "[SEP]", "id": 3},
                               "pad": {"token": "[PAD]", "id": 0},
                               "unk": {"token": "[UNK]", "id": 1}}})
        # `axon verify` parses the manifest with the same reader as Core.
        self.axon.check("verify", "hf/org/vit-bert@main")


if __name__ == "__main__":
    axon_harness.run_tests(OPTIONS, __doc__, "test_axon_install_output", ("axon", "fixtures"))
