"""gradlens_torch.to_net: a PyTorch model written as a .net file with its weights gives, through
`gradlens grads FILE --json --weights …` (here the file's own `weights` statement), the loss
and gradients PyTorch computes for the same model on the same batch (float64 on both sides,
≤ 1e-4 relative per tensor); what the language cannot express is reported with its module
path; the command-line form writes the same files."""

import json
import unittest

import torch
import torch.nn as nn
import torch.nn.functional as F

from gradlens_test import ROOT, TempDir, gradlens, gradlens_json, python
from gradlens_torch import UnsupportedModules, to_net
from gradlens_torch.to_net import module_label

TOLERANCE = 1e-4
PATH_ENV = {"PYTHONPATH": str(ROOT / "python")}


class ResidualMLP(nn.Module):
    """Residual blocks with layer norm, a pre-norm block with a functional ReLU, GELU and tanh."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 8)
        self.block = nn.Sequential(nn.LayerNorm(8), nn.Linear(8, 8), nn.GELU(), nn.Linear(8, 8))
        self.norm = nn.LayerNorm(8)
        self.mlp = nn.Linear(8, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        x = self.inp(x)
        x = x + self.block(x)
        x = x + F.relu(self.mlp(self.norm(x)))
        return self.out(torch.tanh(x))


class Functional(nn.Module):
    """Batch norm and activations as modules, functions and methods."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 10)
        self.bn = nn.BatchNorm1d(10, momentum=0.2)
        self.b = nn.Linear(10, 6, bias=False)
        self.act = nn.LeakyReLU(0.2)
        self.c = nn.Linear(6, 6)
        self.d = nn.Linear(6, 1)

    def forward(self, x):
        x = F.elu(self.bn(self.a(x)), alpha=0.5)
        x = self.act(self.b(x))
        x = F.softplus(self.c(x)).sigmoid()
        return self.d(x)


class InPlace(nn.Module):
    """Residuals written `x += f(x)` and `f(x).add(x)`, a ReLU module used twice, functional dropout."""

    def __init__(self):
        super().__init__()
        self.a, self.b, self.act, self.o = nn.Linear(3, 3), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2)

    def forward(self, x):
        x = x.clone()
        x += self.act(self.a(x))
        x = self.act(self.b(x)).add(x)
        x = F.dropout(x, 0.1, training=self.training)
        return self.o(x)


class ConvNet(nn.Module):
    """conv → ReLU → max pool → strided conv → tanh → avg pool → x.view(N, -1) → linear."""

    def __init__(self):
        super().__init__()
        self.conv1, self.pool = nn.Conv2d(2, 4, 3, padding=1), nn.MaxPool2d(2)
        self.conv2, self.avg = nn.Conv2d(4, 6, 3, stride=2, padding=1), nn.AvgPool2d(2)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.avg(torch.tanh(self.conv2(x)))
        return self.fc(x.view(x.size(0), -1))


class Recurrent(nn.Module):
    """Conv1d on [N, C, L], transposed to a batch-first GRU (every step) into an LSTM (last step)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 5, 3)
        self.gru = nn.GRU(5, 4, batch_first=True)
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.out = nn.Linear(6, 1)

    def forward(self, x):
        x = torch.tanh(self.conv(x)).transpose(1, 2)
        x = self.gru(x)[0]
        h = self.lstm(x)[1][0]
        return self.out(h[-1])


class LastStep(nn.Module):
    """`out, _ = self.rnn(x)` cannot be traced (fx cannot unpack the call): module order, and
    a recurrent layer followed by a Linear reads its last hidden state."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(2, 5, batch_first=True)
        self.head = nn.Linear(5, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


class Branchy(nn.Module):
    """Data-dependent control flow: torch.fx cannot trace it, so layers go in module order."""

    def __init__(self):
        super().__init__()
        self.seq = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1))

    def forward(self, x):
        if x.sum() > 1e9:
            return x
        return self.seq(x)


def torch_loss(kind, out, y):
    if kind == "cross_entropy":
        return F.cross_entropy(out, y.long())
    if kind == "mse":
        return F.mse_loss(out, y)
    raise ValueError(kind)


def relative(a, b):
    # A bias right before batch norm has a zero gradient in exact arithmetic: both sides
    # give rounding noise (1e-17) there, compared on an absolute scale.
    scale = max(a.norm().item(), b.norm().item(), 1e-10)
    return (a - b).norm().item() / scale


class RoundTrip(unittest.TestCase):
    def assert_same_gradients(self, model, example, loss, channels_first_sequence=False):
        with TempDir() as folder:
            net, weights = folder / "model.net", folder / "model.weights.json"
            to_net(model, example, net, weights=weights, loss=loss)
            report = gradlens_json("grads", net, "--json", "--dtype", "float64")
            again = gradlens_json("grads", net, "--json", "--dtype", "float64", "--weights", weights)
            self.assertEqual(report, again, "the weights statement and --weights are the same thing")
        model = model.double().train()
        # grads --json gives each example in the .net shape ([F], [T, F] or [C, H, W], flat or nested).
        x = torch.tensor(report["batch"]["x"], dtype=torch.float64)
        if example.dim() > 2:
            net_shape = list(example.shape[1:])[::-1] if channels_first_sequence else list(example.shape[1:])
            x = x.reshape(x.shape[0], *net_shape)
            if channels_first_sequence:
                x = x.transpose(1, 2)  # .net's [T, F] is Conv1d's [C = F, L = T]
        y = torch.tensor(report["batch"]["y"], dtype=torch.float64)
        model.zero_grad()
        value = torch_loss(loss, model(x), y)
        value.backward()
        self.assertLess(abs(value.item() - report["loss"]) / abs(value.item()), TOLERANCE, f"loss: PyTorch {value.item()} vs GradLens {report['loss']}")
        modules = {module_label(path): m for path, m in model.named_modules()}
        checked = 0
        for layer in report["layers"]:
            for p in layer["params"]:
                module = modules[layer["name"]]
                torch_grad = {
                    "W": lambda: module.weight.grad.t() if isinstance(module, nn.Linear) else module.weight.grad,
                    "b": lambda: module.bias.grad, "gamma": lambda: module.weight.grad, "beta": lambda: module.bias.grad,
                    "W_ih": lambda: module.weight_ih_l0.grad, "W_hh": lambda: module.weight_hh_l0.grad,
                    "b_ih": lambda: module.bias_ih_l0.grad, "b_hh": lambda: module.bias_hh_l0.grad,
                }[p["name"]]()
                ours = torch.tensor(p["grad"], dtype=torch.float64).reshape(p["shape"])
                self.assertLess(relative(ours, torch_grad), TOLERANCE, f"{layer['name']}.{p['name']}")
                checked += 1
        self.assertEqual(checked, sum(1 for p in model.parameters()), "every parameter of the model was compared")

    def test_mlp(self):
        torch.manual_seed(1)
        self.assert_same_gradients(nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3)), torch.randn(2, 4), "cross_entropy")

    def test_residual_mlp_with_layernorm(self):
        torch.manual_seed(2)
        model = ResidualMLP()
        with TempDir() as folder:
            text = to_net(model, torch.randn(2, 4), folder / "r.net", loss="cross_entropy")
        self.assertIn("residual {\n  block_0: layernorm eps=1e-05\n  block_1: dense 8\n  block_2: gelu\n  block_3: dense 8\n}", text)
        self.assertIn("residual {\n  norm: layernorm eps=1e-05\n  mlp: dense 8\n  relu\n}\ntanh\nout: dense 3", text)
        self.assert_same_gradients(model, torch.randn(2, 4), "cross_entropy")

    def test_batchnorm_and_functional_activations(self):
        torch.manual_seed(3)
        model = Functional()
        with TempDir() as folder:
            text = to_net(model, torch.randn(4, 3), folder / "f.net")
        for line in ["bn: batchnorm momentum=0.8 eps=1e-05", "elu alpha=0.5", "b: dense 6 bias=false", "act: leaky_relu alpha=0.2", "softplus\nsigmoid", "data linear features=3", "loss mse"]:
            self.assertIn(line, text)
        self.assert_same_gradients(model, torch.randn(4, 3), "mse")

    def test_residual_spellings_and_functional_dropout(self):
        with TempDir() as folder:
            text = to_net(InPlace(), torch.randn(2, 3), folder / "i.net")
        self.assertNotIn("unsupported", text)
        self.assertIn("input 3\nresidual {\n  a: dense 3\n  act: relu\n}\nresidual {\n  b: dense 3\n  relu\n}\ndropout 0.1\no: dense 2\n", text)

    def test_conv_net(self):
        torch.manual_seed(5)
        model = ConvNet()
        with TempDir() as folder:
            text = to_net(model, torch.randn(2, 2, 8, 8), folder / "c.net", loss="cross_entropy")
        self.assertIn("input 2 8 8\nconv1: conv2d 4 kernel=3 padding=1\nrelu\npool: maxpool2d 2\nconv2: conv2d 6 kernel=3 stride=2 padding=1\ntanh\navg: avgpool2d 2\nflatten\nfc: dense 3\n", text)
        self.assert_same_gradients(model, torch.randn(2, 2, 8, 8), "cross_entropy")

    def test_recurrent_net(self):
        torch.manual_seed(6)
        model = Recurrent()
        with TempDir() as folder:
            text = to_net(model, torch.randn(2, 3, 7), folder / "s.net")
        self.assertIn("input 7 3\nconv: conv1d 5 kernel=3\ntanh\ngru: gru 4 sequences=true\nlstm: lstm 6\nout: dense 1\n", text)
        self.assert_same_gradients(model, torch.randn(2, 3, 7), "mse", channels_first_sequence=True)

    def test_recurrent_last_step_in_module_order(self):
        torch.manual_seed(7)
        model = LastStep()
        with TempDir() as folder:
            text = to_net(model, torch.randn(2, 6, 2), folder / "l.net")
        self.assertIn("input 6 2\nrnn: rnn 5\nhead: dense 1\n", text)
        self.assert_same_gradients(model, torch.randn(2, 6, 2), "mse")

    def test_untraceable_model_in_module_order(self):
        torch.manual_seed(4)
        with TempDir() as folder:
            text = to_net(Branchy(), torch.randn(3, 2), folder / "b.net")
        self.assertIn("# torch.fx could not trace the model", text)
        self.assertIn("seq_0: dense 5\nseq_1: tanh\nseq_2: dense 1\n", text)


class Unsupported(unittest.TestCase):
    def model(self):
        return nn.Sequential(nn.Linear(6, 6), nn.Hardswish(), nn.Linear(6, 2))

    def test_listed_with_their_module_path(self):
        with TempDir() as folder:
            text = to_net(self.model(), torch.randn(2, 6), folder / "u.net")
            self.assertIn("# unsupported (left out, so the network below is not the whole model):\n#   1: Hardswish\n", text)
            self.assertEqual(gradlens("grads", folder / "u.net").returncode, 0, "the rest is still a network")

    def test_strict_raises_with_the_list(self):
        with TempDir() as folder, self.assertRaises(UnsupportedModules) as raised:
            to_net(self.model(), torch.randn(2, 6), folder / "u.net", strict=True)
        self.assertEqual(raised.exception.modules, [("1", "Hardswish")])


class CommandLine(unittest.TestCase):
    def test_to_net_module_factory(self):
        with TempDir() as folder:
            (folder / "models.py").write_text(
                "import torch.nn as nn\n"
                "def make():\n"
                "    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))\n"
                "def bad():\n"
                "    return nn.Sequential(nn.Linear(4, 8), nn.Hardswish())\n")
            run = python("-m", "gradlens_torch", "to-net", "models:make", "--input", "1,4", "-o", "m.net", "--weights", "m.json", cwd=folder, env=PATH_ENV)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(run.stdout.strip(), "wrote m.net and m.json")
            text = (folder / "m.net").read_text()
            self.assertIn("input 4\nm0: dense 8\nm1: relu\nm2: dense 1\nloss mse\nweights \"m.json\"\n", text)
            weights = json.loads((folder / "m.json").read_text())
            self.assertEqual([(l["name"], [p["name"] for p in l["params"]]) for l in weights["layers"]], [("m0", ["W", "b"]), ("m2", ["W", "b"])])
            self.assertEqual(gradlens("gradcheck", folder / "m.net").returncode, 0)
            strict = python("-m", "gradlens_torch", "to-net", "models:bad", "--input", "1,4", "-o", "b.net", "--strict", cwd=folder, env=PATH_ENV)
            self.assertEqual(strict.returncode, 1)
            self.assertIn("1 (Hardswish)", strict.stderr)
            (folder / "cnn.py").write_text(
                "import torch.nn as nn\n"
                "def make():\n"
                "    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * 3 * 3, 10))\n")
            image = python("-m", "gradlens_torch", "to-net", "cnn:make", "--input", "1,8,8", "-o", "cnn.net", "--loss", "cross_entropy", cwd=folder, env=PATH_ENV)
            self.assertEqual(image.returncode, 0, image.stderr)
            self.assertIn("input 1 8 8\nm0: conv2d 2 kernel=3\nm1: relu\nm2: maxpool2d 2\nm3: flatten\nm4: dense 10\n", (folder / "cnn.net").read_text())
            self.assertEqual(gradlens("grads", folder / "cnn.net").returncode, 0)
            usage = python("-m", "gradlens_torch", "to-net", "models", "--input", "x", "-o", "c.net", cwd=folder, env=PATH_ENV)
            self.assertEqual(usage.returncode, 2)

if __name__ == "__main__":
    unittest.main()
