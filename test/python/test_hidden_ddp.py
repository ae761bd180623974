"""A two-process DistributedDataParallel run written as a user would (ddp_hidden.py: modules
h1 … h8 as attributes, functional activations, default options of watch()), analysed by
`gradlens analyze RUN.jsonl --json --fail-on vanishing`: the deep sigmoid net fails naming
its early layers by module name, the ReLU net passes."""

import json
import re
import socket
import unittest

from gradlens_test import ROOT, TempDir, gradlens, python


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


class HiddenDistributedRun(unittest.TestCase):
    def test_vanishing_layers_are_named_by_module_and_the_healthy_run_passes(self):
        with TempDir() as folder:
            run = python(ROOT / "test" / "python" / "ddp_hidden.py", folder / "sigmoid.jsonl", folder / "relu.jsonl", env={"MASTER_PORT": free_port()})
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(sorted(p.name for p in folder.iterdir()), ["relu.jsonl", "sigmoid.jsonl"])  # rank 0 only

            flagged = gradlens("analyze", folder / "sigmoid.jsonl", "--json", "--fail-on", "vanishing")
            self.assertEqual(flagged.returncode, 1, flagged.stderr)
            report = json.loads(flagged.stdout)
            self.assertEqual(report["worldSize"], 2)
            self.assertEqual([layer["name"] for layer in report["spec"]["layers"]], [f"h{i}" for i in range(1, 9)] + ["head"])
            vanishing = sorted({f["layerName"] for f in report["findings"] if f["code"] == "vanishing-gradient"}, key=lambda n: int(n[1:]))
            # The first layers, a run of them from h1: their gradients are 1e-7 of the head's.
            self.assertTrue(all(re.fullmatch(r"h[1-8]", n) for n in vanishing), vanishing)
            self.assertEqual(vanishing, [f"h{i}" for i in range(1, len(vanishing) + 1)])
            self.assertGreaterEqual(len(vanishing), 4)

            # Without a .net file the text names each finding's place by its module, not a line.
            text = gradlens("analyze", folder / "sigmoid.jsonl").stdout
            self.assertIn("\nh1: warning vanishing-gradient: ", text)
            self.assertNotRegex(text, r"(?m)^line \d+:")

            clean = gradlens("analyze", folder / "relu.jsonl", "--json", "--fail-on", "vanishing")
            self.assertEqual(clean.returncode, 0, clean.stdout)
            self.assertEqual([f for f in json.loads(clean.stdout)["findings"] if f["code"] == "vanishing-gradient"], [])


if __name__ == "__main__":
    unittest.main()
