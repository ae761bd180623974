"""Watch a PyTorch training run and write it as a GradLens run log (docs/protocol.md).

    w = gradlens_torch.watch(model, "run.jsonl", every=1, optimizer=optimizer)
    for x, y in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        w.step(loss)
    w.close()

Per recorded step and per layer it records what GradLens's engine records (LayerStats of
src/engine/telemetry.ts): each parameter's gradient norm, max |g|, mean and std, its
weight norm before the update and the update ratio ||dW||/||W||; the layer's output mean,
std, dead and saturated fractions; the gradient norms at the layer's output and input;
the first non-finite value; and for a single-layer nn.RNN / nn.LSTM / nn.GRU, ||dL/dh_t||
for every time step t (_time_grad_norms: the engine's timeGradNorms). The header holds each parameter tensor's mean and std at
watch() (the init the run starts from) and, given the optimizer, its kind and
hyper-parameters. A layer is a module that owns parameters itself, or an
activation module (nn.ReLU, nn.Sigmoid, ...); its name is the qualified module name
without DistributedDataParallel's `module.` prefix.

Gradients are read when step() is called: after the optimizer step, and so after any
clipping and, under DistributedDataParallel, after the all-reduce.
"""

import json
import math
import sys
from pathlib import Path

import torch
from torch import nn

FORMAT, VERSION = "gradlens-runlog", 1
HISTOGRAM_BINS = 30
# Gradient mean and std: torch.std_mean (exact, two passes, slow on large tensors) up to this
# many entries; above, one pass of sum and sum of squares (cancellation is negligible there).
EXACT_MOMENTS = 4096

# Saturated: the local derivative is below 6% of its maximum (as the engine counts it).
SIGMOID_LOW, SIGMOID_HIGH, TANH_LIMIT = 0.015, 0.985, 0.97

# Activation modules, by class, in the .net vocabulary where it has the word.
ACTIVATIONS = {
    nn.ReLU: "relu", nn.LeakyReLU: "leaky_relu", nn.ELU: "elu", nn.GELU: "gelu", nn.Tanh: "tanh",
    nn.Sigmoid: "sigmoid", nn.Softplus: "softplus", nn.Softmax: "softmax", nn.Identity: "linear",
    nn.SiLU: "swish", nn.ReLU6: "relu6", nn.SELU: "selu", nn.CELU: "celu", nn.Mish: "mish",
    nn.Hardtanh: "hardtanh", nn.Hardsigmoid: "hardsigmoid", nn.Hardswish: "hardswish", nn.LogSoftmax: "log_softmax",
}

# Parameter-owning modules whose kind the .net language names.
KINDS = {
    nn.Linear: "dense", nn.LayerNorm: "layernorm", nn.BatchNorm1d: "batchnorm", nn.BatchNorm2d: "batchnorm",
    nn.BatchNorm3d: "batchnorm", nn.Conv1d: "conv1d", nn.Conv2d: "conv2d", nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru",
}


# torch.optim classes by the run log's name for them (the .net names, and adamw).
OPTIMIZERS = {"SGD": "sgd", "Adam": "adam", "AdamW": "adamw", "RMSprop": "rmsprop"}


def watch(model, path, every=1, optimizer=None, all_ranks=False, **options):
    """Start watching `model`; returns a Watch (call step(loss) after each optimizer step, then close()).

    `optimizer` (a torch.optim optimizer) puts its kind and hyper-parameters in the run log, so
    `gradlens analyze` can name an lr that is too large and propose one."""
    return Watch(model, path, every=every, optimizer=optimizer, all_ranks=all_ranks, **options)


def _number(value):
    """JSON has no NaN or Infinity: the run log spells them as strings."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _optimizer_entry(optimizer, clip, line):
    """The header's `optimizer`: kind, and the hyper-parameters of the first parameter group."""
    groups = getattr(optimizer, "param_groups", None)
    if not groups:
        raise TypeError(f"optimizer must be a torch.optim optimizer, not {type(optimizer).__name__}")
    group = groups[0]
    name = type(optimizer).__name__
    entry = {"kind": OPTIMIZERS.get(name, name), "lr": float(group["lr"])}
    for key, field in (("momentum", "momentum"), ("eps", "eps"), ("weight_decay", "weightDecay")):
        if isinstance(group.get(key), (int, float)):
            entry[field] = float(group[key])
    if isinstance(group.get("nesterov"), bool):
        entry["nesterov"] = group["nesterov"]
    betas = group.get("betas")
    if isinstance(betas, (tuple, list)) and len(betas) == 2:
        entry["beta1"], entry["beta2"] = float(betas[0]), float(betas[1])
    if name == "RMSprop":
        entry["decay"] = float(group["alpha"])
    if clip is not None:
        entry["clip"] = float(clip)
    if len(groups) > 1:
        entry["groups"] = len(groups)
    if line is not None:
        entry["line"] = line
    return entry


def _moments(tensor):
    """A tensor's population mean and std, in float64: the init it starts from."""
    std, mean = torch.std_mean(tensor.detach().double(), unbiased=False)
    return {"mean": _number(mean.item()), "std": _number(std.item())}


def _first_tensor(value):
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def _unwrap(model):
    """The model inside DistributedDataParallel / DataParallel, whose names lack `module.`."""
    while isinstance(model, (nn.parallel.DistributedDataParallel, nn.DataParallel)):
        model = model.module
    return model


def _distributed():
    """(rank, world size), or (0, 1) outside torch.distributed."""
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class _Layer:
    """One watched module: its header entry and the statistics of the current step."""

    def __init__(self, index, name, module, kind, activation, line):
        self.index, self.name, self.module, self.kind, self.activation = index, name, module, kind, activation
        self.line = line
        self.params = list(module.named_parameters(recurse=False))
        self.outputs = None  # (mean, std, count, live columns, columns, saturated count), tensors and ints
        self.out_grad = None
        self.in_grad = None
        self.last_output = None  # kept on histogram steps only
        # Recurrent layers on a recorded step: the input sequence and h0, the direct gradients
        # at the output ([N, T, H] sequence or [N, H] last state) and at h_n / c_n.
        self.recurrent = _time_profiled(module)
        self.sequence_in = self.time_out = self.time_hn = self.time_cn = None

    def header(self):
        # Each tensor's moments now, at watch(): the init the run starts from, whatever made it.
        entry = {"index": self.index, "name": self.name, "kind": self.kind,
                 "params": [{"name": n, "shape": list(p.shape), "init": _moments(p)} for n, p in self.params]}
        if self.activation is not None:
            entry["activation"] = self.activation
        if self.line is not None:
            entry["line"] = self.line
        if self.recurrent and isinstance(getattr(self.module, "sequences", None), bool):
            entry["sequences"] = self.module.sequences  # the exported RNN/LSTM/GRU say which states go on
        return entry


class Watch:
    """A watched run (see the module's doc). Also a context manager: `with watch(...) as w:`."""

    def __init__(self, model, path, every=1, optimizer=None, all_ranks=False, *, source=None, lines=None,
                 model_name=None, task=None, classes=None, loss=None, total_steps=None, histogram_every=50,
                 clip=None, optimizer_line=None):
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number >= 1, not {every!r}")
        optimizer_entry = None if optimizer is None else _optimizer_entry(optimizer, clip, optimizer_line)
        self.every = every
        self.all_ranks = all_ranks
        self.rank, self.world_size = _distributed()
        self.steps = 0
        self.closed = False
        self.nonfinite_seen = False
        self.differing_ranks = set()
        self.histogram_every = histogram_every
        self._recorded = 0
        self._last_recorded, self._after_squares = 0, None
        self._before = None
        self._handles = []
        self.writes = self.rank == 0 or all_ranks
        self.path = None
        if not self.writes:
            return  # other ranks: gradients are all-reduced, rank 0 has seen them all
        self.model = _unwrap(model)
        self.layers = self._find_layers(lines or {})
        self.path = Path(path) if self.rank == 0 else _rank_path(Path(path), self.rank)
        self.file = open(self.path, "w", encoding="utf-8")
        header = {"type": "header", "format": FORMAT, "version": VERSION, "producer": "pytorch",
                  "layers": [layer.header() for layer in self.layers]}
        for key, value in (("model", model_name or type(self.model).__name__), ("source", source), ("task", task),
                           ("classes", classes), ("loss", loss), ("totalSteps", total_steps)):
            if value is not None:
                header[key] = value
        if self.world_size > 1:
            header["rank"], header["worldSize"] = self.rank, self.world_size
        if optimizer_entry is not None:
            header["optimizer"] = optimizer_entry
        self._write(header)
        for layer in self.layers:
            self._handles.append(layer.module.register_forward_hook(self._forward_hook(layer)))
        self._recording = True  # step 1 is always recorded
        self._snapshot()

    # -- what the user calls ---------------------------------------------------------------

    def step(self, loss, *, accuracy=None, epoch=None):
        """Record the step just taken (call it after optimizer.step()); `loss` is its training loss."""
        if self.closed:
            raise RuntimeError("this watch is closed")
        self.steps += 1
        if not self.writes:
            return
        if self._recording:
            self._record(loss, accuracy, epoch)
        # The next step is recorded when it is 1 + a multiple of `every` after the first.
        self._recording = self.steps % self.every == 0
        if self._recording:
            self._snapshot(self._after_squares if self.steps == self._last_recorded else None)

    def close(self, reason=None, message=None):
        """Write the end record and remove the hooks; safe to call twice."""
        if self.closed:
            return
        self.closed = True
        if not self.writes:
            return
        for handle in self._handles:
            handle.remove()
        end = {"type": "end", "reason": reason or ("diverged" if self.nonfinite_seen else "done"), "steps": self.steps}
        if message:
            end["message"] = message
        self._write(end)
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback):
        if kind is None:
            self.close()
        elif issubclass(kind, KeyboardInterrupt):
            self.close("cancelled", "interrupted")
        else:
            self.close("error", f"{kind.__name__}: {error}")
        return False

    # -- layers and hooks ------------------------------------------------------------------

    def _find_layers(self, lines):
        layers = []
        for name, module in self.model.named_modules():
            owns = any(True for _ in module.parameters(recurse=False))
            activation = ACTIVATIONS.get(type(module))
            if not owns and activation is None:
                continue
            name = name[len("module."):] if name.startswith("module.") else name
            if owns:
                # Subclasses too (an exported .net's Conv2d, RNN, LSTM are torch's with a fused activation).
                kind = next((k for cls, k in KINDS.items() if isinstance(module, cls)), type(module).__name__)
                activation = getattr(module, "gradlens_activation", "linear" if kind == "dense" else None)
            else:
                kind = "activation"
            layers.append(_Layer(len(layers), name or type(module).__name__, module, kind, activation, lines.get(name)))
        return layers

    def _forward_hook(self, layer):
        saturating = layer.activation if layer.activation in ("sigmoid", "tanh") else None

        def hook(_module, inputs, output):
            if not self._recording or not torch.is_grad_enabled():
                return  # not a recorded step, or an evaluation pass
            out = _first_tensor(output)
            if out is None:
                return
            with torch.no_grad():
                y = out.detach()
                rows = y.reshape(y.shape[0], -1) if y.dim() > 1 else y.reshape(1, -1)
                if saturating == "sigmoid":
                    saturated = ((y < SIGMOID_LOW) | (y > SIGMOID_HIGH)).sum()
                elif saturating == "tanh":
                    saturated = (y.abs() > TANH_LIMIT).sum()
                else:
                    saturated = torch.zeros((), device=y.device)
                std, mean = torch.std_mean(y, unbiased=False)
                layer.outputs = (mean, std, y.numel(), (rows != 0).any(dim=0).sum(), rows.shape[1], saturated)
                if self._histogram_step():
                    layer.last_output = y
            if out.requires_grad:
                out.register_hook(lambda g: setattr(layer, "out_grad", g.detach().square().sum()))
            first = _first_tensor(inputs)
            if first is not None and first.requires_grad:
                first.register_hook(lambda g: setattr(layer, "in_grad", g.detach().square().sum()))
            # A batch of sequences as one tensor (not a PackedSequence, not one unbatched sequence).
            if layer.recurrent and isinstance(inputs[0], torch.Tensor) and inputs[0].dim() == 3 and out.requires_grad:
                state = inputs[1] if len(inputs) > 1 else None
                layer.sequence_in = (inputs[0].detach(), None if state is None else
                                     tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach())
                out.register_hook(lambda g: setattr(layer, "time_out", g.detach()))
                final = output[1] if isinstance(output, tuple) and len(output) > 1 else None
                h_n, c_n = final if isinstance(final, tuple) else (final, None)
                if isinstance(h_n, torch.Tensor) and h_n.requires_grad:
                    h_n.register_hook(lambda g: setattr(layer, "time_hn", g.detach()))
                if isinstance(c_n, torch.Tensor) and c_n.requires_grad:
                    c_n.register_hook(lambda g: setattr(layer, "time_cn", g.detach()))

        return hook

    def _snapshot(self, squares=None):
        """The weights before the next update (its update ratio needs them) and their squared
        norms: `squares` when the step just recorded measured them, else measured here."""
        with torch.no_grad():
            if self._before is None:
                self._before = [[p.detach().clone() for _, p in layer.params] for layer in self.layers]
            else:  # into the same buffers: a fresh allocation per step costs more than the copy
                for layer, before in zip(self.layers, self._before):
                    for (_, p), old in zip(layer.params, before):
                        old.copy_(p.detach())
            if squares is None:
                squares = [p.detach().square().sum().item() for layer in self.layers for _, p in layer.params]
        self._before_squares = squares

    def _histogram_step(self):
        return self._recorded % self.histogram_every == 0

    # -- one recorded step -----------------------------------------------------------------

    def _record(self, loss, accuracy, epoch):
        step = self.steps
        device = self.layers[0].params[0][1].device if self.layers and self.layers[0].params else torch.device("cpu")
        zero = torch.zeros((), device=device)
        values = []  # every number of the step as a 0-dim tensor: one copy to Python at the end
        with torch.no_grad():
            values.append(loss.detach().reshape(()) if isinstance(loss, torch.Tensor) else torch.tensor(float(loss)))
            for layer, before in zip(self.layers, self._before):
                outputs = layer.outputs
                values += [zero] * 4 if outputs is None else [outputs[0], outputs[1], outputs[3], outputs[5]]
                values.append(layer.out_grad if layer.out_grad is not None else zero)
                values.append(layer.in_grad if layer.in_grad is not None else zero)
                for (_, p), old in zip(layer.params, before):
                    w = p.detach()
                    if p.grad is None:
                        values += [zero] * 3
                    else:
                        g = p.grad.detach()
                        low, high = torch.aminmax(g)
                        if g.numel() > EXACT_MOMENTS:
                            values += [torch.maximum(-low, high), g.sum(), g.square().sum()]
                        else:
                            std, mean = torch.std_mean(g, unbiased=False)
                            values += [torch.maximum(-low, high), mean, std]
                    values += [torch.dist(w, old), w.square().sum()]
            numbers = torch.stack([v.reshape(()).to(device, torch.float64) for v in values]).tolist()

        loss_value = numbers[0]
        cursor = 1
        layers, grad_norms, after_squares = [], [], []
        before_squares = iter(self._before_squares)
        bad_forward = bad_backward = bad_update = None
        for layer, before in zip(self.layers, self._before):
            mean, std, live, sat, out_grad, in_grad = numbers[cursor:cursor + 6]
            cursor += 6
            count, columns = (layer.outputs[2], layer.outputs[4]) if layer.outputs is not None else (0, 0)
            params, squares, total = [], 0.0, 0
            for name, p in layer.params:
                gmax, a, b, update_norm, w_after = numbers[cursor:cursor + 5]
                cursor += 5
                n = p.numel()
                if n > EXACT_MOMENTS:
                    g2, gmean = b, a / n
                    variance = g2 / n - gmean * gmean
                    gstd = math.sqrt(variance) if variance > 0 else (variance if math.isnan(variance) else 0.0)
                else:
                    gmean, gstd = a, b
                    g2 = n * (gstd * gstd + gmean * gmean)
                weight_norm = math.sqrt(next(before_squares))
                after_squares.append(w_after)
                params.append({"name": name, "gradNorm": _number(math.sqrt(g2)), "gradMaxAbs": _number(gmax),
                               "gradMean": _number(gmean), "gradStd": _number(gstd),
                               "weightNorm": _number(weight_norm),
                               "updateRatio": _number(update_norm / weight_norm if weight_norm > 0 else 0.0)})
                squares += g2
                total += n
                grad_norms.append(math.sqrt(g2))
                if not math.isfinite(g2):
                    bad_backward = (layer, f"the gradient of {layer.name}.{name}")  # the last one is the first computed
                if bad_update is None and not math.isfinite(w_after):
                    bad_update = (layer, f"the weights of {layer.name}.{name} after the update")
            if bad_forward is None and not (math.isfinite(mean) and math.isfinite(std)):
                bad_forward = (layer, f"the output of {layer.name}")
            grad_norm = math.sqrt(squares)
            time_norms = _time_grad_norms(layer, before) if layer.recurrent else None
            layers.append({
                "index": layer.index, "gradNorm": _number(grad_norm),
                "gradRms": _number(grad_norm / math.sqrt(total) if total else 0.0),
                "outGradNorm": _number(math.sqrt(out_grad)), "inGradNorm": _number(math.sqrt(in_grad)),
                "outMean": _number(mean), "outStd": _number(std),
                "deadFraction": _number(1 - live / columns if columns else 0.0),
                "saturatedFraction": _number(sat / count if count else 0.0),
                **({"timeGradNorms": [_number(v) for v in time_norms]} if time_norms is not None else {}),
                "params": params,
            })
            layer.outputs = layer.out_grad = layer.in_grad = None
            layer.sequence_in = layer.time_out = layer.time_hn = layer.time_cn = None

        record = {"type": "step", "step": step, "loss": _number(loss_value), "layers": layers}
        if epoch is not None:
            record["epoch"] = int(epoch)
        if accuracy is not None:
            record["accuracy"] = _number(float(accuracy))
        if self.all_ranks and self.world_size > 1:
            differ = self._ranks_that_differ(grad_norms)
            if differ:
                record["ranksDiffer"] = differ
        self._write(record)
        if self._histogram_step():
            self._write_histograms(step)
        self._recorded += 1
        self._last_recorded, self._after_squares = step, after_squares
        if not self.nonfinite_seen:
            # Tape order: the forward pass, then the loss, then the backward pass, then the update.
            if bad_forward is not None:
                self._write_nonfinite(step, "forward", *bad_forward)
            elif not math.isfinite(loss_value):
                self._write_nonfinite(step, "forward", None, "the loss")
            elif bad_backward is not None:
                self._write_nonfinite(step, "backward", *bad_backward)
            elif bad_update is not None:
                self._write_nonfinite(step, "update", *bad_update)

    def _ranks_that_differ(self, grad_norms):
        """Ranks whose parameter gradient norms differ from rank 0's (after the all-reduce they should not)."""
        mine = torch.tensor(grad_norms, dtype=torch.float64)
        gathered = [torch.zeros_like(mine) for _ in range(self.world_size)]
        torch.distributed.all_gather(gathered, mine)
        reference = gathered[0]
        differ = [r for r, theirs in enumerate(gathered)
                  if not torch.allclose(theirs, reference, rtol=1e-5, atol=1e-12, equal_nan=True)]
        new = set(differ) - self.differing_ranks
        if new:
            self.differing_ranks |= new
            print(f"gradlens_torch: step {self.steps}: the gradients of rank(s) {sorted(new)} differ from rank 0's",
                  file=sys.stderr, flush=True)
        return differ

    def _write_histograms(self, step):
        with torch.no_grad():
            for layer in self.layers:
                grads = [p.grad.detach().float().reshape(-1) for _, p in layer.params if p.grad is not None]
                if grads:
                    self._write(_histogram(step, layer.index, "gradient", torch.cat(grads)))
                if layer.last_output is not None:
                    self._write(_histogram(step, layer.index, "activation", layer.last_output.float().reshape(-1)))
                    layer.last_output = None

    def _write_nonfinite(self, step, phase, layer, what):
        self.nonfinite_seen = True
        record = {"type": "nonfinite", "step": step, "phase": phase,
                  "op": type(layer.module).__name__ if layer is not None else "loss",
                  "message": f"NaN/Inf first appeared at step {step} in {what}"}
        if layer is not None:
            record["layer"], record["layerName"] = layer.index, layer.name
            if layer.line is not None:
                record["line"] = layer.line
        self._write(record)

    def _write(self, record):
        # allow_nan=False: a NaN that slipped past _number is a bug here, not a silent bad line.
        self.file.write(json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n")
        self.file.flush()  # readers follow the file while it grows


def _histogram(step, index, of, values):
    finite = values[torch.isfinite(values)]
    if finite.numel() == 0:
        return {"type": "histogram", "step": step, "layer": index, "of": of, "min": 0, "max": 0, "counts": [0] * HISTOGRAM_BINS}
    low, high = finite.min().item(), finite.max().item()
    counts = torch.histc(finite, bins=HISTOGRAM_BINS, min=low, max=high) if high > low else None
    counts = [int(c) for c in counts.tolist()] if counts is not None else [finite.numel()] + [0] * (HISTOGRAM_BINS - 1)
    return {"type": "histogram", "step": step, "layer": index, "of": of, "min": low, "max": high, "counts": counts}


def _time_profiled(module):
    """Whether ||dL/dh_t|| per step is recorded: a single-layer, one-direction RNN, LSTM or GRU."""
    return (isinstance(module, (nn.RNN, nn.LSTM, nn.GRU)) and module.num_layers == 1 and not module.bidirectional
            and getattr(module, "proj_size", 0) == 0)


def _time_grad_norms(layer, before):
    """||dL/dh_t|| for t = 1..T, as the engine's back-propagation through time records it
    (src/engine/ops/recurrent.ts): the gradient at h_t from the layer's output at t plus what
    step t+1 sends back, its norm over the batch and the hidden units. A fused nn.RNN keeps
    the steps inside, so the recurrence is replayed here, one cell at a time from the same
    input and weights (`before`: the layer's parameters as the forward pass used them, before
    the update), and the direct gradients at the output are sent back through it."""
    module, seen = layer.module, layer.sequence_in
    if seen is None or (layer.time_out is None and layer.time_hn is None and layer.time_cn is None):
        return None
    x, state = seen
    if not module.batch_first:
        x = x.transpose(0, 1)
    rows, steps = x.shape[0], x.shape[1]
    hidden = module.hidden_size
    lstm = isinstance(module, nn.LSTM)
    g = layer.time_out
    every_state = (steps, rows, hidden) if not module.batch_first else (rows, steps, hidden)
    if g is not None and tuple(g.shape) not in (every_state, (rows, hidden)):
        return None  # an output this reading does not know: no profile rather than a wrong one
    with torch.no_grad():
        direct = torch.zeros(steps, rows, hidden, dtype=x.dtype, device=x.device)
        if g is not None:
            if g.dim() == 3:  # every h_t
                direct += g if not module.batch_first else g.transpose(0, 1)
            else:  # the last state only (a module returning out[:, -1])
                direct[-1] += g
        if layer.time_hn is not None:
            direct[-1] += layer.time_hn.reshape(rows, hidden)
    used = {name: old for (name, _), old in zip(layer.params, before)}
    weights = [used["weight_ih_l0"], used["weight_hh_l0"]]
    biases = [used["bias_ih_l0"], used["bias_hh_l0"]] if module.bias else [None, None]
    cell = (torch.lstm_cell if lstm else torch.gru_cell if isinstance(module, nn.GRU)
            else torch.rnn_relu_cell if module.nonlinearity == "relu" else torch.rnn_tanh_cell)
    zeros = torch.zeros(rows, hidden, dtype=x.dtype, device=x.device)
    if state is None:
        h0, c0 = zeros, zeros
    elif lstm:
        h0, c0 = (s.reshape(rows, hidden) for s in state)
    else:
        h0, c0 = state.reshape(rows, hidden), None
    with torch.enable_grad():
        ins, outs = [], []
        h, c = h0, c0
        for t in range(steps):
            h = h.detach().requires_grad_()
            if lstm:
                c = c.detach().requires_grad_()
                ins.append((h, c))
                h, c = cell(x[:, t], (h, c), *weights, *biases)
                outs.append((h, c))
            else:
                ins.append((h,))
                h = cell(x[:, t], h, *weights, *biases)
                outs.append((h,))
        norms = [0.0] * steps
        carry_h = torch.zeros_like(zeros)
        carry_c = layer.time_cn.reshape(rows, hidden) if (lstm and layer.time_cn is not None) else torch.zeros_like(zeros)
        for t in range(steps - 1, -1, -1):
            dh = direct[t] + carry_h
            norms[t] = dh.double().square().sum().sqrt().item()
            if t == 0:
                break
            seeds = (dh, carry_c) if lstm else (dh,)
            back = torch.autograd.grad(outs[t], ins[t], seeds)
            carry_h = back[0]
            if lstm:
                carry_c = back[1]
    return norms


def _rank_path(path, rank):
    """run.jsonl -> run.rank1.jsonl: the file of a rank other than 0 under all_ranks=True."""
    return path.with_name(f"{path.stem}.rank{rank}{path.suffix}")
