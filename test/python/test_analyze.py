"""`gradlens analyze RUN.jsonl` on PyTorch runs: a two-process DistributedDataParallel run
(gloo, CPU) of a deep sigmoid MLP is flagged, a healthy ReLU MLP is clean; an exported
.net's run log is flagged on the .net lines; an lr far too large is named with the lr to use
when the watch was given the optimizer; an init too large is named with its measured std;
bad logs are exit code 2."""

import json
import socket
import unittest

import torch
from torch import nn

from gradlens_test import ROOT, TempDir, gradlens, python
import gradlens_torch  # noqa: E402  (gradlens_test puts python/ on the path)
from test_export import export

HERE = ROOT / "test" / "python"


def ddp(kind, log, *extra):
    with socket.socket() as probe:  # a free port for the rendezvous
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    run = python(HERE / "ddp_train.py", kind, log, *extra, env={"MASTER_PORT": port})
    if run.returncode != 0:
        raise AssertionError(f"DDP run failed: {run.stderr}")
    return run


class DistributedRuns(unittest.TestCase):
    def test_deep_sigmoid_is_flagged_and_relu_is_clean(self):
        with TempDir() as folder:
            ddp("deep-sigmoid", folder / "sigmoid.jsonl")
            ddp("relu", folder / "relu.jsonl")
            self.assertFalse((folder / "sigmoid.rank1.jsonl").exists())  # only rank 0 writes

            flagged = gradlens("analyze", folder / "sigmoid.jsonl", "--json", "--fail-on", "vanishing")
            self.assertEqual(flagged.returncode, 1, flagged.stderr)
            report = json.loads(flagged.stdout)
            vanishing = [f for f in report["findings"] if f["code"] == "vanishing-gradient"]
            self.assertTrue(vanishing)
            self.assertTrue(all(f["layerName"].startswith("") and "module." not in f["layerName"] for f in vanishing))
            self.assertIn(vanishing[0]["layerName"], ("0", "2", "4"))  # the first Linear layers of the Sequential
            self.assertEqual(report["worldSize"], 2)
            self.assertEqual(report["run"]["steps"], 80)

            text = gradlens("analyze", folder / "sigmoid.jsonl")
            self.assertEqual(text.returncode, 0)
            self.assertIn("vanishing-gradient", text.stdout)

            clean = gradlens("analyze", folder / "relu.jsonl", "--json", "--fail-on", "vanishing,exploding,nan,dead,saturated")
            self.assertEqual(clean.returncode, 0, clean.stdout)
            report = json.loads(clean.stdout)
            self.assertEqual([f for f in report["findings"] if f["severity"] != "information"], [])
            self.assertEqual([l["name"] for l in report["spec"]["layers"]], ["h1", "act1", "h2", "act2", "out"])

    def test_all_ranks_writes_a_file_per_rank_that_agree(self):
        with TempDir() as folder:
            ddp("relu", folder / "run.jsonl", "all_ranks")
            for name, rank in (("run.jsonl", 0), ("run.rank1.jsonl", 1)):
                lines = (folder / name).read_text().splitlines()
                header = json.loads(lines[0])
                self.assertEqual((header["rank"], header["worldSize"]), (rank, 2))
                self.assertFalse(any("ranksDiffer" in line for line in lines))  # all-reduced: equal
                self.assertEqual(json.loads(lines[-1])["reason"], "done")


def relu_mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train(model, optimizer, log, steps=30, watch_optimizer=True):
    """Full-batch cross-entropy on a fixed two-class problem, watched every step."""
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(128, 8, generator=generator)
    y = (x[:, 0] * x[:, 1] > 0).long()
    options = {"optimizer": optimizer} if watch_optimizer else {}
    with gradlens_torch.watch(model, log, loss="CrossEntropyLoss", **options) as w:
        for _ in range(steps):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            w.step(loss)


class OptimizerAndInit(unittest.TestCase):
    def test_an_lr_far_too_large_is_named_with_the_lr_to_use(self):
        with TempDir() as folder:
            for name, watched in (("with.jsonl", True), ("without.jsonl", False)):
                torch.manual_seed(0)
                model = relu_mlp([8, 32, 32, 2])
                train(model, torch.optim.SGD(model.parameters(), lr=50.0), folder / name, watch_optimizer=watched)
            report = json.loads(gradlens("analyze", folder / "with.jsonl", "--json").stdout)
            text = gradlens("analyze", folder / "with.jsonl").stdout
            without = json.loads(gradlens("analyze", folder / "without.jsonl", "--json").stdout)
        self.assertEqual(report["spec"]["optimizer"], {"kind": "sgd", "lr": 50.0, "momentum": 0.0, "nesterov": False,
                                                       "weightDecay": 0.0})
        cause = next(f for f in report["findings"] if "lr is ≈" in f["message"])
        self.assertRegex(cause["message"], r"step 1 moved \S+'s weights \S+× their size: lr is ≈\S+× too large")
        factor = cause["evidence"].get("lrFactor") or cause["evidence"]["updateRatio"] / 1e-3
        lr = next(fix["lr"] for fix in cause["fixes"] if fix["kind"] == "set-lr")
        # The lr that makes the first step 1e-3 of the weights, to one significant digit.
        self.assertAlmostEqual(lr, float(f"{50.0 / factor:.1g}"))
        self.assertIn(", sgd lr=50, ", text.splitlines()[0])
        self.assertIn(f"try: lr={lr:g} (now 50)", text)
        # Without the optimizer the same step is named, and no lr is made up.
        self.assertTrue(any("lr is ≈" in f["message"] for f in without["findings"]))
        self.assertFalse(any(fix["kind"] == "set-lr" for f in without["findings"] for fix in f["fixes"]))

    def test_an_init_ten_times_too_large_is_named_with_its_measured_std(self):
        torch.manual_seed(0)
        model = relu_mlp([8, 64, 64, 64, 64, 64, 2])
        stds = {}
        with torch.no_grad():
            for name, module in model.named_children():
                if isinstance(module, nn.Linear):
                    nn.init.normal_(module.weight, 0, 10 * (2 / module.in_features) ** 0.5)  # 10× He
                    nn.init.zeros_(module.bias)
                    stds[name] = module.weight.std(unbiased=False).item()
        with TempDir() as folder:
            train(model, torch.optim.SGD(model.parameters(), lr=1e-3), folder / "run.jsonl")
            report = json.loads(gradlens("analyze", folder / "run.jsonl", "--json").stdout)
        exploding = [f for f in report["findings"] if f["code"] == "exploding-gradient" and "initStd" in f["evidence"]]
        self.assertTrue(exploding, [f["message"] for f in report["findings"]])
        for finding in exploding:
            measured = stds[finding["layerName"]]
            self.assertAlmostEqual(finding["evidence"]["initStd"], measured, delta=measured * 5e-3)
            self.assertAlmostEqual(finding["evidence"]["initStd"] / finding["evidence"]["recommendedStd"], 10, delta=1)
            # The measured moments, not a distribution the run never drew from.
            self.assertRegex(finding["message"], r"measured init std [0-9.]+, 1\d(\.\d)?× (He|Xavier)'s")
            self.assertNotIn("normal(", finding["message"])


class LossNames(unittest.TestCase):
    def test_a_logits_loss_is_its_task(self):
        torch.manual_seed(0)
        model = relu_mlp([8, 16, 1])
        with torch.no_grad():
            model[2].weight.mul_(40)  # an output layer far too large: overconfident from the start
        x = torch.randn(64, 8, generator=torch.Generator().manual_seed(1))
        y = (x[:, 0] > 0).float().unsqueeze(1)
        with TempDir() as folder:
            with gradlens_torch.watch(model, folder / "run.jsonl", loss="BCEWithLogitsLoss") as w:
                loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
                loss.backward()
                w.step(loss)
            report = json.loads(gradlens("analyze", folder / "run.jsonl", "--json").stdout)
        self.assertEqual(report["spec"]["data"]["task"], "binary")
        note = next(f for f in report["findings"] if f["code"] == "initial-loss")
        self.assertIn("(ln 2)", note["message"])


class ExportedRuns(unittest.TestCase):
    def test_findings_land_on_the_net_lines(self):
        with TempDir() as folder:
            script = export(folder, ROOT / "examples" / "deep-sigmoid.net")
            run = python(script, "--steps", "60", "--gradlens", folder / "run.jsonl")
            self.assertEqual(run.returncode, 0, run.stderr)
            result = gradlens("analyze", folder / "run.jsonl", "--json")
            report = json.loads(result.stdout)
        self.assertEqual(report["source"], str(ROOT / "examples" / "deep-sigmoid.net"))
        vanishing = [f for f in report["findings"] if f["code"] == "vanishing-gradient"]
        self.assertTrue(vanishing)
        # `repeat 12 { dense 32 sigmoid init=normal(0, 1) }` is on line 10 (0-based 9).
        self.assertTrue(all(f["line"] == 9 for f in vanishing), [f["line"] for f in vanishing])


class EngineRuns(unittest.TestCase):
    def test_the_engine_log_gives_inspects_findings_and_exit_code(self):
        net = ROOT / "examples" / "deep-sigmoid.net"
        with TempDir() as folder:
            inspected = gradlens("inspect", net, "--json", "--jsonl", folder / "run.jsonl", "--fail-on", "vanishing")
            analysed = gradlens("analyze", folder / "run.jsonl", "--json", "--fail-on", "vanishing")
        self.assertEqual((inspected.returncode, analysed.returncode), (1, 1), analysed.stderr)
        codes = lambda report: sorted((f["code"], f["line"], f.get("layer")) for f in report["findings"])
        self.assertEqual(codes(json.loads(analysed.stdout)), codes(json.loads(inspected.stdout)))


class BothWriters(unittest.TestCase):
    def test_the_exported_run_and_inspect_write_the_same_optimizer_and_initial_moments(self):
        for net in (ROOT / "examples" / "xor.net", ROOT / "examples" / "exploding.net"):
            with TempDir() as folder:
                script = export(folder, net)
                weights = folder / "w.json"
                weights.write_text(gradlens("grads", net, "--json").stdout)
                run = python(script, "--weights", weights, "--steps", "2", "--gradlens", folder / "torch.jsonl")
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertEqual(gradlens("inspect", net, "--steps", "2", "--jsonl", folder / "engine.jsonl").returncode, 0)
                torch_header = json.loads((folder / "torch.jsonl").read_text().splitlines()[0])
                engine_header = json.loads((folder / "engine.jsonl").read_text().splitlines()[0])
            self.assertEqual(torch_header["optimizer"], engine_header["optimizer"], net.name)
            self.assertIn("line", engine_header["optimizer"])
            moments = lambda header: [p["init"] for layer in header["layers"] for p in layer["params"]]
            self.assertEqual(len(moments(torch_header)), len(moments(engine_header)))
            for mine, theirs in zip(moments(torch_header), moments(engine_header)):
                for key in ("mean", "std"):
                    self.assertAlmostEqual(mine[key], theirs[key], delta=1e-6 + 1e-5 * abs(theirs[key]), msg=f"{net.name} {key}")


class BadLogs(unittest.TestCase):
    def test_invalid_logs_are_exit_code_2_with_a_location(self):
        with TempDir() as folder:
            missing = gradlens("analyze", folder / "none.jsonl")
            self.assertEqual(missing.returncode, 2)
            self.assertIn("file-unreadable", missing.stderr)
            bad = folder / "bad.jsonl"
            bad.write_text('{"type":"header","format":"gradlens-runlog","version":1,"producer":"pytorch","layers":[]}\nnot json\n')
            result = gradlens("analyze", bad)
            self.assertEqual(result.returncode, 2)
            self.assertIn("bad.jsonl:2: runlog-invalid", result.stderr)
            headless = folder / "headless.jsonl"
            headless.write_text('{"type":"end","reason":"done","steps":0}\n')
            self.assertEqual(gradlens("analyze", headless).returncode, 2)

    def test_a_log_still_being_written_is_analysed_so_far(self):
        with TempDir() as folder:
            script = export(folder, ROOT / "examples" / "xor.net")
            python(script, "--steps", "5", "--gradlens", folder / "run.jsonl")
            lines = (folder / "run.jsonl").read_text().splitlines()
            partial = folder / "partial.jsonl"
            cut = len(lines) - 3
            partial.write_text("\n".join(lines[:cut]) + "\n" + lines[cut][:40])  # no end record, a half-written line
            steps = sum(1 for line in lines[:cut] if '"type":"step"' in line)
            result = gradlens("analyze", partial, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertFalse(report["run"]["ended"])
        self.assertEqual(report["run"]["steps"], steps)
        self.assertGreater(steps, 1)


if __name__ == "__main__":
    unittest.main()
