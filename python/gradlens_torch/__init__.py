"""GradLens for PyTorch.

    from gradlens_torch import to_net
    to_net(model, torch.randn(8, 4), "model.net", weights="model.weights.json")

writes the model as a .net file (and its weights) for GradLens's editor, probe and CLI.
docs/pytorch.md.
"""

from .to_net import UnsupportedModules, to_net

__all__ = ["UnsupportedModules", "to_net"]
