// Synthetic telemetry for tests that need sizes no real example reaches (100,000 steps ×
// 100 layers) or exact values: layer i's gradient norm is 10^-(depth-i)/2 with a small
// deterministic wobble, so the first layers look like a vanishing-gradient network.

import type { LayerFrame, TelemetryFrame } from '../../src/protocol/lsp';
import type { RunStart, ToWebview } from '../../src/protocol/webview';

export function syntheticRun(layers: number, totalSteps: number, runId = 'synthetic-1', uri = 'file:///work/synthetic.net'): RunStart {
  return {
    runId,
    uri,
    fileName: 'synthetic.net',
    model: 'synthetic',
    totalSteps,
    layers: Array.from({ length: layers }, (_, i) => ({
      index: i,
      name: `dense${i + 1}`,
      kind: 'dense',
      activation: 'sigmoid',
      line: 3 + i,
      outputShape: [64, 32],
      paramCount: 32 * 32 + 32,
      params: [
        { name: 'W', shape: [32, 32] },
        { name: 'b', shape: [32] },
      ],
    })),
  };
}

export function syntheticGradNorm(layer: number, layers: number, step: number): number {
  return 10 ** (-(layers - layer) / 2) * (1 + 0.3 * Math.sin(step / 7 + layer));
}

export function syntheticFrame(step: number, layers: number, withHistograms = false): TelemetryFrame {
  const layerFrames: LayerFrame[] = Array.from({ length: layers }, (_, i) => ({
    name: `dense${i + 1}`,
    line: 3 + i,
    gradNorm: syntheticGradNorm(i, layers, step),
    updateRatio: 1e-3 * 10 ** (-(layers - i) / 4),
    findings: i < layers / 3 ? ['vanishing-gradient'] : [],
  }));
  return {
    step,
    loss: 0.7 * Math.exp(-step / 2000) + 0.05,
    accuracy: Math.min(1, 0.5 + step / 4000),
    ...(step % 50 === 0 ? { valLoss: 0.72 * Math.exp(-step / 2000) + 0.06, valAccuracy: Math.min(1, 0.48 + step / 4000) } : {}),
    layers: layerFrames,
    ...(withHistograms
      ? {
          histograms: [0, layers - 1].flatMap((layer) => [
            { layer, of: 'gradient' as const, min: -1e-3, max: 1e-3, counts: Array.from({ length: 30 }, (_, k) => Math.round(400 * Math.exp(-((k - 15) ** 2) / 20))) },
            { layer, of: 'activation' as const, min: 0, max: 1, counts: Array.from({ length: 30 }, (_, k) => Math.round(100 + 300 * Math.abs(Math.sin(k / 5)))) },
          ]),
        }
      : {}),
  };
}

/** runStarted, then frames in batches of `batch` steps. */
export function syntheticMessages(layers: number, steps: number, batch: number): ToWebview[] {
  const run = syntheticRun(layers, steps);
  const messages: ToWebview[] = [{ type: 'runStarted', run }];
  for (let s = 1; s <= steps; s += batch) {
    const frames: TelemetryFrame[] = [];
    for (let k = s; k < s + batch && k <= steps; k++) frames.push(syntheticFrame(k, layers, k % 20 === 0));
    messages.push({ type: 'frames', runId: run.runId, frames });
  }
  return messages;
}
