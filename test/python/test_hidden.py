"""Networks unlike the examples (hidden_nets.py), through the interfaces a user has, against
PyTorch modules written from the language reference alone:

- `gradlens grads --json --dtype float64`: the loss and every gradient at initialisation
  equal PyTorch's on the reported batch, from the reported weights;
- `--after N`: the weights after N full-batch steps of the file's optimizer equal PyTorch's;
- the reported batch is the CSV's rows, row-major in the input shape;
- `gradlens export --to pytorch`: the script from the same weights reaches, after N steps,
  the loss `grads --after N` reports (issue #13's tolerances).
"""

import contextlib
import csv
import io
import json
import math
import sys
import unittest

import torch
from torch.nn import functional as F

import hidden_nets
from gradlens_test import TempDir, gradlens, gradlens_json
from test_export import ADAPTIVE_TOLERANCE, SGD_TOLERANCE, export, final_loss, load_module


def run_script(script, *args):
    """The exported script's main() with these arguments, in this process (no torch import
    per script); returns what it printed."""
    module = load_module(script)
    out, argv = io.StringIO(), sys.argv
    sys.argv = [str(script), *map(str, args)]
    try:
        with contextlib.redirect_stdout(out):
            module.main()
    finally:
        sys.argv = argv
    return out.getvalue()

TORCH_NAMES = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias",
               "W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}


def tensors(model, report):
    """(report layer, report param, the module's tensor, transposed?) for every reported parameter."""
    out = []
    for layer in report["layers"]:
        if not layer["params"]:
            continue
        module = getattr(model, layer["name"])
        for p in layer["params"]:
            out.append((layer, p, getattr(module, TORCH_NAMES[p["name"]]), layer["kind"] == "dense" and p["name"] == "W"))
    return out


def load(model, report):
    with torch.no_grad():
        for _layer, p, t, transposed in tensors(model, report):
            v = torch.tensor(p["value"], dtype=torch.float64)
            t.copy_(v.reshape(t.shape[1], t.shape[0]).t() if transposed else v.reshape(t.shape))


def flat(t, transposed):
    return (t.t() if transposed else t).reshape(-1).tolist()


def loss_of(text):
    """The .net file's loss and how its targets meet it, as the reference reads them."""
    words = next((line.split() for line in text.splitlines() if line.startswith("loss ")), ["loss", "cross_entropy"])
    kind = words[1]
    options = dict(w.split("=") for w in words[2:])
    if kind == "cross_entropy":
        return lambda out, y: F.cross_entropy(out, y.long().reshape(-1))
    if kind == "bce":
        return lambda out, y: F.binary_cross_entropy(out, y.reshape(out.shape))
    if kind == "mse":
        return lambda out, y: F.mse_loss(out, y.reshape(out.shape))
    if kind == "mae":
        return lambda out, y: F.l1_loss(out, y.reshape(out.shape))
    delta = float(options.get("delta", 1))
    return lambda out, y: F.huber_loss(out, y.reshape(out.shape), delta=delta)


def optimizer_of(text, params):
    words = next(line.split() for line in text.splitlines() if line.startswith("optimizer "))
    o = {k: float(v) if v not in ("true", "false") else v == "true" for k, v in (w.split("=") for w in words[2:])}
    wd = o.get("weight_decay", 0)
    if words[1] == "sgd":
        opt = torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0), nesterov=o.get("nesterov", False), weight_decay=wd)
    elif words[1] == "adam":
        opt = torch.optim.Adam(params, lr=o["lr"], betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)), eps=o.get("eps", 1e-8), weight_decay=wd)
    else:
        opt = torch.optim.RMSprop(params, lr=o["lr"], alpha=o.get("decay", 0.99), eps=o.get("eps", 1e-8), weight_decay=wd)
    return opt, o.get("clip")


def assert_close(case, what, engine, reference, tolerance):
    diff = max((abs(a - b) for a, b in zip(engine, reference)), default=0)
    scale = max((abs(b) for b in reference), default=0)
    case.assertEqual(len(engine), len(reference), what)
    case.assertLessEqual(diff, tolerance * max(scale, 1e-3), f"{what}: GradLens and PyTorch differ by {diff:.3g} (scale {scale:.3g})")


class HiddenNetworks(unittest.TestCase):
    def test_gradients_at_init_and_weights_after_n_steps_match_pytorch(self):
        for name, net in hidden_nets.NETS.items():
            with self.subTest(network=name), TempDir() as folder:
                torch.set_default_dtype(torch.float64)
                try:
                    self.compare(name, net, hidden_nets.write(folder, name))
                finally:
                    torch.set_default_dtype(torch.float32)

    def compare(self, name, net, path):
        init = gradlens_json("grads", path, "--json", "--dtype", "float64")
        self.assertEqual(init["inputShape"], hidden_nets.input_shape(name))
        model = hidden_nets.build(name).double().train()
        load(model, init)
        x = torch.tensor(init["batch"]["x"], dtype=torch.float64)
        self.assertEqual(list(x.shape[1:]), init["inputShape"], "batch.x nested in the input shape")
        y = torch.tensor(init["batch"]["y"], dtype=torch.float64)
        loss_fn = loss_of(net["net"])
        loss = loss_fn(model(x), y)
        loss.backward()
        self.assertAlmostEqual(init["loss"], loss.item(), delta=1e-9 * max(1, abs(loss.item())), msg=f"{name}: loss at initialisation")
        for layer, p, t, transposed in tensors(model, init):
            self.assertEqual(p["shape"], list(t.shape) if not transposed else [t.shape[1], t.shape[0]], f"{name} {layer['name']}.{p['name']} shape")
            assert_close(self, f"{name}: ∂L/∂{layer['name']}.{p['name']} at initialisation", p["grad"], flat(t.grad, transposed), 1e-8)

        # N full-batch steps of the file's optimizer (the whole training set is the batch,
        # so the engine's shuffled order does not change the step).
        steps = net["steps"]
        after = gradlens_json("grads", path, "--json", "--dtype", "float64", "--after", steps)
        model = hidden_nets.build(name).double().train()
        load(model, init)
        params = [t for _l, _p, t, _tr in tensors(model, init)]
        optimizer, clip = optimizer_of(net["net"], params)
        for _ in range(steps):
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(params, clip)
            optimizer.step()
        for (layer, p, t, transposed), (after_layer, after_p) in zip(tensors(model, init), ((l, q) for l in after["layers"] for q in l["params"])):
            self.assertEqual((layer["name"], p["name"]), (after_layer["name"], after_p["name"]))
            assert_close(self, f"{name}: {layer['name']}.{p['name']} after {steps} steps", after_p["value"], flat(t.detach(), transposed), 1e-7)
        with torch.no_grad():
            self.assertAlmostEqual(after["loss"], loss_fn(model(x), y).item(), delta=1e-7, msg=f"{name}: loss after {steps} steps")

    def test_the_batch_is_the_csv_rows_in_the_input_shape(self):
        # grey-regression reads its CSV without standardising: every reported example is a
        # CSV row's features, filled into [1, 5, 6] row-major, with its own target.
        with TempDir() as folder:
            path = hidden_nets.write(folder, "grey-regression")
            rows = list(csv.DictReader(io.StringIO(hidden_nets.NETS["grey-regression"]["files"]["grey.csv"])))
            by_features = {tuple(float(r[f"p{i}"]) for i in range(30)): float(r["label"]) for r in rows}
            report = gradlens_json("grads", path, "--json", "--dtype", "float64")
            batch = report["batch"]
            self.assertEqual(len(batch["x"]), math.floor(24 * 0.75))
            for example, target in zip(batch["x"], batch["y"]):
                # The engine holds data in float32: match each row to 4 decimals, as written.
                features = tuple(round(v, 4) for v in torch.tensor(example).reshape(-1).tolist())
                self.assertEqual(list(torch.tensor(example).shape), [1, 5, 6])
                self.assertIn(features, by_features)
                self.assertAlmostEqual(by_features[features], target[0] if isinstance(target, list) else target, delta=1e-6)

    def test_exported_scripts_reach_the_engines_loss(self):
        for name, net in hidden_nets.NETS.items():
            with self.subTest(network=name), TempDir() as folder:
                path = hidden_nets.write(folder, name)
                script = export(folder, path)
                weights = folder / "weights.json"
                weights.write_text(gradlens("grads", path, "--json").stdout)
                steps = net["steps"]
                expected = gradlens_json("grads", path, "--json", "--after", steps)["loss"]
                printed = run_script(script, "--weights", weights, "--steps", steps)
                adaptive = any(w in net["net"] for w in ("optimizer adam", "optimizer rmsprop"))
                tolerance = ADAPTIVE_TOLERANCE if adaptive else SGD_TOLERANCE
                actual = final_loss(printed)
                self.assertLess(abs(actual - expected), tolerance, f"{name}: PyTorch {actual} vs GradLens {expected} after {steps} steps")

    def test_minibatch_exports_follow_the_engines_batches(self):
        for name in ("odd-image", "stacked-recurrent"):
            with self.subTest(network=name), TempDir() as folder:
                path = hidden_nets.write(folder, name)
                path.write_text(path.read_text() + "train epochs=3 batch=7 seed=3\n")
                script = export(folder, path)
                weights = folder / "weights.json"
                weights.write_text(gradlens("grads", path, "--json").stdout)
                expected = gradlens_json("grads", path, "--json", "--after", 9)["loss"]
                printed = run_script(script, "--weights", weights, "--steps", 9)
                self.assertLess(abs(final_loss(printed) - expected), ADAPTIVE_TOLERANCE if name == "odd-image" else SGD_TOLERANCE)

    def test_a_watched_export_names_each_layer_with_its_net_kind(self):
        # The exported Conv2d, Conv1d, RNN, LSTM, GRU subclass torch's modules: the run log
        # still calls them conv2d, conv1d, rnn, lstm, gru, as the engine does; nn.SiLU is swish.
        for name in ("odd-image", "sequence-classes", "stacked-recurrent", "one-step", "wide-padding"):
            with self.subTest(network=name), TempDir() as folder:
                path = hidden_nets.write(folder, name)
                run_script(export(folder, path), "--steps", 2, "--gradlens", folder / "run.jsonl")
                header = json.loads((folder / "run.jsonl").read_text().splitlines()[0])
                engine = gradlens_json("grads", path, "--json")
                kinds = {layer["name"]: layer["kind"] for layer in header["layers"] if layer["params"]}
                self.assertEqual(kinds, {layer["name"]: layer["kind"] for layer in engine["layers"] if layer["params"]})
                # Activations (fused or layers of their own, swish and mish too) as the .net names them.
                analysed = {layer["name"]: layer.get("activation") for layer in gradlens_json("analyze", folder / "run.jsonl", "--json")["spec"]["layers"]}
                for layer in engine["layers"]:
                    if layer.get("activation") is not None:
                        self.assertEqual(analysed.get(layer["name"]), layer["activation"], f"{name} {layer['name']}")

    def test_the_weights_statement_is_where_the_exported_script_starts(self):
        with TempDir() as folder:
            path = hidden_nets.write(folder, "grey-regression")
            start = gradlens_json("grads", path, "--json")
            for layer in start["layers"]:
                for p in layer["params"]:
                    p["value"] = [0.5 * v + 0.01 for v in p["value"]]
            start["layers"].append({"name": "gone", "params": [{"name": "W", "shape": [1, 1], "value": [1]}]})
            (folder / "start.json").write_text(json.dumps(start))
            path.write_text(path.read_text() + 'weights "start.json"\n')
            (folder / "out").mkdir()
            script = export(folder / "out", path)
            self.assertIn('WEIGHTS_PATH = "../start.json"', script.read_text())
            expected = gradlens_json("grads", path, "--json", "--after", 5)["loss"]
            errors = io.StringIO()
            with contextlib.redirect_stderr(errors):
                printed = run_script(script, "--steps", 5)
            self.assertLess(abs(final_loss(printed) - expected), SGD_TOLERANCE)
            self.assertIn("gone.W is not in this network; it keeps its init", errors.getvalue())


if __name__ == "__main__":
    unittest.main()
