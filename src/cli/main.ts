// `gradlens`: the terminal adapter over the same checker, engine and analysis the
// language server runs. Exit codes: 0 healthy, 1 a --fail-on flag (or divergence),
// 2 errors in the file or on the command line (or output that cannot be written).

import { writeSync } from 'node:fs';
import { version } from '../../package.json';
import { parseCommand, UsageError, type Command } from './args';
import { analyzeCommand } from './analyze';
import { exportCommand } from './export';
import { grads } from './grads';
import { printable } from './format';
import { gradcheck } from './gradcheck';
import { ANALYZE_HELP, EXPORT_HELP, GRADCHECK_HELP, GRADS_HELP, INSPECT_HELP, USAGE } from './help';
import { inspect, type Output } from './inspect';

function run(argv: string[], out: Output): number {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.stderr(`gradlens: ${error.message}\nRun 'gradlens --help' for usage.`);
    return 2;
  }
  switch (command.kind) {
    case 'help':
      out.stdout(command.topic === 'inspect' ? INSPECT_HELP : command.topic === 'grads' ? GRADS_HELP : command.topic === 'gradcheck' ? GRADCHECK_HELP : command.topic === 'export' ? EXPORT_HELP : command.topic === 'analyze' ? ANALYZE_HELP : USAGE);
      return 0;
    case 'version':
      out.stdout(version);
      return 0;
    case 'inspect':
      return inspect(command, out);
    case 'grads':
      return grads(command, out);
    case 'gradcheck':
      return gradcheck(command, out);
    case 'export':
      return exportCommand(command, out);
    case 'analyze':
      return analyzeCommand(command, out);
  }
}

const out: Output = {
  stdout: (text) => process.stdout.write(printable(text) + '\n'),
  write: (text) => process.stdout.write(printable(text)),
  stderr: (text) => process.stderr.write(printable(text) + '\n'),
  stderrIsTerminal: process.stderr.isTTY === true,
};

/**
 * A write to stdout or stderr failed. A closed pipe (`gradlens … --json | head -c 10`)
 * means the reader has what it wanted: exit quietly with the run's code. Anything else
 * (a full disk, /dev/full) is one line and exit 2 — never a stack trace, and never 1,
 * which means a --fail-on flag.
 */
function outputFailed(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit();
  try {
    writeSync(2, `gradlens: cannot write the output: ${error.message}\n`);
  } catch {
    // stderr is the broken stream: the exit code is all that is left
  }
  process.exit(2);
}
process.stdout.on('error', outputFailed);
process.stderr.on('error', outputFailed);

try {
  // exitCode rather than exit(): let a large JSON report finish writing to a pipe.
  process.exitCode = run(process.argv.slice(2), out);
} catch (error) {
  // A bug in GradLens, not in the user's file: say so in one line, keep the trace for a report.
  out.stderr(`gradlens: internal error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.GRADLENS_DEBUG) out.stderr(error instanceof Error ? (error.stack ?? '') : '');
  process.exitCode = 3;
}
