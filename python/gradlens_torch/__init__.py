"""GradLens for PyTorch.

    import gradlens_torch
    with gradlens_torch.watch(model, "run.jsonl", every=1) as w:
        for x, y in batches:
            ...
            optimizer.step()
            w.step(loss)

writes a run log for `gradlens analyze run.jsonl` and "GradLens: Open Run Log..." in VS Code;

    from gradlens_torch import to_net
    to_net(model, torch.randn(8, 4), "model.net", weights="model.weights.json")

writes the model as a .net file (and its weights) for GradLens's editor, probe and CLI.
docs/pytorch.md.
"""

from .to_net import UnsupportedModules, to_net
from .watch import Watch, watch

__all__ = ["UnsupportedModules", "Watch", "to_net", "watch"]
