// What a training run reports, per step and per layer. Plain data that flows out of the
// engine (worker → server → client → webview, and into the CLI and the analysis); the
// engine computes every number here, nothing downstream invents one.

import type { ParamName } from '../lang/spec';

/** Statistics of one parameter tensor at one step (gradients measured after backward, before clipping and the optimizer). */
export interface ParamStats {
  name: ParamName;
  /** L2 norm of the gradient. */
  gradNorm: number;
  /** Largest |g|. */
  gradMaxAbs: number;
  gradMean: number;
  gradStd: number;
  /** L2 norm of the weights before the update. */
  weightNorm: number;
  /** ‖ΔW‖ / ‖W‖ of this step's actual update (0 when ‖W‖ is 0). */
  updateRatio: number;
}

/** Statistics of one leaf layer at one step. */
export interface LayerStats {
  /** Leaf index in network order (NetworkSpec.leaves). */
  index: number;
  /** L2 norm over all the layer's parameter gradients (0 for layers without parameters). */
  gradNorm: number;
  /** RMS of the layer's parameter gradients: gradNorm / sqrt(param count) (0 without parameters). */
  gradRms: number;
  /** L2 norm of ∂loss/∂(layer output), over the batch. */
  outGradNorm: number;
  /** L2 norm of ∂loss/∂(layer input), over the batch; outGradNorm/inGradNorm gives the backward gain. */
  inGradNorm: number;
  /** Statistics of the layer's output (after its fused activation) over the batch. */
  outMean: number;
  outStd: number;
  /** Fraction of output units that are exactly 0 for every example of the batch (dead ReLU units); a convolution's units are its channels (0 at every position). */
  deadFraction: number;
  /** Fraction of unit-activations whose local derivative is below 6% of its maximum (sigmoid/tanh; 0 otherwise). */
  saturatedFraction: number;
  /**
   * Recurrent layers: ‖∂loss/∂h_t‖ over the batch for t = 1…T (index t − 1), the gradient
   * reaching each time step's hidden state (through-time vanishing and exploding).
   */
  timeGradNorms?: number[];
  params: ParamStats[];
}

export interface StepFrame {
  /** 1-based step number. */
  step: number;
  /** 1-based epoch number. */
  epoch: number;
  loss: number;
  /** Classification tasks: accuracy of this batch. */
  accuracy?: number;
  /** When the data has a validation split: loss and accuracy on it, at the end of an epoch. */
  valLoss?: number;
  valAccuracy?: number;
  layers: LayerStats[];
}

export interface Histogram {
  step: number;
  /** Leaf index. */
  layer: number;
  of: 'gradient' | 'activation';
  min: number;
  max: number;
  /** Equal-width bins between min and max. */
  counts: number[];
}

/** The first non-finite value of a diverging run, in tape order. */
export interface NonFiniteReport {
  step: number;
  phase: 'forward' | 'backward' | 'update';
  /** The op that produced it, e.g. `matmul`, `sigmoid`, `cross_entropy`, `adam`. */
  op: string;
  /** Leaf index, name and 0-based line of the layer the op belongs to (undefined for the loss). */
  layer?: number;
  layerName?: string;
  line?: number;
  message: string;
}

/** Copies made so far, by the frame copied: a run's history and its analysis keep the same steps, and then share one copy. */
const copies = new WeakMap<StepFrame, StepFrame>();

/** A copy of a frame, for keeping beyond its step (see Decimator's `keep`); the same copy for the same frame. */
export function copyFrame(frame: StepFrame): StepFrame {
  let copy = copies.get(frame);
  if (copy === undefined) {
    copy = { ...frame, layers: frame.layers.map((layer) => ({ ...layer, params: layer.params.map((p) => ({ ...p })) })) };
    copies.set(frame, copy);
  }
  return copy;
}

/** Frames a run's result keeps at most (plus its last): every frame of shorter runs. */
export const HISTORY_FRAMES = 1024;
/** Recorded histogram steps a run's result keeps at most (each has two histograms per layer). */
export const HISTORY_HISTOGRAM_STEPS = 256;

export type RunEndReason = 'done' | 'cancelled' | 'diverged' | 'error';

export interface RunResult {
  reason: RunEndReason;
  /** Steps taken (frames produced). */
  steps: number;
  /**
   * The run's frame history: every frame of a run of up to HISTORY_FRAMES steps; of a longer
   * one, an evenly spaced subset (decimate.ts) from the first step, plus the last. A run keeps
   * O(layers × HISTORY_FRAMES) whatever its length; consumers that need every step (the
   * analysis, a run log) read them as they happen through train's `onFrame`.
   */
  frames: StepFrame[];
  /** Histograms of the recorded steps, decimated like the frames (all of them up to HISTORY_HISTOGRAM_STEPS recorded steps). */
  histograms: Histogram[];
  /** Loss before any update, on the first batch (for the initialisation checks). */
  initialLoss: number;
  nonFinite?: NonFiniteReport;
  /** For `error`: what went wrong, in the user's words. */
  message?: string;
}
