"""`python3 -m gradlens_torch to-net module:factory --input 1,4 -o model.net [--weights w.json]`.

Imports `module` (from the working folder or sys.path), calls `factory()` for the model (a
class works too) and writes it as a .net file with gradlens_torch.to_net. Exit codes: 0
written, 1 unsupported modules with --strict, 2 a wrong command line or a model that cannot
be loaded.
"""

import argparse
import importlib
import os
import sys

import torch

from .to_net import LOSSES, UnsupportedModules, to_net


def _shape(text):
    try:
        shape = [int(part) for part in text.split(",") if part.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--input must be sizes separated by commas, e.g. 1,4 — not {text!r}")
    if not shape or any(n < 1 for n in shape):
        raise argparse.ArgumentTypeError(f"--input must be positive sizes separated by commas, e.g. 1,4 — not {text!r}")
    return shape


def _load(spec):
    module_name, _, factory_name = spec.partition(":")
    if not module_name or not factory_name:
        raise SystemExit(f"gradlens_torch: expected module:factory (e.g. models:make_mlp), not {spec!r}")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        print(f"gradlens_torch: cannot import {module_name}: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
    factory = getattr(module, factory_name, None)
    if factory is None or not callable(factory):
        print(f"gradlens_torch: {module_name} has no callable {factory_name}", file=sys.stderr)
        sys.exit(2)
    model = factory()
    if not isinstance(model, torch.nn.Module):
        print(f"gradlens_torch: {spec}() returned {type(model).__name__}, not an nn.Module", file=sys.stderr)
        sys.exit(2)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m gradlens_torch", description="GradLens for PyTorch")
    commands = parser.add_subparsers(dest="command", required=True)
    to = commands.add_parser("to-net", help="write a PyTorch model as a GradLens .net file")
    to.add_argument("model", help="module:factory — factory() returns the nn.Module")
    to.add_argument("--input", required=True, type=_shape,
                    help="shape of an example batch, batch first (8,4; 8,50,2; 8,1,28,28), or of one image before a Conv2d (1,28,28)")
    to.add_argument("-o", "--output", required=True, help="the .net file to write")
    to.add_argument("--weights", help="also write the model's weights here (gradlens grads --json layout); the .net file starts from them")
    to.add_argument("--loss", choices=LOSSES, default="mse", help="the .net loss (default mse)")
    to.add_argument("--data", help="the text after `data` (default: a generator that fits the input and the loss)")
    to.add_argument("--strict", action="store_true", help="fail (exit 1) when a module cannot be expressed, instead of listing it")
    args = parser.parse_args(argv)

    model = _load(args.model)
    torch.manual_seed(0)
    example = torch.randn(*args.input)
    try:
        to_net(model, example, args.output, weights=args.weights, loss=args.loss, data=args.data, strict=args.strict)
    except UnsupportedModules as error:
        print(f"gradlens_torch: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.output}" + (f" and {args.weights}" if args.weights else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
