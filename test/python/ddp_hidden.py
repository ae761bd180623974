"""A two-process DistributedDataParallel run (gloo, CPU) written as a user would, unlike
ddp_train.py: a model class with attributes h1 … h8 (not a Sequential), activations as
functions (no activation modules), PyTorch's default init, MSE on a regression target, Adam,
and `gradlens_torch.watch(model, path)` with no options. Used by test_hidden_ddp.py.

    python3 ddp_hidden.py SIGMOID_LOG RELU_LOG   trains the sigmoid net, then the ReLU net
"""

import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import gradlens_torch  # noqa: E402

DEPTH, WIDTH = 8, 24


class Deep(nn.Module):
    def __init__(self, activation):
        super().__init__()
        self.activation = activation
        for i in range(1, DEPTH + 1):
            setattr(self, f"h{i}", nn.Linear(6 if i == 1 else WIDTH, WIDTH))
            if activation is torch.relu:
                nn.init.kaiming_normal_(getattr(self, f"h{i}").weight, nonlinearity="relu")
        self.head = nn.Linear(WIDTH, 1)

    def forward(self, x):
        for i in range(1, DEPTH + 1):
            x = self.activation(getattr(self, f"h{i}")(x))
        return self.head(x)


def train(rank, kind, log):
    torch.manual_seed(1)  # the same initial weights on both ranks
    model = nn.parallel.DistributedDataParallel(Deep(torch.sigmoid if kind == "sigmoid" else torch.relu))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(7 + rank)
    x = torch.randn(96, 6, generator=generator)
    y = (x[:, :1] * 0.5 - x[:, 1:2]).tanh()
    w = gradlens_torch.watch(model, log)
    for _ in range(60):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        w.step(loss)
    w.close()


def worker(rank, world, sigmoid_log, relu_log):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(1)
    train(rank, "sigmoid", sigmoid_log)
    train(rank, "relu", relu_log)
    # Both ranks reach the teardown together: once, under load, a rank hung at exit after
    # both had written their end records and the other rank had gone.
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    os.environ["MASTER_PORT"] = os.environ.get("MASTER_PORT", "29533")
    mp.spawn(worker, args=(2, sys.argv[1], sys.argv[2]), nprocs=2, join=True)
