"""gradlens_torch.watch: the run log of a PyTorch run holds the numbers the engine records.
An exported network trained from the engine's weights is watched, and each layer's
telemetry is compared, step by step, with `gradlens inspect --json` on the same weights."""

import json
import math
import unittest

import torch
from torch import nn

from gradlens_test import ROOT, TempDir, gradlens, gradlens_json, python
import gradlens_torch  # noqa: E402  (gradlens_test puts python/ on the path)
from test_export import export


def read_log(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def close(a, b, rel=2e-3, abs_=1e-6):
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


class TelemetryParity(unittest.TestCase):
    def compare(self, net, steps):
        with TempDir() as folder:
            script = export(folder, net)
            weights = folder / "w.json"
            weights.write_text(gradlens("grads", net, "--json").stdout)
            log = folder / "run.jsonl"
            run = python(script, "--weights", weights, "--steps", steps, "--gradlens", log)
            self.assertEqual(run.returncode, 0, run.stderr)
            records = read_log(log)
            engine = gradlens_json("inspect", net, "--json", "--steps", steps)  # from the same initial weights
        header, frames = records[0], [r for r in records if r["type"] == "step"]
        self.assertEqual(header["producer"], "pytorch")
        self.assertEqual(records[-1], {"type": "end", "reason": "done", "steps": steps})
        self.assertEqual(len(frames), steps)
        leaves = {layer["name"]: layer for layer in engine["spec"]["layers"]}
        for layer in header["layers"]:
            self.assertIn(layer["name"], leaves)
            self.assertEqual(layer["line"], leaves[layer["name"]]["line"])
        for frame, expected in zip(frames, engine["frames"]):
            self.assertTrue(close(frame["loss"], expected["loss"]), (frame["loss"], expected["loss"]))
            for layer, stats in zip(header["layers"], frame["layers"]):
                want = expected["layers"][leaves[layer["name"]]["index"]]
                where = f"step {frame['step']} {layer['name']}"
                for key in ["gradNorm", "gradRms", "outGradNorm", "outMean", "outStd", "deadFraction", "saturatedFraction"]:
                    self.assertTrue(close(stats[key], want[key]), f"{where} {key}: {stats[key]} vs {want[key]}")
                if leaves[layer["name"]]["index"] > 0:  # the data batch has no gradient in PyTorch
                    self.assertTrue(close(stats["inGradNorm"], want["inGradNorm"]), f"{where} inGradNorm")
                for mine, theirs in zip(stats["params"], want["params"]):
                    for key in ["gradNorm", "gradMaxAbs", "gradMean", "gradStd", "weightNorm", "updateRatio"]:
                        self.assertTrue(close(mine[key], theirs[key], abs_=1e-7), f"{where} {mine['name']} {key}: {mine[key]} vs {theirs[key]}")

    def test_spiral_relu_mlp(self):
        self.compare(ROOT / "examples" / "spiral.net", 4)

    def test_deep_sigmoid_saturation_and_residual_norms(self):
        self.compare(ROOT / "examples" / "deep-sigmoid.net", 3)
        self.compare(ROOT / "examples" / "residual.net", 3)

    def test_activation_layers_and_dead_units(self):
        with TempDir() as folder:
            net = folder / "act.net"
            net.write_text("data spiral n=60 seed=3\ninput 2\nh: dense 16 init=normal(-0.5, 0.5)\nrelu\nt: dense 8\ntanh\nout: dense 3\n")
            self.compare(net, 3)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 2))

    def forward(self, x):
        return self.body(x)


class WatchApi(unittest.TestCase):
    def train(self, log, steps, every=1, lr=0.1, **options):
        torch.manual_seed(0)
        model = Model()
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
        with gradlens_torch.watch(model, log, every=every, **options) as w:
            for _ in range(steps):
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                w.step(loss)
                with torch.no_grad():  # an evaluation pass does not disturb the statistics
                    model.eval()
                    model(x * 100)
                    model.train()
        return read_log(log)

    def test_layers_are_named_modules_and_every_skips_steps(self):
        with TempDir() as folder:
            records = self.train(folder / "run.jsonl", 25, every=10)
        header = records[0]
        self.assertEqual([(l["name"], l["kind"], l.get("activation")) for l in header["layers"]],
                         [("body.0", "dense", "linear"), ("body.1", "activation", "sigmoid"), ("body.2", "dense", "linear")])
        self.assertEqual([(p["name"], p["shape"]) for p in header["layers"][0]["params"]], [("weight", [8, 4]), ("bias", [8])])
        self.assertEqual([r["step"] for r in records if r["type"] == "step"], [1, 11, 21])
        self.assertEqual(records[-1], {"type": "end", "reason": "done", "steps": 25})
        step = records[1]
        self.assertLess(step["layers"][1]["outMean"], 1)  # the training batch, not the x100 evaluation pass
        self.assertGreater(step["layers"][0]["params"][0]["updateRatio"], 0)
        self.assertTrue(any(r["type"] == "histogram" for r in records))

    def test_ddp_wrapper_prefix_is_dropped(self):
        model = Model()
        wrapped = nn.DataParallel(model)
        with TempDir() as folder:
            w = gradlens_torch.watch(wrapped, folder / "run.jsonl")
            w.close()
            names = [l["name"] for l in read_log(folder / "run.jsonl")[0]["layers"]]
        self.assertEqual(names, ["body.0", "body.1", "body.2"])

    def test_first_nonfinite_value_and_diverged_end(self):
        with TempDir() as folder:
            records = self.train(folder / "run.jsonl", 6, lr=1e38)
        nonfinite = [r for r in records if r["type"] == "nonfinite"]
        self.assertEqual(len(nonfinite), 1)
        self.assertIn(nonfinite[0]["phase"], ("forward", "backward", "update"))
        self.assertIn("NaN/Inf first appeared at step", nonfinite[0]["message"])
        self.assertEqual(records[-1]["reason"], "diverged")
        text = json.dumps(records)
        self.assertTrue("NaN" in text or "Infinity" in text)
        for record in records:  # non-finite numbers are strings, so every line is JSON
            json.dumps(record, allow_nan=False)

    def test_an_exception_ends_the_log_with_error(self):
        with TempDir() as folder:
            log = folder / "run.jsonl"
            with self.assertRaises(ZeroDivisionError):
                with gradlens_torch.watch(Model(), log):
                    1 / 0
            end = read_log(log)[-1]
        self.assertEqual(end["reason"], "error")
        self.assertIn("ZeroDivisionError", end["message"])

    def test_the_header_holds_the_initial_moments_and_the_optimizer(self):
        torch.manual_seed(0)
        model = Model()
        with torch.no_grad():
            model.body[0].weight.mul_(7)  # whatever the user did to the weights before watch()
            model.body[2].bias.fill_(0.25)
        expected = [(w.mean().item(), w.std(unbiased=False).item()) for w in model.parameters()]
        optimizers = [
            (torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4),
             {"kind": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 1e-4}),
            (torch.optim.Adam(model.parameters(), lr=1e-3),
             {"kind": "adam", "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weightDecay": 0.0}),
            (torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.8, 0.99), weight_decay=0.1),
             {"kind": "adamw", "lr": 3e-4, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "weightDecay": 0.1}),
            (torch.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.9),
             {"kind": "rmsprop", "lr": 0.01, "decay": 0.9, "eps": 1e-8, "momentum": 0.0, "weightDecay": 0.0}),
            (torch.optim.Adagrad([{"params": model.body[0].parameters()}, {"params": model.body[2].parameters(), "lr": 0.1}], lr=0.5),
             {"kind": "Adagrad", "lr": 0.5, "eps": 1e-10, "weightDecay": 0.0, "groups": 2}),
        ]
        with TempDir() as folder:
            for optimizer, entry in optimizers:
                gradlens_torch.watch(model, folder / "run.jsonl", optimizer=optimizer, clip=None).close()
                header = read_log(folder / "run.jsonl")[0]
                self.assertEqual(header["optimizer"], entry)
            gradlens_torch.watch(model, folder / "run.jsonl", optimizer=optimizers[0][0], clip=1.0).close()
            self.assertEqual(read_log(folder / "run.jsonl")[0]["optimizer"]["clip"], 1.0)
            gradlens_torch.watch(model, folder / "run.jsonl").close()  # without an optimizer: none in the header
            header = read_log(folder / "run.jsonl")[0]
            self.assertNotIn("optimizer", header)
            with self.assertRaises(TypeError):
                gradlens_torch.watch(model, folder / "bad.jsonl", optimizer="adam")
        written = [p["init"] for layer in header["layers"] for p in layer["params"]]
        self.assertEqual(len(written), len(expected))
        for init, (mean, std) in zip(written, expected):
            self.assertAlmostEqual(init["mean"], mean, places=6)
            self.assertAlmostEqual(init["std"], std, places=6)
        self.assertEqual(written[3], {"mean": 0.25, "std": 0.0})

    def test_every_must_be_positive(self):
        with TempDir() as folder, self.assertRaises(ValueError):
            gradlens_torch.watch(Model(), folder / "x.jsonl", every=0)


if __name__ == "__main__":
    unittest.main()
