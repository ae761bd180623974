"""Reference values for single engine ops from PyTorch (float64).

Reads a JSON list of cases on stdin: {"torch": module description, "inputShape": [...],
"rows": n, "input": flat values, "params": {name: flat values}, "coefficients": flat ∂L/∂y}.
Builds the PyTorch module with those parameters, runs it on the input as PyTorch lays it
out, takes L = Σ coefficients·y, and writes a JSON list of {"output", "grads": {name: ...},
"input"} (flat, in the engine's layouts) to stdout.

Layouts: images are [C, H, W] in both. A sequence is [T, F] in the engine: Conv1d sees it
transposed to [F, T] and its output [OUT, T'] is transposed back to [T', OUT]; RNN/LSTM/GRU
take batch_first [rows, T, F]. Parameter names follow PyTorch (W = weight, b = bias;
W_ih = weight_ih_l0, …).
"""
import json
import sys

import torch

torch.set_default_dtype(torch.float64)

ACTIVATIONS = {"linear": lambda v: v, "relu": torch.relu, "tanh": torch.tanh}


def build(spec):
    kind = spec["kind"]
    if kind == "conv2d":
        return torch.nn.Conv2d(spec["in"], spec["out"], spec["kernel"], stride=spec["stride"], padding=spec["padding"], bias=spec["bias"])
    if kind == "conv1d":
        return torch.nn.Conv1d(spec["in"], spec["out"], spec["kernel"], stride=spec["stride"], padding=spec["padding"], bias=spec["bias"])
    if kind == "maxpool2d":
        return torch.nn.MaxPool2d(spec["kernel"])
    if kind == "avgpool2d":
        return torch.nn.AvgPool2d(spec["kernel"])
    if kind == "flatten":
        return torch.nn.Flatten()
    cell = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    return cell(spec["in"], spec["hidden"], batch_first=True)


TORCH_NAMES = {"W": "weight", "b": "bias", "W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}


def run(case):
    spec, rows = case["torch"], case["rows"]
    module = build(spec)
    named = dict(module.named_parameters())
    with torch.no_grad():
        for name, values in case["params"].items():
            p = named[TORCH_NAMES[name]]
            p.copy_(torch.tensor(values).reshape(p.shape))
    x = torch.tensor(case["input"]).reshape([rows] + case["inputShape"]).requires_grad_(True)
    kind = spec["kind"]
    if kind == "conv1d":
        y = ACTIVATIONS[spec["activation"]](module(x.transpose(1, 2))).transpose(1, 2)
    elif kind == "conv2d":
        y = ACTIVATIONS[spec["activation"]](module(x))
    elif kind in ("rnn", "lstm", "gru"):
        seq, _ = module(x)
        y = seq if spec["sequences"] else seq[:, -1, :]
    else:
        y = module(x)
    y = y.reshape(rows, -1)
    c = torch.tensor(case["coefficients"]).reshape(y.shape)
    (y * c).sum().backward()
    grads = {name: named[TORCH_NAMES[name]].grad.reshape(-1).tolist() for name in case["params"]}
    return {"output": y.detach().reshape(-1).tolist(), "grads": grads, "input": x.grad.reshape(-1).tolist()}


if __name__ == "__main__":
    json.dump([run(case) for case in json.load(sys.stdin)], sys.stdout)
