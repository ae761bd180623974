"""A network on images or sequences trained by PyTorch from the engine's initial weights.

Reads a JSON list of jobs on stdin, each {"layers": the checked spec's leaves, "params": [[leaf index,
name, flat values], ...] at initialisation, "x": flat batch, "inputShape": per example,
"y": targets, "loss": {"kind"}, "optimizer": the spec's optimizer, "steps": N}. Builds the
PyTorch modules the layers name (Conv2d, Conv1d on [F, T], MaxPool2d, AvgPool2d, Flatten,
RNN/LSTM/GRU batch_first, Linear), copies the weights in, and takes N full-batch steps of
torch.optim with clip_grad_norm_ when the optimizer clips. Writes {"grads": gradients at
initialisation, "params": weights after N steps} per job, each as [[leaf index, name, values]].
"""
import json
import math
import sys

import torch

torch.set_default_dtype(torch.float64)

ACTIVATIONS = {"linear": lambda v: v, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


class Layer(torch.nn.Module):
    def __init__(self, leaf):
        super().__init__()
        self.leaf = leaf
        kind = leaf["kind"]
        if kind == "conv2d":
            self.m = torch.nn.Conv2d(leaf["channels"], leaf["filters"], leaf["kernel"], stride=leaf["stride"], padding=leaf["padding"], bias=leaf["bias"])
        elif kind == "conv1d":
            self.m = torch.nn.Conv1d(leaf["features"], leaf["filters"], leaf["kernel"], stride=leaf["stride"], padding=leaf["padding"], bias=leaf["bias"])
        elif kind == "maxpool2d":
            self.m = torch.nn.MaxPool2d(leaf["kernel"])
        elif kind == "avgpool2d":
            self.m = torch.nn.AvgPool2d(leaf["kernel"])
        elif kind == "flatten":
            self.m = torch.nn.Flatten()
        elif kind in ("rnn", "lstm", "gru"):
            cell = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
            self.m = cell(leaf["features"], leaf["hidden"], batch_first=True, bias=leaf["bias"])
        elif kind == "dense":
            self.m = torch.nn.Linear(leaf["inputWidth"], leaf["units"], bias=leaf["bias"])
        else:
            raise ValueError(kind)

    def forward(self, x):
        kind = self.leaf["kind"]
        if kind in ("conv2d", "dense"):
            return ACTIVATIONS[self.leaf["activation"]](self.m(x))
        if kind == "conv1d":
            return ACTIVATIONS[self.leaf["activation"]](self.m(x.transpose(1, 2))).transpose(1, 2)
        if kind in ("rnn", "lstm", "gru"):
            seq, _ = self.m(x)
            return seq if self.leaf["sequences"] else seq[:, -1, :]
        return self.m(x)

    def tensor(self, name):
        """The module parameter for an engine parameter name, and whether the engine stores it transposed."""
        torch_name = {"W": "weight", "b": "bias", "W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}[name]
        return getattr(self.m, torch_name), self.leaf["kind"] == "dense" and name == "W"


def train(job):
    layers = [Layer(leaf) for leaf in job["layers"]]
    model = torch.nn.Sequential(*layers)
    order = []
    with torch.no_grad():
        for index, name, values in job["params"]:
            p, transposed = layers[index].tensor(name)
            v = torch.tensor(values)
            p.copy_(v.reshape(p.shape[1], p.shape[0]).t() if transposed else v.reshape(p.shape))
            order.append((index, name, p, transposed))
    rows = len(job["x"]) // math.prod(job["inputShape"])
    x = torch.tensor(job["x"]).reshape([rows] + job["inputShape"])
    loss_kind = job["loss"]["kind"]
    if loss_kind == "cross_entropy":
        y = torch.tensor(job["y"], dtype=torch.long)
        loss_fn = torch.nn.CrossEntropyLoss()
    else:
        y = torch.tensor(job["y"]).reshape(rows, -1)
        loss_fn = torch.nn.MSELoss()
    o = job["optimizer"]
    params = [p for _, _, p, _ in order]
    if o["kind"] == "sgd":
        opt = torch.optim.SGD(params, lr=o["lr"], momentum=o["momentum"], nesterov=o["nesterov"], weight_decay=o["weightDecay"])
    elif o["kind"] == "adam":
        opt = torch.optim.Adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], weight_decay=o["weightDecay"])
    else:
        opt = torch.optim.RMSprop(params, lr=o["lr"], alpha=o["decay"], eps=o["eps"], weight_decay=o["weightDecay"])

    def flat(t, transposed):
        return (t.t() if transposed else t).reshape(-1).tolist()

    grads = None
    for _ in range(job["steps"]):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        if grads is None:
            grads = [[i, n, flat(p.grad, tr)] for i, n, p, tr in order]
        if o.get("clip") is not None:
            torch.nn.utils.clip_grad_norm_(params, o["clip"])
        opt.step()
    return {"grads": grads, "params": [[i, n, flat(p.detach(), tr)] for i, n, p, tr in order]}


if __name__ == "__main__":
    json.dump([train(job) for job in json.load(sys.stdin)], sys.stdout)
