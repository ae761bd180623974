"""A two-process DistributedDataParallel run (gloo, CPU) watched by gradlens_torch; used by
test_analyze.py.  python3 ddp_train.py KIND LOG [all_ranks]  with KIND deep-sigmoid or relu."""

import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import gradlens_torch  # noqa: E402


def model_of(kind):
    torch.manual_seed(0)
    if kind == "deep-sigmoid":
        layers, width = [], 16
        for i in range(10):  # ten sigmoid layers: the classic vanishing gradient
            layers += [nn.Linear(8 if i == 0 else width, width), nn.Sigmoid()]
        layers.append(nn.Linear(width, 2))
        return nn.Sequential(*layers)
    model = nn.Sequential()
    model.add_module("h1", nn.Linear(8, 32))
    model.add_module("act1", nn.ReLU())
    model.add_module("h2", nn.Linear(32, 32))
    model.add_module("act2", nn.ReLU())
    model.add_module("out", nn.Linear(32, 2))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


def worker(rank, world, kind, log, all_ranks):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(1)
    model = nn.parallel.DistributedDataParallel(model_of(kind))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    generator = torch.Generator().manual_seed(100 + rank)  # each rank its own shard
    x = torch.randn(64, 8, generator=generator)
    y = (x[:, 0] + x[:, 1] > 0).long()
    with gradlens_torch.watch(model, log, every=1, all_ranks=all_ranks, task="classes", classes=2, loss="CrossEntropyLoss") as w:
        for _ in range(80):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            w.step(loss)
    # Both ranks reach the teardown together: once, under load, a rank hung at exit after
    # both had written their end records and the other rank had gone.
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    kind, log = sys.argv[1], sys.argv[2]
    all_ranks = len(sys.argv) > 3 and sys.argv[3] == "all_ranks"
    os.environ["MASTER_PORT"] = os.environ.get("MASTER_PORT", "29517")
    mp.spawn(worker, args=(2, kind, log, all_ranks), nprocs=2, join=True)
