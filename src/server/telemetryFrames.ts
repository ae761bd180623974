// Engine frames → protocol frames (`gradlens/telemetry`). JSON cannot carry NaN or ∞ and
// the protocol's numbers are finite, so a frame whose loss or a layer's gradient norm is
// not finite is left out (the run's end reports the divergence with its layer and line),
// and optional statistics that are not finite are omitted.

import type { LayerFinding } from '../analysis/types';
import type { NetworkSpec } from '../lang/spec';
import { activationOf, layerLabel, outputShapeOf } from '../kinds';
import type { StepFrame } from '../engine/telemetry';
import { isLayerFinding, type FindingCode, type FindingInfo, type LayerInfo, type TelemetryFrame } from '../protocol/lsp';

/** Finding codes per leaf index, from the analysis's findings. */
export function findingsByLayer(findings: readonly LayerFinding[]): Map<number, FindingCode[]> {
  const byLayer = new Map<number, FindingCode[]>();
  for (const finding of findings) {
    if (finding.layer === undefined || !isLayerFinding(finding.code)) continue;
    const codes = byLayer.get(finding.layer) ?? [];
    if (!codes.includes(finding.code)) codes.push(finding.code);
    byLayer.set(finding.layer, codes);
  }
  return byLayer;
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Drops keys whose value is undefined, so the JSON stays small and schema-valid. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

export function toTelemetryFrame(frame: StepFrame, spec: NetworkSpec, findings: Map<number, FindingCode[]>): TelemetryFrame | undefined {
  if (!Number.isFinite(frame.loss) || frame.layers.some((l) => !Number.isFinite(l.gradNorm))) return undefined;
  return compact({
    step: frame.step,
    epoch: frame.epoch,
    loss: frame.loss,
    accuracy: finite(frame.accuracy),
    valLoss: finite(frame.valLoss),
    valAccuracy: finite(frame.valAccuracy),
    layers: frame.layers.map((layer) => {
      const leaf = spec.leaves[layer.index];
      const ratios = layer.params.map((p) => p.updateRatio).filter((r) => Number.isFinite(r));
      return compact({
        name: leaf?.name ?? `layer${layer.index}`,
        line: leaf?.line ?? 0,
        gradNorm: layer.gradNorm,
        findings: findings.get(layer.index) ?? [],
        gradRms: finite(layer.gradRms),
        updateRatio: ratios.length > 0 ? Math.max(...ratios) : undefined,
        outMean: finite(layer.outMean),
        outStd: finite(layer.outStd),
        deadFraction: finite(layer.deadFraction),
        saturatedFraction: finite(layer.saturatedFraction),
        timeGradNorms: layer.timeGradNorms?.every(Number.isFinite) ? layer.timeGradNorms.slice() : undefined,
        params: layer.params.every((p) => [p.gradNorm, p.gradMaxAbs, p.gradMean, p.gradStd, p.weightNorm, p.updateRatio].every(Number.isFinite))
          ? layer.params.map((p) => ({ ...p }))
          : undefined,
      });
    }),
  });
}

export function findingInfo(finding: LayerFinding): FindingInfo {
  return compact({
    code: finding.code,
    layer: finding.layer,
    line: finding.line,
    severity: finding.severity,
    message: finding.message,
    explanation: finding.explanation,
  });
}

/** The static description of each leaf layer that a run's client needs once. */
export function layerInfos(spec: NetworkSpec): LayerInfo[] {
  return spec.leaves.map((leaf) =>
    compact({
      index: leaf.index,
      name: leaf.name,
      kind: leaf.kind,
      activation: activationOf(leaf),
      label: layerLabel(leaf),
      line: leaf.line,
      outputShape: [spec.train.batch, ...outputShapeOf(leaf)],
      paramCount: leaf.params.reduce((sum, p) => sum + p.count, 0),
      params: leaf.params.map((p) => ({ name: p.name, shape: [...p.shape] })),
    }),
  );
}

/** Steps a run will take: `steps` (request or `train steps=`) or epochs × batches per epoch. */
export function totalSteps(spec: NetworkSpec, steps?: number): number {
  if (steps !== undefined) return steps;
  if (spec.train.steps !== undefined) return spec.train.steps;
  return spec.train.epochs * Math.ceil(spec.dataShape.trainSize / Math.max(1, spec.train.batch));
}
