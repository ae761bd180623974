// Findings of the gradient-health analysis: telemetry in (engine RunResult + NetworkSpec),
// findings out. The server turns them into diagnostics, hovers and code actions; the CLI
// into table flags and exit codes; the webview into badges. One analysis for probe and run.

import type { FixSuggestion } from '../lang/rewrites';

export type FindingCode =
  | 'vanishing-gradient'
  | 'exploding-gradient'
  | 'nonfinite-gradient'
  | 'dead-relu'
  | 'saturated-activation'
  | 'update-ratio-low'
  | 'update-ratio-high'
  | 'loss-not-decreasing'
  /** Initialisation check: initial loss far from its expected value (Information). */
  | 'initial-loss'
  /** Initialisation check: product of backward gains leaves [0.5, 2] (Information). */
  | 'backward-gain';

export const FINDING_CODES: readonly FindingCode[] = [
  'vanishing-gradient',
  'exploding-gradient',
  'nonfinite-gradient',
  'dead-relu',
  'saturated-activation',
  'update-ratio-low',
  'update-ratio-high',
  'loss-not-decreasing',
  'initial-loss',
  'backward-gain',
];

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
