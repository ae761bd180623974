// Breakpoints on layer lines and the two exception filters, checked once per step.
// A breakpoint belongs to the layers declared on its line (a `repeat` line declares all its
// copies). Without a condition it fires at a step where one of them has a gradient-health
// flag (the analysis of that step alone, timeline.ts); with one, where the condition holds
// for one of them — `gradNorm`, `updateRatio`… are that layer's, `step`, `loss`… the
// step's. A hit condition (`3`, `>= 3`, `% 10`) then says which of those hits stop.
// Filters: `nonfinite` stops at the step that produced a NaN or Inf, `flag` at a step where
// any layer has a flag it did not have the step before.

import type { LayerFinding } from '../analysis/types';
import type { LeafLayer, NetworkSpec } from '../lang/spec';
import { evaluate } from './evaluate';
import { parseExpression, type Expr } from './expression';
import type { StepRecord } from './history';
import type { StepView } from './state';

export const FILTER_NONFINITE = 'nonfinite';
export const FILTER_FLAG = 'flag';

export interface BreakpointRequest {
  /** 0-based line. */
  line: number;
  condition?: string;
  hitCondition?: string;
}

export interface Breakpoint {
  id: number;
  line: number;
  verified: boolean;
  /** Why the breakpoint cannot fire (not a layer line, a condition that does not parse). */
  message?: string;
  layers: LeafLayer[];
  condition?: Expr;
  conditionText?: string;
  hit?: HitCondition;
  hitText?: string;
  hits: number;
}

type HitCondition = { op: '==' | '>=' | '>' | '%'; count: number };

/** Why the run stopped at a step. */
export interface Stop {
  reason: 'breakpoint' | 'exception';
  description: string;
  /** The layer to put on top of the stack. */
  layer?: number;
  breakpointIds?: number[];
  /** For exceptions: the filter and the finding's text (exceptionInfo). */
  filter?: string;
  details?: string;
}

export class Breakpoints {
  private list: Breakpoint[] = [];
  private nextId = 1;
  filters = new Set<string>([FILTER_NONFINITE]);

  constructor(private readonly spec: NetworkSpec) {}

  /**
   * Replaces every breakpoint (the run has one source). A breakpoint the client sends again
   * unchanged (same line, condition and hit count) keeps its id and its hits: a client
   * resends the whole file's list whenever one of them changes.
   */
  set(requests: BreakpointRequest[]): Breakpoint[] {
    const kept = new Map(this.list.map((bp) => [key(bp.line, bp.conditionText, bp.hitText), bp]));
    this.list = requests.map((request) => {
      const same = kept.get(key(request.line, request.condition?.trim() || undefined, request.hitCondition?.trim() || undefined));
      return same ?? this.make(request);
    });
    return this.list;
  }

  private make(request: BreakpointRequest): Breakpoint {
    const layers = this.spec.leaves.filter((leaf) => leaf.line === request.line);
    const bp: Breakpoint = { id: this.nextId++, line: request.line, verified: true, layers, hits: 0 };
    if (layers.length === 0) {
      return { ...bp, verified: false, message: `line ${request.line + 1} declares no layer: put the breakpoint on a layer's line` };
    }
    const conditionText = request.condition?.trim();
    if (conditionText) {
      const parsed = parseExpression(conditionText);
      if (!parsed.ok) return { ...bp, verified: false, message: `condition: ${parsed.message} (column ${parsed.column})` };
      bp.condition = parsed.expr;
      bp.conditionText = conditionText;
    }
    const hitText = request.hitCondition?.trim();
    if (hitText) {
      const hit = parseHitCondition(hitText);
      if (!hit) return { ...bp, verified: false, message: `hit count \`${hitText}\`: write a number (the Nth hit), >= N, > N or % N` };
      bp.hit = hit;
      bp.hitText = hitText;
    }
    return bp;
  }

  /**
   * The stop at this step, if any: the nonfinite filter first (nothing else is measured
   * then), then breakpoints in line order, then the flag filter. `previous` is the step
   * before, for what is new.
   */
  check(record: StepRecord, view: StepView, previous: StepRecord | undefined): Stop | undefined {
    if (record.nonFinite) {
      if (!this.filters.has(FILTER_NONFINITE)) return undefined;
      return {
        reason: 'exception',
        filter: FILTER_NONFINITE,
        description: record.nonFinite.message,
        details: record.nonFinite.message,
        layer: record.nonFinite.layer,
      };
    }
    const fired: { bp: Breakpoint; layer: number; description: string }[] = [];
    for (const bp of this.list) {
      if (!bp.verified) continue;
      const match = this.match(bp, view);
      if (!match) continue;
      bp.hits++;
      if (bp.hit && !hitMatches(bp.hit, bp.hits)) continue;
      fired.push({ bp, ...match });
    }
    if (fired.length > 0) {
      return {
        reason: 'breakpoint',
        description: fired[0].description,
        layer: fired[0].layer,
        breakpointIds: fired.map((f) => f.bp.id),
      };
    }
    if (this.filters.has(FILTER_FLAG)) {
      const fresh = newFlags(record, previous);
      if (fresh.length > 0) {
        const first = fresh[0];
        const name = this.spec.leaves[first.layer!]?.name ?? `layer ${first.layer}`;
        return {
          reason: 'exception',
          filter: FILTER_FLAG,
          description: `${first.code} on ${name} at step ${record.step}`,
          details: fresh.map((f) => `${this.spec.leaves[f.layer!]?.name}: ${f.message}`).join('\n'),
          layer: first.layer,
        };
      }
    }
    return undefined;
  }

  /** The first layer of the line that satisfies the breakpoint, and how to say so. */
  private match(bp: Breakpoint, view: StepView): { layer: number; description: string } | undefined {
    for (const leaf of bp.layers) {
      const layer = view.layer(leaf.index);
      if (!bp.condition) {
        const flag = layer.flags[0];
        if (flag) return { layer: leaf.index, description: `${flag.code} on ${leaf.name} at step ${view.step}: ${flag.message}` };
        continue;
      }
      const result = evaluate(bp.condition, { view, layer });
      if (!result.ok) {
        // A condition that cannot be evaluated stops the run with the reason, as a debugger
        // does with a condition that throws: silently never firing would hide the mistake.
        return { layer: leaf.index, description: `the condition \`${bp.conditionText}\` on ${leaf.name} failed: ${result.message}` };
      }
      if (result.value.kind !== 'boolean') {
        return { layer: leaf.index, description: `the condition \`${bp.conditionText}\` on ${leaf.name} is not true or false: write a comparison such as \`gradNorm < 1e-6\`` };
      }
      if (result.value.value) return { layer: leaf.index, description: `${leaf.name}: ${bp.conditionText} at step ${view.step}` };
    }
    return undefined;
  }
}

function key(line: number, condition: string | undefined, hit: string | undefined): string {
  return JSON.stringify([line, condition ?? '', hit ?? '']);
}

function parseHitCondition(text: string): HitCondition | undefined {
  const match = /^(==|=|>=|>|%)?\s*(\d+)$/.exec(text);
  if (!match) return undefined;
  const count = Number(match[2]);
  const op = (match[1] === '=' || match[1] === undefined ? '==' : match[1]) as HitCondition['op'];
  if (op === '%' && count === 0) return undefined;
  return { op, count };
}

function hitMatches(hit: HitCondition, hits: number): boolean {
  switch (hit.op) {
    case '==': return hits === hit.count;
    case '>=': return hits >= hit.count;
    case '>': return hits > hit.count;
    case '%': return hits % hit.count === 0;
  }
}

/** Flags at this step that the same layer did not have at the step before. */
function newFlags(record: StepRecord, previous: StepRecord | undefined): LayerFinding[] {
  const fresh: LayerFinding[] = [];
  for (const [layer, findings] of record.findings) {
    const before = new Set(previous?.findings.get(layer)?.map((f) => f.code) ?? []);
    for (const finding of findings) if (!before.has(finding.code)) fresh.push(finding);
  }
  return fresh.sort((a, b) => (a.layer ?? 0) - (b.layer ?? 0));
}
