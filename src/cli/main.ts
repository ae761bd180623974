// `gradlens`: the terminal adapter over the same checker, engine and analysis the
// language server runs. Exit codes: 0 healthy, 1 a --fail-on flag (or divergence),
// 2 errors in the file or on the command line.

import { version } from '../../package.json';
import { parseCommand, UsageError, type Command } from './args';
import { grads } from './grads';
import { GRADS_HELP, INSPECT_HELP, USAGE } from './help';
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
      out.stdout(command.topic === 'inspect' ? INSPECT_HELP : command.topic === 'grads' ? GRADS_HELP : USAGE);
      return 0;
    case 'version':
      out.stdout(version);
      return 0;
    case 'inspect':
      return inspect(command, out);
    case 'grads':
      return grads(command, out);
  }
}

const out: Output = {
  stdout: (text) => process.stdout.write(text + '\n'),
  stderr: (text) => process.stderr.write(text + '\n'),
  stderrIsTerminal: process.stderr.isTTY === true,
};

try {
  // exitCode rather than exit(): let a large JSON report finish writing to a pipe.
  process.exitCode = run(process.argv.slice(2), out);
} catch (error) {
  // A bug in GradLens, not in the user's file: say so in one line, keep the trace for a report.
  out.stderr(`gradlens: internal error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.GRADLENS_DEBUG) out.stderr(error instanceof Error ? (error.stack ?? '') : '');
  process.exitCode = 3;
}
