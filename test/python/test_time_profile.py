"""‖∂L/∂h_t‖ per time step from a PyTorch run (gradlens_torch.watch on nn.RNN / nn.LSTM /
nn.GRU) equals the engine's timeGradNorms on the same weights and batches — the exported
script started from `gradlens grads --json`'s weights against `gradlens inspect --weights
--jsonl` — for layers that give the next layer their last state (the gradient reaches the
earlier steps only through the recurrence) and layers that give it every state; and
`gradlens analyze` of the exported rnn-adding run flags vanishing through time on the rnn
line, as inspect does after the same steps."""

import json
import shutil
import unittest

import torch
from torch import nn

from gradlens_test import ROOT, TempDir, gradlens, gradlens_json, python
import gradlens_torch  # noqa: E402  (gradlens_test puts python/ on the path)
from test_export import export
import hidden_nets


def steps_of(log):
    return {r["step"]: r for r in map(json.loads, log.read_text().splitlines()) if r["type"] == "step"}


def time_profiles(log):
    """{step: {layer index: timeGradNorms}}."""
    return {step: {l["index"]: l["timeGradNorms"] for l in r["layers"] if "timeGradNorms" in l}
            for step, r in steps_of(log).items()}


def through_time(report):
    recurrent = {l["index"] for l in report["spec"]["layers"] if l["kind"] in ("rnn", "lstm", "gru")}
    return sorted((f["code"], f["line"]) for f in report["findings"]
                  if f["code"] in ("vanishing-gradient", "exploding-gradient") and f.get("layer") in recurrent)


class TimeProfiles(unittest.TestCase):
    def runs(self, folder, net, steps):
        """The engine's and the exported script's run logs from the same weights, `steps` steps."""
        weights = folder / f"{net.stem}.weights.json"
        weights.write_text(gradlens("grads", net, "--json").stdout)
        engine = folder / f"{net.stem}.engine.jsonl"
        inspected = gradlens_json("inspect", net, "--weights", weights, "--steps", steps, "--jsonl", engine, "--json")
        script = export(folder, net, f"{net.stem.replace('-', '_')}.py")
        torch_log = folder / f"{net.stem}.torch.jsonl"
        run = python(script, "--weights", weights, "--steps", steps, "--gradlens", torch_log)
        self.assertEqual(run.returncode, 0, run.stderr)
        return inspected, engine, torch_log

    def assert_same_profiles(self, engine, torch_log, layers):
        expected, actual = time_profiles(engine), time_profiles(torch_log)
        self.assertEqual(sorted(actual[1]), layers)
        for step, by_layer in expected.items():
            for index, norms in by_layer.items():
                got = actual[step][index]
                self.assertEqual(len(got), len(norms))
                scale = max(norms)
                for t, (a, b) in enumerate(zip(norms, got)):
                    # float32 both sides: relative to the step's own size, and to the largest
                    self.assertLess(abs(a - b), 1e-4 * abs(a) + 1e-6 * scale, f"step {step} layer {index} t={t + 1}: {a} vs {b}")

    def test_examples_last_state(self):
        with TempDir() as folder:
            shutil.copytree(ROOT / "examples", folder, dirs_exist_ok=True)
            for name in ("rnn-adding", "lstm-adding"):
                with self.subTest(name):
                    _, engine, torch_log = self.runs(folder, folder / f"{name}.net", 3)
                    self.assert_same_profiles(engine, torch_log, [0])

    def test_every_state_to_the_next_layer(self):
        with TempDir() as folder:
            net = hidden_nets.write(folder, "stacked-recurrent")  # rnn, rnn bias=false, lstm, gru; sequences=true
            _, engine, torch_log = self.runs(folder, net, 3)
            self.assert_same_profiles(engine, torch_log, [0, 1, 2, 3])

    def test_analyze_flags_the_rnn_line_as_inspect_does(self):
        with TempDir() as folder:
            shutil.copytree(ROOT / "examples", folder, dirs_exist_ok=True)
            for name in ("rnn-adding", "lstm-adding"):
                with self.subTest(name):
                    inspected, _, torch_log = self.runs(folder, folder / f"{name}.net", 150)
                    flagged = gradlens("analyze", torch_log, "--json", "--fail-on", "vanishing")
                    report = json.loads(flagged.stdout)
                    self.assertEqual(through_time(report), through_time(inspected))
                    if name == "rnn-adding":
                        rnn_line = next(i for i, text in enumerate((folder / f"{name}.net").read_text().splitlines())
                                        if text.startswith("memory: rnn"))
                        self.assertEqual(through_time(report), [("vanishing-gradient", rnn_line)])
                        self.assertEqual(flagged.returncode, 1)
                        self.assertIn("through time", next(f["message"] for f in report["findings"]
                                                           if f["code"] == "vanishing-gradient"))
                    # Without the .net file: the network from the header, the same through-time finding.
                    lines = torch_log.read_text().splitlines()
                    header = json.loads(lines[0])
                    del header["source"]
                    torch_log.write_text("\n".join([json.dumps(header)] + lines[1:]) + "\n")
                    alone = json.loads(gradlens("analyze", torch_log, "--json").stdout)
                    recurrent = [(f["code"], f["layerName"]) for f in alone["findings"] if f.get("layerName") == "memory"
                                 and f["code"] in ("vanishing-gradient", "exploding-gradient")
                                 and "through time" in f["message"]]
                    self.assertEqual(recurrent, [(code, "memory") for code, _ in through_time(inspected)])


class PlainModules(unittest.TestCase):
    """A user's own nn.LSTM / nn.GRU / nn.RNN (time-major, a given h0, h_n used), against
    ‖∂L/∂h_t‖ read off an unrolled cell-by-cell copy with retained gradients."""

    def test_against_an_unrolled_copy(self):
        torch.manual_seed(0)
        for cls in (nn.LSTM, nn.GRU, nn.RNN):
            with self.subTest(cls.__name__), TempDir() as folder:
                layer = cls(3, 5)  # time-major [T, N, F]
                head = nn.Linear(5, 1)
                x, y = torch.randn(7, 4, 3), torch.randn(4, 1)
                h0 = torch.randn(1, 4, 5)
                state = (h0, torch.randn(1, 4, 5)) if cls is nn.LSTM else h0
                model = nn.ModuleDict({"rec": layer, "head": head})
                w = gradlens_torch.watch(model, folder / "run.jsonl")
                out, final = layer(x, state)
                h_n = final[0] if cls is nn.LSTM else final
                loss = ((head(out[3]) - y) ** 2).mean() + (h_n ** 2).mean()  # one middle state and h_n
                loss.backward()
                w.step(loss)
                w.close()
                recorded = time_profiles(folder / "run.jsonl")[1][0]

                cell = {nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell, nn.RNN: nn.RNNCell}[cls](3, 5)
                with torch.no_grad():
                    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                        getattr(cell, name).copy_(getattr(layer, f"{name}_l0"))
                hs, h = [], (h0[0], state[1][0]) if cls is nn.LSTM else h0[0]
                for t in range(7):
                    h = cell(x[t], h)
                    (h[0] if cls is nn.LSTM else h).retain_grad()
                    hs.append(h[0] if cls is nn.LSTM else h)
                (((head(hs[3]) - y) ** 2).mean() + (hs[-1] ** 2).mean()).backward()
                expected = [h.grad.norm().item() for h in hs]
                self.assertEqual(len(recorded), 7)
                for a, b in zip(expected, recorded):
                    self.assertAlmostEqual(a, b, delta=1e-5 * max(expected))


if __name__ == "__main__":
    unittest.main()
