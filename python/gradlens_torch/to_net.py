"""A PyTorch model as a GradLens `.net` file: `to_net(model, example_input, "model.net")`.

The model is traced with torch.fx (falling back to nn.Sequential / module order when the
trace fails) and each step becomes a `.net` statement: nn.Linear → `dense`, the norms,
dropout and every activation the language has (as modules or functional calls), and an
addition `x + f(x)` → `residual { f }`. Layers are labelled with their module names, dots
turned into underscores. What the language cannot express is listed at the top of the file
with its module path (and raises with that list when strict=True). `weights=PATH` also
writes the model's current weights in the layout `gradlens grads --json` prints, and the
file starts from them (`weights "PATH"`), so the probe judges this model at these weights.
docs/pytorch.md, "Import a model".
"""

import json
import math
import operator
import os
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["to_net", "UnsupportedModules", "module_label"]


class UnsupportedModules(ValueError):
    """Raised by to_net(strict=True): `modules` lists (module path, what it is)."""

    def __init__(self, modules):
        self.modules = modules
        super().__init__("cannot express in .net: " + "; ".join(f"{path} ({what})" for path, what in modules))


LOSSES = ("mse", "mae", "huber", "bce", "cross_entropy")

# Activation modules and functions, as (.net word, options) from the module or the call.
_ACTIVATION_MODULES = {
    nn.ReLU: lambda m: ("relu", ""),
    nn.LeakyReLU: lambda m: ("leaky_relu", f" alpha={_num(m.negative_slope)}"),
    nn.ELU: lambda m: ("elu", f" alpha={_num(m.alpha)}"),
    nn.Tanh: lambda m: ("tanh", ""),
    nn.Sigmoid: lambda m: ("sigmoid", ""),
    nn.Softplus: lambda m: ("softplus", "") if m.beta == 1 else None,
    nn.GELU: lambda m: ("gelu", "") if getattr(m, "approximate", "none") == "none" else None,
    nn.Softmax: lambda m: ("softmax", "") if m.dim in (-1, 1, None) else None,
}
_ACTIVATION_FUNCTIONS = {
    F.relu: "relu", torch.relu: "relu", F.gelu: "gelu", torch.tanh: "tanh", F.tanh: "tanh",
    torch.sigmoid: "sigmoid", F.sigmoid: "sigmoid", F.softplus: "softplus", F.leaky_relu: "leaky_relu",
    F.elu: "elu", F.softmax: "softmax", torch.softmax: "softmax",
}
_ACTIVATION_METHODS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "softmax": "softmax"}
_ADD = {operator.add, operator.iadd, torch.add}


def _num(x):
    """A number as .net writes it: `0.01`, `1`, `1e-05`."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def module_label(path):
    """A module path as a .net label: dots to underscores, never starting with a digit."""
    label = re.sub(r"[^A-Za-z0-9_]", "_", path.replace(".", "_"))
    return label if re.match(r"[A-Za-z_]", label) else "m" + label


class _Layer:
    """One `.net` statement: `label: text`, and the parameters it owns as (name, tensor in .net layout)."""

    def __init__(self, text, label=None, params=()):
        self.text, self.label, self.params = text, label, list(params)
        # Recurrent layers: whether the model reads every hidden state (decided by what follows).
        self.sequences = None

    def lines(self, indent):
        text = self.text + (" sequences=true" if self.sequences else "")
        return [f"{indent}{self.label + ': ' if self.label else ''}{text}"]


class _Residual:
    def __init__(self, body):
        self.body = body

    def lines(self, indent):
        return [f"{indent}residual {{", *[line for item in self.body for line in item.lines(indent + "  ")], f"{indent}}}"]


class _Builder:
    """The statements so far; `values` maps a traced value to how many statements produced it."""

    def __init__(self, shaped):
        self.items = []
        self.unsupported = []
        self.labels = set()
        # The current value is an image or a sequence (not yet a vector of features).
        self.shaped = shaped
        # The first layer is a Conv1d: the example [N, C, L] is the sequence [T=L, F=C].
        self.conv1d_input = False
        # Walking modules without a trace: the recurrent layer whose output use is not seen yet.
        self.walking = False
        self.pending = None

    def label_for(self, path):
        if path is None:
            return None
        label = module_label(path)
        if label in self.labels:
            return None  # a parameterless module used twice: the second use keeps the default name
        self.labels.add(label)
        return label

    def module(self, path, module):
        """Appends the statements of a supported module; False when it is not supported."""
        if self.pending is not None:
            # Module order: a recurrent layer feeds every hidden state to another recurrent
            # layer or a convolution, and its last one to anything else.
            self.pending.sequences = isinstance(module, (nn.RNN, nn.LSTM, nn.GRU, nn.Conv1d))
            self.shaped = self.pending.sequences
            self.pending = None
        if isinstance(module, nn.Linear):
            if self.shaped:
                self.flatten()  # in module order a Linear after a convolution reads it flattened
            params = [("W", module.weight.detach().t()), *([("b", module.bias.detach())] if module.bias is not None else [])]
            bias = "" if module.bias is not None else " bias=false"
            self.items.append(_Layer(f"dense {module.out_features}{bias}", self._param_label(path), params))
        elif isinstance(module, (nn.Conv2d, nn.Conv1d)):
            return self._conv(path, module)
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            k = _square(module.kernel_size)
            stride = _square(module.stride) if module.stride is not None else k
            plain = k is not None and stride == k and _square(module.padding) == 0 and not module.ceil_mode
            if isinstance(module, nn.MaxPool2d):
                plain = plain and _square(module.dilation) == 1 and not module.return_indices
            elif module.divisor_override is not None:
                plain = False
            if not plain:
                return False
            word = "maxpool2d" if isinstance(module, nn.MaxPool2d) else "avgpool2d"
            self.items.append(_Layer(f"{word} {k}", self.label_for(path)))
        elif isinstance(module, (nn.RNN, nn.LSTM, nn.GRU)):
            return self._recurrent(path, module)
        elif isinstance(module, nn.LayerNorm):
            if not module.elementwise_affine or module.bias is None or len(module.normalized_shape) != 1:
                return False
            self.items.append(_Layer(f"layernorm eps={_num(module.eps)}", self._param_label(path),
                                     [("gamma", module.weight.detach()), ("beta", module.bias.detach())]))
        elif isinstance(module, nn.BatchNorm1d):
            if not module.affine or not module.track_running_stats or module.momentum is None:
                return False
            # torch's momentum is the share of the batch in the running statistics, .net's the share kept.
            self.items.append(_Layer(f"batchnorm momentum={_num(1 - module.momentum)} eps={_num(module.eps)}", self._param_label(path),
                                     [("gamma", module.weight.detach()), ("beta", module.bias.detach())]))
        elif isinstance(module, nn.Dropout):
            self.items.append(_Layer(f"dropout {_num(module.p)}", self.label_for(path)))
        elif isinstance(module, nn.Flatten):
            if module.start_dim != 1 or module.end_dim != -1:
                return False
            if self.shaped:
                self.flatten(self.label_for(path))
        elif isinstance(module, nn.Identity):
            pass
        elif type(module) in _ACTIVATION_MODULES:
            word = _ACTIVATION_MODULES[type(module)](module)
            if word is None:
                return False
            self.items.append(_Layer(word[0] + word[1], self.label_for(path)))
        else:
            return False
        return True

    def flatten(self, label=None):
        self.items.append(_Layer("flatten", label))
        self.shaped = False

    def _conv(self, path, module):
        k, stride, padding = _square(module.kernel_size), _square(module.stride), _square(module.padding)
        if None in (k, stride, padding) or _square(module.dilation) != 1 or module.groups != 1 or module.padding_mode != "zeros":
            return False
        if isinstance(module, nn.Conv1d) and not self.items:
            self.conv1d_input = True
        word = "conv2d" if isinstance(module, nn.Conv2d) else "conv1d"
        options = f" kernel={k}" + (f" stride={stride}" if stride != 1 else "") + (f" padding={padding}" if padding else "")
        options += "" if module.bias is not None else " bias=false"
        params = [("W", module.weight.detach()), *([("b", module.bias.detach())] if module.bias is not None else [])]
        self.items.append(_Layer(f"{word} {module.out_channels}{options}", self._param_label(path), params))
        return True

    def _recurrent(self, path, module):
        plain = module.num_layers == 1 and module.batch_first and not module.bidirectional and getattr(module, "proj_size", 0) == 0
        if isinstance(module, nn.RNN):
            plain = plain and module.nonlinearity == "tanh"
        if not plain:
            return False
        word = {nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru"}[type(module)]
        params = [("W_ih", module.weight_ih_l0.detach()), ("W_hh", module.weight_hh_l0.detach())]
        if module.bias:
            params += [("b_ih", module.bias_ih_l0.detach()), ("b_hh", module.bias_hh_l0.detach())]
        layer = _Layer(f"{word} {module.hidden_size}" + ("" if module.bias else " bias=false"), self._param_label(path), params)
        layer.sequences = True  # until the model is seen to read only the last hidden state
        self.items.append(layer)
        if self.walking:
            self.pending = layer
        return True

    def _param_label(self, path):
        label = module_label(path)
        if label in self.labels:
            raise _Shared(path)
        self.labels.add(label)
        return label

    def activation(self, word, options=""):
        self.items.append(_Layer(word + options))


class _Shared(Exception):
    """A module with parameters applied twice: .net layers never share weights."""


def _square(value):
    """An int, or a pair/1-tuple of equal ints, as one int; None otherwise."""
    if isinstance(value, int):
        return value
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, int) and v == value[0] for v in value):
        return value[0]
    return None


def _describe(module):
    return type(module).__name__


def _trace(model, example, builder):
    """Walks the torch.fx graph; returns None, or why the trace failed."""
    try:
        graph = torch.fx.symbolic_trace(model)
    except Exception as error:  # anything fx cannot trace: data-dependent control flow, …
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    modules = dict(graph.named_modules())
    # position[node] = number of statements after which the node's value is the current one.
    position = {}
    # What a recurrent layer's outputs are, as the getitems that follow pick them apart.
    tags = {}
    last = None
    for node in graph.graph.nodes:
        if node.op == "placeholder":
            if last is not None:
                builder.unsupported.append((node.name, "a second input"))
            position[node] = 0
            last = node
            continue
        if node.op == "output":
            out = node.args[0]
            if isinstance(out, torch.fx.Node) and out is not last:
                builder.unsupported.append((out.name, "an output that is not the last step"))
            continue
        if node.op == "get_attr":
            builder.unsupported.append((node.target, "a parameter used directly"))
            continue
        if _is_shape_query(node):
            continue  # x.size(0), x.shape: arguments of a reshape, not a step of the network
        inputs = [a for a in node.args if isinstance(a, torch.fx.Node)]
        where = node.target if node.op == "call_module" else node.name
        is_add = (node.op == "call_function" and node.target in _ADD) or (node.op == "call_method" and node.target in ("add", "add_"))
        if is_add and len(inputs) == 2 and len(node.args) == 2 and not node.kwargs:
            a, b = inputs
            skip, body_end = (a, b) if position.get(a, -1) < position.get(b, -1) else (b, a)
            if body_end is not last or skip not in position:
                builder.unsupported.append((where, "an addition that is not x + f(x)"))
                continue
            start = position[skip]
            body = builder.items[start:]
            if not body:
                builder.unsupported.append((where, "x + x"))
                continue
            builder.items[start:] = [_Residual(body)]
            position[node] = len(builder.items)
            last = node
            continue
        if inputs and inputs[0] is not last:
            builder.unsupported.append((where, "a branch (its input is not the previous step's output)"))
            continue
        tag = _recurrent_output(node, tags.get(last), builder)
        if tag is not None:
            tags[node] = tag
            position[node] = len(builder.items)
            last = node
            continue
        if _is_flatten(node):
            if builder.shaped:
                builder.flatten()
            position[node] = len(builder.items)
            last = node
            continue
        ok = True
        if node.op == "call_module":
            module = modules[node.target]
            try:
                ok = builder.module(node.target, module)
            except _Shared:
                builder.unsupported.append((node.target, f"{_describe(module)} applied twice (shared weights)"))
                ok = None
            if ok is False:
                builder.unsupported.append((node.target, _describe(module)))
            if ok and isinstance(module, (nn.RNN, nn.LSTM, nn.GRU)):
                tags[node] = ("tuple", builder.items[-1], isinstance(module, nn.LSTM))
        elif node.op == "call_function" and node.target in _ACTIVATION_FUNCTIONS:
            ok = _functional(builder, _ACTIVATION_FUNCTIONS[node.target], node)
            if not ok:
                builder.unsupported.append((where, f"{node.target.__name__} with these arguments"))
        elif node.op == "call_method" and node.target in _ACTIVATION_METHODS and len(node.args) == 1 and not node.kwargs:
            builder.activation(_ACTIVATION_METHODS[node.target])
        elif node.op == "call_function" and node.target is F.dropout:
            p = node.args[1] if len(node.args) > 1 else node.kwargs.get("p", 0.5)
            training = node.args[2] if len(node.args) > 2 else node.kwargs.get("training", True)
            if training is True and isinstance(p, (int, float)):
                builder.items.append(_Layer(f"dropout {_num(p)}"))
            elif training is not False:
                builder.unsupported.append((where, "F.dropout with a training flag known only at run time"))
        elif node.op == "call_method" and node.target in ("contiguous", "clone"):
            pass
        elif builder.shaped and _is_time_transpose(node):
            pass  # PyTorch's [N, C, L] ↔ [N, L, C] for Conv1d; .net sequences are always [T, F]
        else:
            name = getattr(node.target, "__name__", str(node.target))
            builder.unsupported.append((where, f"{node.op} {name}"))
            ok = None
        position[node] = len(builder.items)
        last = node
    return None


def _is_shape_query(node):
    return (node.op == "call_method" and node.target in ("size", "dim")) or (
        node.op == "call_function" and node.target is getattr and len(node.args) == 2 and node.args[1] == "shape")


def _is_time_transpose(node):
    """x.transpose(1, 2), x.permute(0, 2, 1), torch.transpose(x, 1, 2): a sequence's channels and steps swapped."""
    if node.op == "call_method" and node.target == "transpose" or node.op == "call_function" and node.target is torch.transpose:
        return set(node.args[1:]) in ({1, 2}, {-1, -2}, {1, -1}, {-2, 2}) and len(node.args) == 3
    if node.op == "call_method" and node.target == "permute":
        dims = node.args[1:] if len(node.args) > 2 else tuple(node.args[1])
        return tuple(dims) == (0, 2, 1)
    return False


def _is_flatten(node):
    """torch.flatten(x, 1), x.flatten(1), nn.Flatten's call, x.view(x.size(0), -1), x.reshape(N, -1)."""
    if node.op == "call_function" and node.target is torch.flatten or node.op == "call_method" and node.target == "flatten":
        start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
        return start == 1 and len(node.args) <= 2
    if node.op == "call_method" and node.target in ("view", "reshape"):
        return len(node.args) == 3 and node.args[2] == -1
    return False


def _recurrent_output(node, tag, builder):
    """Follows `out, h = rnn(x)`-style indexing; the new tag, or None when `node` is not such a step.

    ("tuple", layer, lstm) is a recurrent call's result; ("out", layer) every hidden state
    [N, T, H]; ("h", layer) the last hidden state h_n [1, N, H]; ("hc", layer) LSTM's (h_n, c_n).
    Reading the last step (out[:, -1], h_n[-1], h_n[0], h_n.squeeze(0)) makes the layer `sequences=false`.
    """
    if tag is None:
        return None
    kind, layer = tag[0], tag[1]
    index = node.args[1] if node.op == "call_function" and node.target is operator.getitem and len(node.args) == 2 else None
    if kind == "tuple" and index in (0, 1):
        if index == 0:
            return ("out", layer)
        return ("hc", layer) if tag[2] else ("h", layer)
    if kind == "hc" and index == 0:
        return ("h", layer)
    last_hidden = (kind == "h" and (index in (0, -1) or node.op == "call_method" and node.target == "squeeze" and node.args[1:] == (0,))) or (
        kind == "out" and isinstance(index, tuple) and len(index) in (2, 3) and index[0] == slice(None) and index[1] == -1 and all(i == slice(None) for i in index[2:]))
    if last_hidden:
        layer.sequences = False
        builder.shaped = False
        return ("vector", layer)
    return None


def _functional(builder, word, node):
    """F.leaky_relu(x, 0.2), F.elu(x, alpha=…), F.softmax(x, dim=-1), … ; False for options .net lacks."""
    args, kwargs = node.args[1:], dict(node.kwargs)
    if word == "leaky_relu":
        slope = args[0] if args else kwargs.pop("negative_slope", 0.01)
        kwargs.pop("inplace", None)
        return not kwargs and builder.activation(word, f" alpha={_num(slope)}") is None
    if word == "elu":
        alpha = args[0] if args else kwargs.pop("alpha", 1.0)
        kwargs.pop("inplace", None)
        return not kwargs and builder.activation(word, f" alpha={_num(alpha)}") is None
    if word == "softmax":
        dim = args[0] if args else kwargs.pop("dim", None)
        return dim in (-1, 1) and builder.activation(word) is None
    if word == "gelu" and kwargs.get("approximate", "none") != "none":
        return False
    if word == "softplus" and (args or kwargs.get("beta", 1) != 1):
        return False
    kwargs.pop("inplace", None)
    return not args and not kwargs and builder.activation(word) is None


def _walk_modules(model, builder):
    """Without a trace: nn.Sequential children in order, else the leaf modules in registration order."""
    leaves = [(path, m) for path, m in model.named_modules() if len(list(m.children())) == 0]
    if not leaves and len(list(model.children())) == 0:
        leaves = [("", model)]
    for path, module in leaves:
        try:
            ok = builder.module(path or type(module).__name__, module)
        except _Shared:
            ok = False
        if not ok:
            builder.unsupported.append((path or "(model)", _describe(module)))


def _default_data(loss, features, outputs):
    """A generator whose examples fit the input and whose targets fit the output and the loss."""
    if loss == "cross_entropy":
        return f"blobs classes={max(outputs, 2)} features={features}"
    if loss == "bce":
        return f"blobs classes=2 features={features}"
    if outputs == 1:
        return f"linear features={features}"
    return f"blobs classes={outputs} features={features}"


def to_net(model, example_input, path, weights=None, loss=None, data=None, strict=False):
    """Writes `model` as a .net file at `path` and returns its text.

    example_input: a batch the model accepts — [N, F], [N, T, F], [N, C, H, W], or one
    example without the batch dimension ([F]; [C, H, W] or [C, L] when the model starts with
    a convolution); it gives `input` and the output width. weights: a path to also write the model's current
    weights to (`gradlens grads --json` layout; the .net file then starts from them). loss:
    the .net loss (default mse). data: the text after `data` (default: a generator that fits
    the input and the loss). strict: raise UnsupportedModules instead of listing them.
    """
    loss = loss or "mse"
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
    example = torch.as_tensor(example_input)
    first = next((m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.RNNBase))), None)
    # One example without its batch dimension (PyTorch's convolutions take those too):
    # [F], or [C, H, W] before a Conv2d, or [C, L] before a Conv1d.
    if example.dim() == 1 or (example.dim() == 3 and isinstance(first, nn.Conv2d)) or (example.dim() == 2 and isinstance(first, nn.Conv1d)):
        example = example.unsqueeze(0)
    if example.dim() not in (2, 3, 4):
        raise UnsupportedModules([("input", f"an example of shape {list(example.shape)[1:]} (the language's are [F], [T, F] and [C, H, W])")])
    shape = list(example.shape[1:])
    features = math.prod(shape)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        result = model(example)
    model.train(was_training)
    if not isinstance(result, torch.Tensor):
        raise UnsupportedModules([("output", f"a {type(result).__name__}, not one tensor")])
    outputs = result.reshape(example.shape[0], -1).shape[1]

    builder = _Builder(shaped=len(shape) > 1)
    fallback = _trace(model, example, builder)
    if fallback is not None:
        builder = _Builder(shaped=len(shape) > 1)
        builder.walking = True
        _walk_modules(model, builder)
        if builder.pending is not None:
            builder.pending.sequences = False
    if strict and builder.unsupported:
        raise UnsupportedModules(builder.unsupported)

    name = module_label(type(model).__name__)
    lines = [f"# {os.path.basename(path)} — {type(model).__name__} imported from PyTorch by gradlens_torch.to_net"]
    if fallback is not None:
        lines.append(f"# torch.fx could not trace the model ({fallback}); layers in module order")
    if builder.unsupported:
        lines.append("# unsupported (left out, so the network below is not the whole model):")
        lines += [f"#   {p}: {what}" for p, what in builder.unsupported]
    # Conv1d reads [N, C, L]: in .net that is the sequence [T = L, F = C] (time steps first).
    input_shape = [shape[1], shape[0]] if builder.conv1d_input else shape
    lines += [f"model {name}", "", f"data {data if data is not None else _default_data(loss, features, outputs)}", f"input {' '.join(map(str, input_shape))}"]
    lines += [line for item in builder.items for line in item.lines("")]
    lines.append(f"loss {loss}")
    if weights is not None:
        relative = os.path.relpath(os.path.abspath(weights), os.path.dirname(os.path.abspath(path)))
        lines.append(f"weights {json.dumps(relative.replace(os.sep, '/'))}")
        _write_weights(builder.items, weights)
    text = "\n".join(lines) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text


def _write_weights(items, path):
    layers = []

    def visit(items):
        for item in items:
            if isinstance(item, _Residual):
                visit(item.body)
            elif item.params:
                layers.append({
                    "name": item.label,
                    "params": [{"name": n, "shape": list(t.shape), "value": [float(v) for v in t.reshape(-1).double().tolist()]} for n, t in item.params],
                })

    visit(items)
    for layer in layers:
        for p in layer["params"]:
            if not all(math.isfinite(v) for v in p["value"]):
                raise ValueError(f"{layer['name']}.{p['name']} has a NaN or infinite weight")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"layers": layers}, f)
