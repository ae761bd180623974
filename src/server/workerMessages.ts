// Messages between the language server's main thread and its worker threads (the
// persistent probe worker and one worker per training run). Internal to the server:
// both ends are bundled from this tree, so plain types suffice; everything here is
// structured-cloneable.

import type { LayerFinding } from '../analysis/types';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { NonFiniteReport, RunEndReason, StepFrame } from '../engine/telemetry';
import type { TelemetryFrame } from '../protocol/lsp';
import type { GradCheckReport } from '../engine/gradcheck';

/** The largest-magnitude gradient entries of one parameter tensor. */
export interface TopEntry {
  /** Indices into the tensor's shape, e.g. [3, 17] for W[3,17]. */
  at: number[];
  value: number;
}

/** Exact gradients at initialisation, as `gradlens grads FILE --json` reports them. */
export interface InitialGradients {
  loss: number;
  layers: { index: number; params: { name: string; shape: number[]; gradNorm: number; top: TopEntry[] }[] }[];
}

/** What the hover, inlay hints, code lens and diagnostics know from training a text. */
export interface Evidence {
  source: 'probe' | 'run';
  /** Steps trained. */
  steps: number;
  /** Frames over the steps (downsampled for runs), always including the last. */
  frames: StepFrame[];
  findings: LayerFinding[];
  initialLoss: number;
  initialGradients?: InitialGradients;
}

export type ToWorker =
  | { type: 'probe'; job: number; spec: NetworkSpec; steps: number; thresholds: Thresholds; cancel: SharedArrayBuffer }
  | {
      type: 'train';
      spec: NetworkSpec;
      steps?: number;
      thresholds: Thresholds;
      histogramEvery: number;
      /** Minimum time between two batches of frames posted back. */
      flushMs: number;
      cancel: SharedArrayBuffer;
    }
  | { type: 'gradcheck'; spec: NetworkSpec };

export type FromWorker =
  | { type: 'probeDone'; job: number; evidence: Evidence }
  | { type: 'probeCancelled'; job: number }
  /** The probe's data is loaded; the training steps start (the probe's own time limit starts here). */
  | { type: 'probeData'; job: number }
  | { type: 'probeFailed'; job: number; message: string }
  | { type: 'frames'; frames: TelemetryFrame[] }
  | { type: 'gradcheckDone'; report: GradCheckReport }
  | { type: 'gradcheckFailed'; message: string }
  | {
      type: 'runDone';
      reason: RunEndReason;
      message?: string;
      nonFinite?: NonFiniteReport;
      evidence: Evidence;
    };
