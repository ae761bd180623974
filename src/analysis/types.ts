// Findings of the gradient-health analysis: telemetry in (engine RunResult + NetworkSpec),
// findings out. The server turns them into diagnostics, hovers and code actions; the CLI
// into table flags and exit codes; the webview into badges. One analysis for probe and run.

import type { FixSuggestion } from '../lang/rewrites';
import type { FindingCode } from '../protocol/lsp';

export { FINDING_CODES, type FindingCode } from '../protocol/lsp';

export interface LayerFinding {
  code: FindingCode;
  severity: 'error' | 'warning' | 'information';
  /** Leaf index of the flagged layer; undefined for network-wide findings (loss). */
  layer?: number;
  /** 0-based line the diagnostic goes on. */
  line: number;
  /** One line, with the evidence numbers, e.g. `‖∇W‖ RMS 3.1e-9, 1e-7× the largest layer's`. */
  message: string;
  /** A sentence or two on why this matters and what usually fixes it (hover, webview). */
  explanation: string;
  /** The numbers behind the message, by name (for tests, hovers, JSON output). */
  evidence: Record<string, number>;
  /** Where the cause lives when it is elsewhere (an init, an activation upstream). */
  related?: { line: number; message: string }[];
  fixes: FixSuggestion[];
}

export interface AnalysisInput {
  mode: 'probe' | 'run';
}
