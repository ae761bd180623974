// A checked network as one runnable PyTorch file: an nn.Module whose submodules carry the
// .net layer names, the same inits, data (generators and CSV reading ported, so the same
// examples in the same order), loss, optimizer, clipping and batch schedule. From the same
// weights (`--weights`, the JSON of `gradlens grads`) it takes the same steps as the engine.
// docs/pytorch.md describes the file for its readers.

import type { ActivationKind, DataSpec, InitSpec, LayerNode, NetworkSpec } from '../lang/spec';
import { CSV_PY, GENERATED_PY, generatorPy, RANDOM_PY } from './python-data';
import { activationDef, activationOf, kindOf } from '../kinds';

export interface ExportOptions {
  /** The .net file's path relative to the exported file's folder (for the header and the run log's lines). */
  source: string;
  /** CSV data: its path relative to the exported file's folder (default: as written in the .net file). */
  csvPath?: string;
  /** The .net file's \`weights\` statement: the file's path relative to the exported file's folder. */
  weightsPath?: string;
  /** Folder holding the gradlens_torch package, tried when it is not importable (for --gradlens). */
  gradlensPython?: string;
  /** GradLens's version, for the header. */
  version: string;
}

/** Names a PyTorch module already uses: a submodule called `forward` would replace the method. */
const MODULE_ATTRIBUTES = new Set(
  ('T_destination add_module apply bfloat16 buffers children cpu cuda double dump_patches eval extra_repr float forward ' +
    'get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules named_buffers named_children ' +
    'named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook ' +
    'register_forward_pre_hook register_full_backward_hook register_load_state_dict_post_hook register_module ' +
    'register_parameter requires_grad_ set_extra_state share_memory state_dict to to_empty train training type xpu zero_grad ' +
    'gradlens_activation alpha').split(' '),
);
const PYTHON_KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from global if ' +
    'import in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);

/** The attribute a .net layer becomes: its name, unless Python or nn.Module already owns it. */
export function moduleName(layerName: string): string {
  return PYTHON_KEYWORDS.has(layerName) || MODULE_ATTRIBUTES.has(layerName) || layerName.startsWith('_') ? `${layerName}_layer` : layerName;
}

const py = (value: number | string | boolean): string =>
  typeof value === 'boolean' ? (value ? 'True' : 'False') : typeof value === 'string' ? JSON.stringify(value) : String(value);

/** Every layer kind declares its module (src/kinds/layers/, `pytorch`), so a checked network always exports. */
export function exportPytorch(spec: NetworkSpec, options: ExportOptions): string {
  const className = pascalCase(spec.name ?? 'network');
  // The helper code the layers' kinds ask for, and the activations fused into them.
  const helpers = new Set(spec.leaves.flatMap((leaf) => kindOf(leaf).pytorch.helpers?.(leaf) ?? []));
  const fusedKinds = [...new Set(spec.leaves.flatMap((leaf) => {
    const activation = activationOf(leaf);
    return kindOf(leaf).fusedActivation && activation !== undefined && activation !== 'linear' ? [activation] : [];
  }))].sort();
  const sections = [
    header(spec, options),
    imports(spec),
    constants(spec, options),
    RANDOM_PY,
    dataSection(spec.data, options.csvPath),
    helpers.has('activate') ? activatePy(fusedKinds) : '',
    helpers.has('conv') ? CONV_PY : '',
    helpers.has('recurrent') ? RECURRENT_PY : '',
    modelClass(spec, className),
    lossSection(spec),
    optimizerSection(spec),
    weightsSection(options.weightsPath),
    trainingSection(className),
  ];
  return sections.filter((s) => s !== '').join('\n\n');
}

function header(spec: NetworkSpec, options: ExportOptions): string {
  const name = spec.name ?? 'network';
  const steps = spec.train.steps !== undefined ? `${spec.train.steps} steps` : `${spec.train.epochs} epochs`;
  return `#!/usr/bin/env python3
"""${name}: ${options.source} exported to PyTorch by GradLens ${options.version}.

    python3 THIS.py                       train as the .net file says (${steps}), the loss per epoch
    python3 THIS.py --steps N             train N optimizer steps
    python3 THIS.py --weights W.json      start from the weights of \`gradlens grads FILE.net --json\`
    python3 THIS.py --gradlens RUN.jsonl  write a GradLens run log (\`gradlens analyze RUN.jsonl\`)

The data, the batch order and the optimizer follow the .net file exactly; from the same
weights this trains like GradLens's engine (dropout masks aside). The last line printed is
\`loss=<value>\`: the training loss on the next training batch at the final weights, the
number \`gradlens grads FILE.net --json --after N\` reports as \`loss\`.
"""`.replace(/THIS\.py/g, `${name}.py`);
}

function imports(spec: NetworkSpec): string {
  return ['import argparse', ...(spec.data.kind === 'csv' ? ['import csv'] : []), 'import json', 'import math', 'import sys', 'from pathlib import Path', '', 'import torch', 'from torch import nn', 'from torch.nn import functional as F'].join('\n');
}

function constants(spec: NetworkSpec, options: ExportOptions): string {
  const { train } = spec;
  const lines = [
    'HERE = Path(__file__).resolve().parent',
    `SOURCE = ${py(options.source)}  # the .net file, relative to this file`,
    `SEED = ${train.seed}  # train seed=: initial weights and the batch order`,
    `EPOCHS = ${train.epochs}`,
    `BATCH = ${train.batch}  # examples per step`,
    `STEPS = ${train.steps ?? 'None'}  # train steps= (overrides EPOCHS when set)`,
    `TASK = ${py(spec.dataShape.task)}`,
    `INPUT_SHAPE = (${(spec.inputShape ?? [spec.inputWidth]).join(', ')},)  # one example, filled row-major from its features`,
    '',
    '# Each submodule\'s .net layer: its name there and its 0-based line (the run log of',
    '# --gradlens points findings at those lines).',
    'NET_LAYERS = {',
    ...spec.leaves.map((leaf) => `    ${py(moduleName(leaf.name))}: (${py(leaf.name)}, ${leaf.line}),`),
    '}',
  ];
  if (options.gradlensPython !== undefined) {
    lines.push('', '# Where GradLens keeps its Python package, for --gradlens when gradlens_torch is not installed.', `GRADLENS_PYTHON = ${py(options.gradlensPython)}`);
  } else {
    lines.push('', 'GRADLENS_PYTHON = None');
  }
  return lines.join('\n');
}

function dataSection(data: DataSpec, csvPath: string | undefined): string {
  if (data.kind === 'csv') {
    return `${CSV_PY}
CSV_PATH = ${py(csvPath ?? data.path)}  # relative to this file


def load_data():
    """(train_x, train_y, validation_x, validation_y, class_labels) of the CSV file."""
    return read_csv(HERE / CSV_PATH, ${py(data.target)}, header=${py(data.header)}, split=${py(data.split)},
                    seed=${data.seed ?? 0}, normalize=${py(data.normalize)}, task=${data.task === undefined ? 'None' : py(data.task)})`;
  }
  // `split` is not the generator's: it holds out the shuffled tail as the validation set.
  const { split, ...generatorOptions } = data.options;
  const options = Object.entries(generatorOptions).map(([key, value]) => `, ${key}=${py(value)}`).join('');
  const held = split !== undefined && split < 1
    ? `
    train_size = max(1, math.floor(len(x) * ${py(split)}))  # split=${split}: the shuffled tail is the validation set
    return x[:train_size], y[:train_size], x[train_size:], y[train_size:], None`
    : `
    return x, y, [], [], None`;
  return `${generatorPy(data.generator)}
${GENERATED_PY}

def load_data():
    """(train_x, train_y, validation_x, validation_y, class_labels): \`data ${data.generator} n=${data.n} noise=${data.noise} seed=${data.seed}\`."""
    random = Mulberry32.for_data(${data.seed})
    rows, targets = ${data.generator}(${data.n}, ${py(data.noise)}, random${options})
    x, y = generated(rows, targets, random)${held}`;
}

/**
 * The fused activations' functions, from each kind's own PyTorch module (src/kinds/activations/):
 * only the kinds this network fuses, and an unknown kind is a KeyError rather than a silent
 * identity.
 */
function activatePy(fused: readonly ActivationKind[]): string {
  const entries = fused.map((kind) => `    ${py(kind)}: lambda alpha: ${activationDef(kind).pytorch.replace('{alpha}', 'alpha')},`);
  return `ACTIVATIONS = {  # the activation fused into a Dense or convolution layer
${entries.join('\n')}
}


def activate(z, kind, alpha):
    return z if kind == "linear" else ACTIVATIONS[kind](alpha)(z)


${DENSE_PY}`;
}

const DENSE_PY = `class Dense(nn.Linear):
    """A .net \`dense\` layer with its activation fused in (\`dense 64 relu\`): its output, the
    one GradLens measures, is after the activation. \`gradlens_activation\` tells the
    gradlens_torch hooks which activation that is (for dead and saturated units)."""

    def __init__(self, in_features, out_features, activation, alpha=0.0, bias=True):
        super().__init__(in_features, out_features, bias=bias)
        self.gradlens_activation = activation
        self.alpha = alpha

    def forward(self, x):
        return activate(super().forward(x), self.gradlens_activation, self.alpha)`;

const CONV_PY = `class Conv2d(nn.Conv2d):
    """A .net \`conv2d\` on images [N, C, H, W], its activation fused in as for Dense."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, activation, alpha=0.0, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias)
        self.gradlens_activation = activation
        self.alpha = alpha

    def forward(self, x):
        return activate(super().forward(x), self.gradlens_activation, self.alpha)


class Conv1d(nn.Conv1d):
    """A .net \`conv1d\` on sequences [N, T, F]: the features are the channels, so it runs
    on [N, F, T] and gives back [N, T', OUT]."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, activation, alpha=0.0, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias)
        self.gradlens_activation = activation
        self.alpha = alpha

    def forward(self, x):
        return activate(super().forward(x.transpose(1, 2)), self.gradlens_activation, self.alpha).transpose(1, 2)`;

const RECURRENT_PY = `class LastOrAll:
    """A .net recurrent layer: one batch-first layer from h0 = 0; sequences=true gives every
    hidden state [N, T, H], false the last one [N, H]."""

    def __init__(self, input_size, hidden_size, sequences, bias=True):
        super().__init__(input_size, hidden_size, bias=bias, batch_first=True)
        self.sequences = sequences

    def forward(self, x):
        out, _ = super().forward(x)
        return out if self.sequences else out[:, -1]


class RNN(LastOrAll, nn.RNN):
    pass


class LSTM(LastOrAll, nn.LSTM):
    pass


class GRU(LastOrAll, nn.GRU):
    pass`;

function modelClass(spec: NetworkSpec, className: string): string {
  const declare: string[] = [];
  const init: string[] = [];
  for (const leaf of spec.leaves) {
    const name = moduleName(leaf.name);
    const kind = kindOf(leaf);
    declare.push(`        self.${name} = ${kind.pytorch.module(leaf, py)}  # line ${leaf.line + 1}`);
    const weights = kind.pytorch.weights?.(leaf);
    if (!weights) continue;
    for (const attribute of weights.attributes) init.push(`        ${initCall(`self.${name}.${attribute}`, weights.init)}`);
    if (weights.zeroBias) init.push(`        nn.init.zeros_(self.${name}.bias)`);
  }
  const forward: string[] = [];
  forwardLines(spec.layers, 0, forward);
  return `class ${className}(nn.Module):
    """The .net network: one submodule per layer, named as in the file."""

    def __init__(self):
        super().__init__()
${declare.join('\n')}
        # The .net inits (GradLens draws them from its own generator: same distributions,
        # other numbers; --weights starts from GradLens's numbers). Biases start at zero.
${init.length > 0 ? init.join('\n') : '        pass'}

    def forward(self, x):
${forward.join('\n')}
        return x`;
}

function forwardLines(nodes: readonly LayerNode[], depth: number, out: string[]): void {
  const indent = '        ';
  for (const node of nodes) {
    if (node.kind === 'residual') {
      const skip = depth === 0 ? 'skip' : `skip${depth + 1}`;
      out.push(`${indent}${skip} = x  # ${node.name} (line ${node.line + 1}): x + body(x)`);
      forwardLines(node.body, depth + 1, out);
      out.push(`${indent}x = ${skip} + x`);
    } else {
      out.push(`${indent}x = self.${moduleName(node.name)}(x)`);
    }
  }
}

function initCall(weight: string, init: InitSpec): string {
  switch (init.kind) {
    case 'he':
      return `nn.init.kaiming_normal_(${weight}, nonlinearity="relu")  # he: N(0, 2/fan_in)`;
    case 'xavier':
      return `nn.init.xavier_uniform_(${weight})  # xavier: U(-a, a), a = sqrt(6/(fan_in + fan_out))`;
    case 'lecun':
      return `nn.init.kaiming_normal_(${weight}, nonlinearity="linear")  # lecun: N(0, 1/fan_in)`;
    case 'normal':
      return `nn.init.normal_(${weight}, mean=${py(init.mean)}, std=${py(init.std)})`;
    case 'uniform':
      return `nn.init.uniform_(${weight}, a=${py(init.low)}, b=${py(init.high)})`;
    case 'zeros':
      return `nn.init.zeros_(${weight})`;
    case 'ones':
      return `nn.init.ones_(${weight})`;
  }
}

/** The loss and how a batch's targets meet it (class indices, 0/1 columns, one-hot, values). */
function lossSection(spec: NetworkSpec): string {
  const loss = spec.loss;
  const width = spec.leaves[spec.leaves.length - 1]?.outputWidth ?? spec.inputWidth;
  const criterion =
    loss.kind === 'mse' ? 'nn.MSELoss()'
      : loss.kind === 'mae' ? 'nn.L1Loss()'
        : loss.kind === 'huber' ? `nn.HuberLoss(delta=${py(loss.delta)})`
          : loss.kind === 'bce' ? 'nn.BCELoss()'
            : 'nn.CrossEntropyLoss()';
  let targets: string;
  if (loss.kind === 'cross_entropy') {
    targets = '    return torch.tensor(y, dtype=torch.long)  # class indices';
  } else if (spec.dataShape.task === 'classes' && width > 1) {
    targets = `    return F.one_hot(torch.tensor(y, dtype=torch.long), ${width}).float()  # one output per class`;
  } else {
    targets = `    return torch.tensor(y, dtype=torch.float32).reshape(-1, 1).expand(-1, ${width}).contiguous()`;
  }
  return `LOSS = ${criterion}  # loss ${loss.kind}


def targets(y):
    """The loss's targets for a list of labels or values."""
${targets}`;
}

function optimizerSection(spec: NetworkSpec): string {
  const o = spec.optimizer;
  const call =
    o.kind === 'sgd'
      ? `torch.optim.SGD(params, lr=${py(o.lr)}, momentum=${py(o.momentum)}, nesterov=${py(o.nesterov)}, weight_decay=${py(o.weightDecay)})`
      : o.kind === 'adam'
        ? `torch.optim.Adam(params, lr=${py(o.lr)}, betas=(${py(o.beta1)}, ${py(o.beta2)}), eps=${py(o.eps)}, weight_decay=${py(o.weightDecay)})`
        : `torch.optim.RMSprop(params, lr=${py(o.lr)}, alpha=${py(o.decay)}, eps=${py(o.eps)}, weight_decay=${py(o.weightDecay)})`;
  return `CLIP = ${o.clip === undefined ? 'None' : py(o.clip)}  # global gradient norm limit (clip=)
OPTIMIZER_LINE = ${spec.optimizerStatement ? spec.optimizerStatement.line : 'None'}  # 0-based line of the .net optimizer statement (--gradlens)


def make_optimizer(params):
    return ${call}`;
}

function weightsSection(weightsPath: string | undefined): string {
  return `# .net parameter names -> PyTorch's; W is [in, out] in GradLens, weight is [out, in] here.
# Convolution and recurrent weights have PyTorch's layout in GradLens already.
PARAMETERS = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias",
              "W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}
${weightsPath !== undefined
    ? `WEIGHTS_PATH = ${py(weightsPath)}  # the .net file's \`weights\` statement, relative to this file`
    : 'WEIGHTS_PATH = None  # the .net file starts from its inits (no `weights` statement)'}


def load_gradlens_weights(model, path, strict=True):
    """Copy the weights of \`gradlens grads FILE.net --json\` into the model. Not strict (the
    .net file's own \`weights\` statement, as GradLens reads it): a tensor that does not fit
    is a warning and keeps its init."""
    report = json.loads(Path(path).read_text())
    modules = {layer: getattr(model, module) for module, (layer, _line) in NET_LAYERS.items()}

    def refuse(message):
        if strict:
            sys.exit(message)
        print(f"warning: {message}; it keeps its init", file=sys.stderr)

    for layer in report["layers"]:
        for param in layer["params"]:
            if layer["name"] not in modules or param["name"] not in PARAMETERS:
                refuse(f"{path}: {layer['name']}.{param['name']} is not in this network")
                continue
            value = torch.tensor(param["value"], dtype=torch.float32)
            target = getattr(modules[layer["name"]], PARAMETERS[param["name"]], None)
            shape = list(reversed(param["shape"])) if param["name"] == "W" and len(param["shape"]) == 2 else param["shape"]
            if target is None or list(target.shape) != shape or value.numel() != target.numel():
                refuse(f"{path}: {layer['name']}.{param['name']} has shape {param['shape']}, expected {list(target.shape) if target is not None else 'none'}")
                continue
            value = value.reshape(param["shape"])
            if param["name"] == "W" and value.dim() == 2:
                value = value.t()
            with torch.no_grad():
                target.copy_(value)`;
}

function trainingSection(className: string): string {
  return `def import_gradlens_torch():
    try:
        import gradlens_torch
    except ImportError:
        if GRADLENS_PYTHON is None:
            raise
        sys.path.insert(0, GRADLENS_PYTHON)
        import gradlens_torch
    return gradlens_torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="train this many optimizer steps")
    parser.add_argument("--weights", help="start from the weights in \`gradlens grads FILE.net --json\` output")
    parser.add_argument("--gradlens", metavar="RUN.jsonl", help="write a GradLens run log of the training")
    args = parser.parse_args()
    if args.steps is not None and args.steps < 0:
        parser.error("--steps must be 0 or more")

    torch.manual_seed(SEED)
    train_x, train_y, val_x, val_y, _labels = load_data()
    x_all = torch.tensor(train_x, dtype=torch.float32).reshape(-1, *INPUT_SHAPE)
    y_all = targets(train_y)
    n = len(train_x)
    model = ${className}()
    if args.weights:
        load_gradlens_weights(model, args.weights)
    elif WEIGHTS_PATH is not None:
        load_gradlens_weights(model, HERE / WEIGHTS_PATH, strict=False)
    optimizer = make_optimizer(model.parameters())

    # Each epoch shuffles the training examples with the train seed and takes consecutive
    # slices of BATCH, the last short one kept: GradLens's schedule, example for example.
    batch = min(BATCH, n)
    steps_per_epoch = math.ceil(n / batch)
    total = args.steps if args.steps is not None else STEPS if STEPS is not None else EPOCHS * steps_per_epoch
    shuffle_random = Mulberry32.for_training(SEED, stream=2)
    order, position, epoch = [], n, 0

    def next_batch():
        nonlocal order, position, epoch
        if position >= n:
            epoch += 1
            order = shuffled(n, shuffle_random)
            position = 0
        rows = order[position:position + batch]
        position += len(rows)
        index = torch.tensor(rows, dtype=torch.long)
        return x_all[index], y_all[index], position >= n

    watch = None
    if args.gradlens:
        watch = import_gradlens_torch().watch(
            model, args.gradlens, source=str((HERE / SOURCE).resolve()),
            lines={module: line for module, (_layer, line) in NET_LAYERS.items()},
            model_name=${JSON.stringify(className)}, task=TASK, loss=type(LOSS).__name__, total_steps=total,
            optimizer=optimizer, clip=CLIP, optimizer_line=OPTIMIZER_LINE)

    epoch_loss, epoch_rows = 0.0, 0
    for step in range(1, total + 1):
        model.train()
        x, y, epoch_ends = next_batch()
        optimizer.zero_grad()
        loss = LOSS(model(x), y)
        loss.backward()
        if CLIP is not None:
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        if watch is not None:
            watch.step(loss, epoch=epoch)
        epoch_loss += loss.item() * len(x)
        epoch_rows += len(x)
        if epoch_ends or step == total:
            line = f"epoch {epoch}  loss {epoch_loss / epoch_rows:.6g}"
            if epoch_ends and val_x:
                model.eval()
                with torch.no_grad():
                    val_loss = LOSS(model(torch.tensor(val_x, dtype=torch.float32).reshape(-1, *INPUT_SHAPE)), targets(val_y)).item()
                line += f"  val_loss {val_loss:.6g}"
            print(line, flush=True)
            epoch_loss, epoch_rows = 0.0, 0
    if watch is not None:
        watch.close()

    # The training loss at the final weights, on the next batch of the schedule, in
    # training mode: what \`gradlens grads FILE.net --json --after N\` reports.
    model.train()
    x, y, _ = next_batch()
    with torch.no_grad():
        final = LOSS(model(x), y).item()
    print(f"loss={final!r}")


if __name__ == "__main__":
    main()
`;
}

function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+|_/).filter((w) => w !== '');
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  // Never the name of a helper the file defines.
  return !/^[A-Za-z_]/.test(joined) || ['Dense', 'Mulberry32', 'Conv2d', 'Conv1d', 'LastOrAll', 'RNN', 'LSTM', 'GRU'].includes(joined) ? `Net${joined}` : joined;
}
