// The text of `gradlens --help` and `gradlens COMMAND --help`.

export const USAGE = `gradlens — gradient debugging for small neural networks in .net files

Usage:
  gradlens inspect FILE [--steps N] [--json] [--fail-on FLAGS] [--weights PATH] [--jsonl RUN.jsonl]
  gradlens grads FILE [--json] [--after N] [--dtype float32|float64] [--weights PATH]
  gradlens gradcheck FILE [--json] [--weights PATH]
  gradlens export FILE --to pytorch -o OUT.py
  gradlens analyze RUN.jsonl [--json] [--fail-on FLAGS]
  gradlens --help | --version

Commands:
  inspect   train the network and report each layer's gradient health
  grads     print the exact weights and gradients of one training batch
  gradcheck compare every gradient with finite differences (float64, first batch)
  export    write the network as a runnable PyTorch training script
  analyze   report the gradient health of a run log (a watched PyTorch run)

Run 'gradlens COMMAND --help' for a command's options.
Exit codes: 0 healthy, 1 a flag named by --fail-on was raised (or the run diverged;
gradcheck: a gradient is suspect or wrong), 2 the file has errors or the command line is wrong.`;

export const INSPECT_HELP = `gradlens inspect FILE [--steps N] [--json] [--fail-on FLAGS] [--weights PATH] [--jsonl RUN.jsonl]

Checks FILE, loads its data, trains it as its 'train' statement says and prints a table
per layer: output shape, parameter count, the gradient norm ‖∇W‖ at the first step, the
median over the run and the last step, the median update-to-weight ratio ‖ΔW‖/‖W‖ of its
first parameter, and the gradient-health flags raised; then the loss curve and each flag
with its evidence. Every step is analysed; medians and the curve read the run's history
(every step of runs up to 1024 steps, an evenly spaced subset of longer ones).

Options:
  --steps N        train N steps instead of the file's epochs/steps
  --json           print the run as JSON on stdout (spec summary, every finding, and the
                   run's history of frames and histograms: its size does not grow with steps)
  --jsonl RUN.jsonl
                   also write every step to RUN.jsonl as it happens, in the run log format
                   (one JSON record per line: header, step, histogram, nonfinite, end)
  --fail-on FLAGS  exit with 1 when any of these flags is raised, for CI; a comma-separated
                   list of vanishing, exploding, nan, dead, saturated, update-low,
                   update-high, loss, or full codes (vanishing-gradient, initial-loss, …)
  --weights PATH   start from the weights in PATH (the layout grads --json prints) instead
                   of the init; overrides the file's 'weights' statement

Without --fail-on, the exit code is 1 only when the run diverges (NaN or Inf).`;

export const GRADS_HELP = `gradlens grads FILE [--json] [--after N] [--dtype float32|float64] [--weights PATH]

At initialisation, on the first training batch of the first epoch, runs one forward and
backward pass in training mode and prints the loss, the batch, and every parameter's
values and gradients (row-major; dense W is [in, out], conv2d W [OUT, C, K, K], recurrent
W_ih [G·H, F] as PyTorch).

Options:
  --json           print {"loss", "inputShape", "batch": {"x", "y"}, "layers": [{"name",
                   "kind", "activation", "line", "params": [{"name", "shape", "value",
                   "grad"}]}]}; each example of batch.x nested in the input shape
  --after N        first train N steps (the file's optimizer, batches and seed), then
                   report the weights and the gradients on the next batch
  --dtype float64  compute in double precision (default float32, as training does)
  --weights PATH   start from the weights in PATH (the layout grads --json prints) instead
                   of the init; overrides the file's 'weights' statement`;


export const GRADCHECK_HELP = `gradlens gradcheck FILE [--json] [--weights PATH]

Checks that the gradients GradLens computes are the derivatives of the loss: for every
parameter tensor, backward against central finite differences (L(θ+h) − L(θ−h))/2h in
float64 (h = 1e-5; Ridders' extrapolation where the loss curves strongly on that scale), on
the first training batch at the file's initial weights (or its 'weights' file). Prints per
tensor the relative error ‖analytic − numeric‖/max(‖analytic‖, ‖numeric‖), its band
(CS231n: good < 1e-7 ≤ acceptable < 1e-4 ≤ suspect < 1e-2 ≤ wrong) and the worst entry.
Entries whose ±h step crosses a kink (ReLU at 0, MAE at output = target) are counted and
left out. Large tensors are checked on a seeded sample (the table says how many entries).

Options:
  --json           print {"file", "loss", "rows", "h", "band", "entries", "checked", "kinked",
                   "tensors": [{"layer", "param", "line", "shape", "count", "checked", "kinked",
                   "relError", "noise", "band", "worst": {"index", "analytic", "numeric", "relError"},
                   "kinks": [{"layer", "line", "kink", "entries"}]}]}
  --weights PATH   start from the weights in PATH (the layout grads --json prints) instead
                   of the init; overrides the file's 'weights' statement

Exit code 1 when a tensor is suspect or wrong, 0 otherwise.`;
export const EXPORT_HELP = `gradlens export FILE --to pytorch -o OUT.py

Writes FILE as one runnable PyTorch script: an nn.Module whose submodules carry the
layer names of FILE, the same inits, data (the generators ported, or the CSV read with
the same split and standardisation), loss, optimizer, clipping, epochs and batches.
'python3 OUT.py' trains and prints the loss per epoch; its last line, loss=<value>, is the
training loss at the final weights. OUT.py takes --steps N, --weights W.json (the
weights of 'gradlens grads FILE --json') and --gradlens RUN.jsonl (a run log for
'gradlens analyze'). Details: docs/pytorch.md.

Options:
  --to pytorch     the target (the only one)
  -o, --output OUT.py   the file to write`;


export const ANALYZE_HELP = `gradlens analyze RUN.jsonl [--json] [--fail-on FLAGS]

Reads a run log — a PyTorch run watched by gradlens_torch (python/gradlens_torch), or the
engine's own — and reports the same gradient-health analysis as 'inspect': a table per
layer (the module's name, its kind, its .net line for an exported network, ‖∇‖ first,
median and last) and each flag with its evidence. A log without an end record is a run
still going: what it has so far is analysed. Details: docs/pytorch.md.

Options:
  --json           print the report as JSON, shaped like 'inspect --json' (at most 500
                   frames, evenly spaced)
  --fail-on FLAGS  exit with 1 when any of these flags is raised (as for inspect)

Exit codes as inspect: 0 healthy, 1 a --fail-on flag (or a non-finite run), 2 an unreadable
or invalid run log (file:line: runlog-invalid: …).`;
