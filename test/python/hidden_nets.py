"""Networks unlike the bundled examples, each written twice: as a .net file (with its CSV)
and, independently, as a PyTorch module built from the language reference alone (not from
anything GradLens computes). test_hidden.py compares gradients, trained weights and the
exported script against these modules; test/lsp/hidden-shapes.test.ts compares the hover
and inlay-hint shapes with what the modules output:

    python3 hidden_nets.py shapes DIR   writes every .net and CSV into DIR and prints
                                        {net: {layer name: output shape per example}}.
"""

import json
import random
import sys
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F


def csv_rows(header, rows):
    return ",".join(header) + "\n" + "".join(",".join(str(v) for v in row) + "\n" for row in rows)


def image_csv(n, c, h, w, labels, seed, target_first=True):
    """Pixels of [c, h, w] images row-major, with a label column; labels are text or numbers."""
    rng = random.Random(seed)
    header = [f"p{i}" for i in range(c * h * w)]
    rows = []
    for i in range(n):
        label = labels[i % len(labels)]
        shift = labels.index(label) * 0.7
        pixels = [round(rng.gauss(shift * ((j % 3) - 1), 1.0), 4) for j in range(c * h * w)]
        rows.append([label] + pixels if target_first else pixels + [label])
    return csv_rows(["label"] + header if target_first else header + ["label"], rows)


def sequence_csv(n, t, f, seed, classes=None):
    """Sequences [t, f] row-major (step by step); the target a class or a real number."""
    rng = random.Random(seed)
    header = [f"s{step}_{k}" for step in range(t) for k in range(f)] + ["y"]
    rows = []
    for i in range(n):
        values = [round(rng.uniform(-1, 1), 4) for _ in range(t * f)]
        total = sum(values[0::f])
        y = classes[int(total > 0)] if classes else round(total / t + 0.1 * rng.gauss(0, 1), 4)
        rows.append(values + [y])
    return csv_rows(header, rows)


class Fused(nn.Module):
    """A module then an activation function (a .net layer with a fused activation)."""

    def __init__(self, module, activation=None):
        super().__init__()
        self.module, self.activation = module, activation

    def forward(self, x):
        y = self.module(x)
        return self.activation(y) if self.activation else y


def last(seq):
    return seq[:, -1, :]


# ----------------------------------------------------------------------------- networks
# Each: the .net text, its CSV files, the module (layer names as attributes, forward as the
# reference reads), the steps and the optimizer for the trained comparison.


class OddImage(nn.Module):
    """3×7×9 images: a stride-2 padding-2 convolution whose kernel exceeds its stride, a
    separate activation, average pooling over an odd size, a residual convolution, dropout
    on images, a second convolution, max pooling to 1×1, flatten, norms and dense."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 5, 4, stride=2, padding=2)
        self.c2 = nn.Conv2d(5, 5, 3, padding=1)
        self.c3 = nn.Conv2d(5, 4, 2, padding=1, bias=False)
        self.ln = nn.LayerNorm(4)
        self.h = nn.Linear(4, 6)
        self.bn = nn.BatchNorm1d(6)
        self.r = nn.Linear(6, 6)
        self.out = nn.Linear(6, 3)

    def forward(self, x):
        x = self.c1(x)                                   # [5, 4, 5]
        x = F.leaky_relu(x, 0.2)
        x = F.avg_pool2d(x, 2)                           # [5, 2, 2]
        x = x + torch.tanh(self.c2(x))                   # residual
        x = F.dropout(x, 0.0, self.training)
        x = F.gelu(self.c3(x))                           # [4, 3, 3]
        x = F.max_pool2d(x, 3)                           # [4, 1, 1]
        x = torch.flatten(x, 1)
        x = self.ln(x)
        x = F.silu(self.h(x))
        x = self.bn(x)
        x = x + F.elu(self.r(x), 0.5)
        return self.out(x)


ODD_IMAGE = """# 3×7×9 images, text labels, the label column first
data "odd.csv" target=label seed=5
input 3 7 9
c1: conv2d 5 kernel=4 stride=2 padding=2
leaky_relu alpha=0.2
avgpool2d 2
residual {
  c2: conv2d 5 kernel=3 padding=1 tanh
}
dropout 0
c3: conv2d 4 kernel=2 padding=1 gelu bias=false init=normal(0, 0.3)
maxpool2d 3
flatten
ln: layernorm
h: dense 6 swish
bn: batchnorm
residual {
  r: dense 6 elu alpha=0.5
}
out: dense 3
loss cross_entropy
optimizer adam lr=0.01 beta1=0.8 beta2=0.95 eps=1e-6 weight_decay=0.01 clip=0.5
"""


class GreyRegression(nn.Module):
    """1×5×6 images with a numeric target: a 5×5 kernel at stride 3 (floor matters)."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 3, 5, stride=3, padding=1)
        self.d = nn.Linear(6, 4)
        self.out = nn.Linear(4, 1)

    def forward(self, x):
        x = torch.sigmoid(self.c(x))                     # [3, 1, 2]
        x = torch.flatten(x, 1)
        return self.out(F.mish(self.d(x)))


GREY_REGRESSION = """data "grey.csv" target=label normalize=false split=0.75
input 1 5 6
c: conv2d 3 kernel=5 stride=3 padding=1 sigmoid
flatten
d: dense 4 mish
out: dense 1
loss huber delta=0.7
optimizer sgd lr=0.05 momentum=0.8 nesterov=true weight_decay=0.001 clip=1
"""


class SequenceClasses(nn.Module):
    """[9, 3] sequences: conv1d stride 2 padding 1, elu, lstm (sequences), gru (last), dense."""

    LAST = {"g"}

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, stride=2, padding=1)
        self.l = nn.LSTM(4, 5, batch_first=True)
        self.g = nn.GRU(5, 4, batch_first=True)
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        x = self.conv(x.transpose(1, 2)).transpose(1, 2)  # [5, 4]
        x = F.elu(x)
        x, _ = self.l(x)                                  # [5, 5]
        x, _ = self.g(x)
        return self.out(last(x))


SEQUENCE_CLASSES = """data "seq.csv" target=y
input 9 3
conv: conv1d 4 kernel=3 stride=2 padding=1
elu
l: lstm 5 sequences=true
g: gru 4
out: dense 2
optimizer rmsprop lr=0.01 decay=0.9 eps=1e-6 weight_decay=0.01 clip=2
"""


class StackedRecurrent(nn.Module):
    """rnn → rnn → lstm → gru, every one returning its sequence, then flatten and dense."""

    def __init__(self):
        super().__init__()
        self.r1 = nn.RNN(2, 4, batch_first=True)
        self.r2 = nn.RNN(4, 3, batch_first=True, bias=False)
        self.l = nn.LSTM(3, 3, batch_first=True)
        self.g = nn.GRU(3, 2, batch_first=True)
        self.out = nn.Linear(14, 1)

    def forward(self, x):
        for m in (self.r1, self.r2, self.l, self.g):
            x, _ = m(x)
        return self.out(torch.flatten(x, 1))


STACKED_RECURRENT = """data "stack.csv" target=y
input 7 2
r1: rnn 4 sequences=true
r2: rnn 3 sequences=true bias=false
l: lstm 3 sequences=true init=normal(0, 0.4)
g: gru 2 sequences=true
flatten
out: dense 1
loss mae
optimizer sgd lr=0.1
"""


class OneStep(nn.Module):
    """Sequences of one step (T = 1): a kernel-1 conv1d, a gru and an lstm, bce."""

    LAST = {"l"}

    def __init__(self):
        super().__init__()
        self.k = nn.Conv1d(4, 3, 1)
        self.g = nn.GRU(3, 3, batch_first=True)
        self.l = nn.LSTM(3, 2, batch_first=True)
        self.out = nn.Linear(2, 1)

    def forward(self, x):
        x = torch.relu(self.k(x.transpose(1, 2)).transpose(1, 2))
        x, _ = self.g(x)
        x, _ = self.l(x)
        return torch.sigmoid(self.out(last(x)))


ONE_STEP = """data "one.csv" target=y task=classes
input 1 4
k: conv1d 3 kernel=1 relu
g: gru 3 sequences=true
l: lstm 2
out: dense 1 sigmoid
loss bce
optimizer adam lr=0.02
"""


class WidePadding(nn.Module):
    """Padding larger than the kernel on a short sequence; a sequence through mish and
    dropout; a repeated conv1d that shrinks the sequence copy by copy; mse on one output."""

    LAST = {"rnn"}

    def __init__(self):
        super().__init__()
        self.wide = nn.Conv1d(2, 3, 2, padding=3)
        self.s_1 = nn.Conv1d(3, 3, 2, stride=2)
        self.s_2 = nn.Conv1d(3, 3, 2, stride=2)
        self.rnn = nn.RNN(3, 2, batch_first=True)
        self.out = nn.Linear(2, 1)

    def forward(self, x):
        x = self.wide(x.transpose(1, 2)).transpose(1, 2)  # [3+6-2+1 = 8, 3]
        x = F.mish(x)
        x = F.dropout(x, 0.0, self.training)
        x = torch.tanh(self.s_1(x.transpose(1, 2)).transpose(1, 2))  # [4, 3]
        x = torch.tanh(self.s_2(x.transpose(1, 2)).transpose(1, 2))  # [2, 3]
        x, _ = self.rnn(x)
        return self.out(F.silu(last(x)))


WIDE_PADDING = """data "wide.csv" target=y
input 3 2
wide: conv1d 3 kernel=2 padding=3
mish
dropout 0
repeat 2 {
  s: conv1d 3 kernel=2 stride=2 tanh
}
rnn: rnn 2
swish
out: dense 1
loss mse
optimizer sgd lr=0.05 momentum=0.9
"""


class TwoPools(nn.Module):
    """conv → avgpool → conv → flatten → dense on a numeric-class CSV (task=classes) whose
    label column is last; a repeat of convolutions with padding that keep the size."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(2, 4, 3, stride=1, padding=2)
        self.b_1 = nn.Conv2d(4, 4, 3, padding=1)
        self.b_2 = nn.Conv2d(4, 4, 3, padding=1)
        self.c = nn.Conv2d(4, 2, 2, stride=2)
        self.out = nn.Linear(2, 4)

    def forward(self, x):
        x = torch.relu(self.a(x))                        # [4, 7, 6]
        x = F.avg_pool2d(x, 2)                           # [4, 3, 3]
        x = self.b_1(x)
        x = self.b_2(x)
        x = F.softplus(self.c(x))                        # [2, 1, 1]
        return self.out(torch.flatten(x, 1))


TWO_POOLS = """data "pools.csv" target=label task=classes
input 2 5 4
a: conv2d 4 kernel=3 padding=2 relu
avgpool2d 2
repeat 2 {
  b: conv2d 4 kernel=3 padding=1
}
c: conv2d 2 kernel=2 stride=2 softplus
flatten
out: dense 4
optimizer sgd lr=0.1 weight_decay=0.01
"""


class PoolTies(nn.Module):
    """Max pooling over ties: integer pixels through a 1×1 convolution of ones make equal
    values in most windows; the gradient goes to the first maximum in the window's
    row-major order, as PyTorch's max_pool2d routes it."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(2, 2, 1)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        return self.out(torch.flatten(F.max_pool2d(self.c(x), 2), 1))


POOL_TIES = """data "ties.csv" target=label task=classes normalize=false
input 2 4 4
c: conv2d 2 kernel=1 init=ones
maxpool2d 2
flatten
out: dense 2
optimizer sgd lr=0.05
"""


def integer_image_csv(n, values, seed):
    rng = random.Random(seed)
    return csv_rows(["label"] + [f"p{i}" for i in range(values)], [[i % 2] + [rng.choice([0, 1, 2]) for _ in range(values)] for i in range(n)])


def build(name):
    torch.manual_seed(0)
    return NETS[name]["module"]()


NETS = {
    "odd-image": {"net": ODD_IMAGE, "files": {"odd.csv": image_csv(36, 3, 7, 9, ["cat", "dog", "eel"], 1)},
                  "module": OddImage, "steps": 6},
    "grey-regression": {"net": GREY_REGRESSION, "files": {"grey.csv": image_csv(24, 1, 5, 6, [0.5, -1.25, 2], 2, target_first=False)},
                        "module": GreyRegression, "steps": 8},
    "sequence-classes": {"net": SEQUENCE_CLASSES, "files": {"seq.csv": sequence_csv(30, 9, 3, 3, classes=["no", "yes"])},
                         "module": SequenceClasses, "steps": 6},
    "stacked-recurrent": {"net": STACKED_RECURRENT, "files": {"stack.csv": sequence_csv(20, 7, 2, 4)},
                          "module": StackedRecurrent, "steps": 8},
    "one-step": {"net": ONE_STEP, "files": {"one.csv": sequence_csv(16, 1, 4, 5, classes=[0, 1])},
                 "module": OneStep, "steps": 6},
    "wide-padding": {"net": WIDE_PADDING, "files": {"wide.csv": sequence_csv(18, 3, 2, 6)},
                     "module": WidePadding, "steps": 8},
    "pool-ties": {"net": POOL_TIES, "files": {"ties.csv": integer_image_csv(12, 32, 5)}, "module": PoolTies, "steps": 4},
    "two-pools": {"net": TWO_POOLS, "files": {"pools.csv": image_csv(24, 2, 5, 4, [3, 1, 7, 5], 7, target_first=False)},
                  "module": TwoPools, "steps": 6},
}


def write(folder, name):
    """The .net file and its CSVs in FOLDER; returns the .net path."""
    folder = Path(folder)
    for file, text in NETS[name]["files"].items():
        (folder / file).write_text(text)
    net = folder / f"{name}.net"
    net.write_text(NETS[name]["net"])
    return net


def input_shape(name):
    for line in NETS[name]["net"].splitlines():
        if line.startswith("input "):
            return [int(v) for v in line.split()[1:]]
    raise ValueError(name)


def output_shapes(name):
    """Each named submodule's output shape per example, as the .net layer gives it: conv1d
    as [T', OUT] (torch's is [OUT, T']), a recurrent layer's last state when LAST names it."""
    model = build(name).eval()
    shapes = {}
    last_only = getattr(model, "LAST", set())

    def hook(module_name):
        def record(module, _inputs, output):
            out = output[0] if isinstance(output, tuple) else output
            shape = list(out.shape[1:])
            if isinstance(module, nn.Conv1d):
                shape.reverse()
            if module_name in last_only:
                shape = shape[1:]
            shapes[module_name] = shape
        return record

    for module_name, module in model.named_children():
        module.register_forward_hook(hook(module_name))
    with torch.no_grad():
        model(torch.zeros([2] + input_shape(name)))
    return shapes


if __name__ == "__main__":
    if sys.argv[1:2] == ["shapes"]:
        folder = Path(sys.argv[2])
        for name in NETS:
            write(folder, name)
        json.dump({name: output_shapes(name) for name in NETS}, sys.stdout)
    else:
        raise SystemExit(__doc__)
