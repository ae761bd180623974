// The training debugger over the Debug Adapter Protocol. One thread: the run. A stop is a
// training step; the stack is the backward pass — the network's layers from the output
// back to the input, each at its .net line, with the layer that stopped the run on top.
// `next` trains one optimizer step; `stepBack`/`reverseContinue` move through the recorded
// window (timeline.ts). Training runs in slices on this process's event loop, so `pause`
// and every other request are answered between steps.

import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DebugSession, InitializedEvent, OutputEvent, TerminatedEvent, Event } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { mergeThresholds } from '../analysis';
import type { LayerFinding } from '../analysis/types';
import { loadNetwork } from '../cli/load';
import {
  DebugEndedEvent,
  DebugFramesEvent,
  DebugPositionEvent,
  DebugRunEvent,
  GotoStepArguments,
  GotoStepRequest,
  LaunchArguments,
  type DebugFramesBody,
  type DebugPositionBody,
  formatBytes,
} from '../protocol/debug';
import type { RunEndedParams, TelemetryFrame } from '../protocol/lsp';
import { DEFAULT_THRESHOLDS } from '../protocol/settings';
import { findingInfo, findingsByLayer, layerInfos, toTelemetryFrame } from '../server/telemetryFrames';
import { Breakpoints, FILTER_FLAG, FILTER_NONFINITE, type Stop } from './breakpoints';
import { display, evaluateText } from './evaluate';
import type { StepRecord } from './history';
import { StepView } from './state';
import { Timeline } from './timeline';
import { VariableTree } from './variables';

const THREAD_ID = 1;
/** Training runs this long between looks at incoming requests (pause, disconnect). */
const SLICE_MS = 20;
/** Telemetry for the inspector is sent at most this often while running. */
const FRAMES_EVERY_MS = 100;

let runCounter = 0;

export class GradLensDebugSession extends DebugSession {
  private timeline: Timeline | undefined;
  private breakpoints: Breakpoints | undefined;
  private program = '';
  private runId = '';
  private readonly variables = new VariableTree();
  /** The layer kept on top of the stack until another stop names one. */
  private focus: number | undefined;
  private lastStop: Stop | undefined;
  private running = false;
  private pauseRequested = false;
  private finished = false;
  private stopOnEntry = false;
  /** "Run Without Debugging": train to the end, stopping for nothing. */
  private noDebug = false;
  private pendingFrames: TelemetryFrame[] = [];
  private lastFlush = 0;
  private configured: () => void = () => {};
  private readonly configurationDone = new Promise<void>((done) => (this.configured = done));

  constructor() {
    super();
    // The network's lines and columns are 0-based; DAP converts for clients that count from 1.
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: [
        { filter: FILTER_NONFINITE, label: 'NaN or Inf', description: 'Stop at the step that produced a NaN or Inf (training cannot go on past it).', default: true },
        { filter: FILTER_FLAG, label: 'New gradient-health flag', description: 'Stop at a step where any layer gets a flag it did not have the step before.', default: false },
      ],
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, raw: DebugProtocol.LaunchRequestArguments): void {
    const parsed = LaunchArguments.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.fail(response, `invalid launch arguments: ${issue.path.join('.') || 'arguments'}: ${issue.message} (expected { program, steps?, stopOnEntry?, window? })`);
    }
    const args = parsed.data;
    this.program = resolve(args.program);
    const loaded = loadNetwork(this.program);
    if (!loaded.ok) return this.fail(response, `${this.program} cannot be trained:\n${loaded.errors.join('\n')}`);
    // The editor's settings (when the launch carries them), then the file's `watch` on top.
    const thresholds = mergeThresholds(mergeThresholds(DEFAULT_THRESHOLDS, args.thresholds ?? {}), loaded.spec.watch);
    const timeline = Timeline.create(loaded.spec, loaded.dataset, thresholds, { steps: args.steps, window: args.window });
    if (typeof timeline === 'string') return this.fail(response, `${this.program} cannot be trained: ${timeline}`);
    this.timeline = timeline;
    this.breakpoints = new Breakpoints(loaded.spec);
    this.noDebug = (raw as { noDebug?: unknown }).noDebug === true;
    this.stopOnEntry = !this.noDebug && (args.stopOnEntry ?? false);
    this.runId = `debug-${process.pid}-${++runCounter}`;
    for (const warning of loaded.warnings) this.output(`${warning}\n`, 'console');
    if (args.window !== undefined && timeline.history.capacity < args.window) {
      this.output(`The window holds ${timeline.history.capacity} steps, not ${args.window}: that many already take ${formatBytes(timeline.history.capacity * timeline.history.bytesPerStep)}.\n`, 'console');
    }
    this.sendResponse(response);
    this.sendEvent(new Event(DebugRunEvent, {
      runId: this.runId,
      uri: pathToFileURL(this.program).toString(),
      fileName: basename(this.program),
      model: loaded.spec.name,
      totalSteps: timeline.total,
      layers: layerInfos(loaded.spec),
    }));
    this.sendEvent(new InitializedEvent());
    void this.configurationDone.then(() => this.begin());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured();
  }

  private begin(): void {
    if (this.finished || !this.timeline) return;
    this.output(`Training ${basename(this.program)}: ${this.timeline.total} steps, ${this.timeline.history.capacity} recorded for stepping back.\n`, 'console');
    if (this.stopOnEntry) this.stopped({ reason: 'entry', description: 'before the first step' });
    else void this.run('forward', 'continue');
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const table = this.breakpoints;
    const requested: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const samePath = args.source.path !== undefined && sameFile(args.source.path, this.program);
    const made = table && samePath
      ? table.set(requested.map((b) => ({ line: this.convertClientLineToDebugger(b.line), condition: b.condition, hitCondition: b.hitCondition })))
      : undefined;
    response.body = {
      breakpoints: requested.map((b, i) => {
        const bp = made?.[i];
        if (!bp) return { verified: false, line: b.line, message: table ? `only ${basename(this.program)} is being trained` : 'launch first' };
        return { id: bp.id, verified: bp.verified, line: this.convertDebuggerLineToClient(bp.line), ...(bp.message ? { message: bp.message } : {}) };
      }),
    };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    if (this.breakpoints) this.breakpoints.filters = new Set(args.filters);
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [{ id: THREAD_ID, name: `training ${this.timeline?.spec.name ?? basename(this.program)}` }] };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    void this.run('forward', 'continue');
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    void this.run('forward', 'step');
  }

  /** There is nothing to step into or out of: a step is the unit. */
  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.nextRequest(response);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.nextRequest(response);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.sendResponse(response);
    void this.run('back', 'step');
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.sendResponse(response);
    void this.run('back', 'continue');
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (this.running) this.pauseRequested = true;
    this.sendResponse(response);
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, raw: unknown): void {
    if (command !== GotoStepRequest) return this.fail(response, `unknown request ${command}`);
    const parsed = GotoStepArguments.safeParse(raw);
    const timeline = this.timeline;
    if (!parsed.success || !timeline) return this.fail(response, 'gotoStep needs { step } after launch');
    if (this.running) return this.fail(response, 'the run is training: pause it first');
    if (!timeline.goto(parsed.data.step)) return this.fail(response, `step ${parsed.data.step} is not recorded: ${this.windowText()}`);
    this.sendResponse(response);
    this.stopped({ reason: 'goto', description: `moved to step ${parsed.data.step}` });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const timeline = this.timeline;
    if (!timeline) return this.fail(response, 'launch first');
    const view = new StepView(timeline, timeline.cursor);
    const leaves = [...timeline.spec.leaves].reverse();
    const focus = this.focus !== undefined ? leaves.findIndex((leaf) => leaf.index === this.focus) : -1;
    if (focus > 0) leaves.unshift(...leaves.splice(focus, 1));
    const source: DebugProtocol.Source = { name: basename(this.program), path: this.program };
    const start = Math.max(0, args.startFrame ?? 0);
    const end = args.levels ? start + args.levels : leaves.length;
    response.body = {
      totalFrames: leaves.length,
      stackFrames: leaves.slice(start, end).map((leaf) => {
        const flags = view.layer(leaf.index).flags.map((f) => f.code);
        return {
          id: leaf.index + 1,
          name: `${leaf.name}${flags.length ? ` · ${flags.join(', ')}` : ''}`,
          source,
          line: this.convertDebuggerLineToClient(leaf.line),
          column: this.convertDebuggerColumnToClient(leaf.range.start.character),
          endLine: this.convertDebuggerLineToClient(leaf.range.end.line),
          endColumn: this.convertDebuggerColumnToClient(leaf.range.end.character),
        };
      }),
    };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const timeline = this.timeline;
    if (!timeline) return this.fail(response, 'launch first');
    const view = new StepView(timeline, timeline.cursor);
    const leaf = timeline.spec.leaves[args.frameId - 1];
    response.body = { scopes: this.variables.scopes(view, leaf && view.layer(leaf.index), this.windowText()) };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    response.body = { variables: this.variables.children(args.variablesReference) };
    this.sendResponse(response);
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const timeline = this.timeline;
    if (!timeline) return this.fail(response, 'launch first');
    if (this.running) return this.fail(response, 'the run is training: pause it to evaluate');
    const view = new StepView(timeline, timeline.cursor);
    const leaf = args.frameId !== undefined ? timeline.spec.leaves[args.frameId - 1] : undefined;
    const result = evaluateText(args.expression, { view, layer: leaf && view.layer(leaf.index) });
    if (!result.ok) return this.fail(response, result.message);
    const value = result.value;
    const reference =
      value.kind === 'layer' ? this.variables.reference({ kind: 'layer', layer: value.layer, view })
        : value.kind === 'tensor' ? this.variables.reference({ kind: 'tensor', tensor: value.tensor })
          : 0;
    response.body = { result: display(value), variablesReference: reference, ...(value.kind === 'number' ? { type: 'number' } : {}) };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const stop = this.lastStop;
    if (!stop || stop.reason !== 'exception') return this.fail(response, 'the run did not stop on an exception filter');
    response.body = {
      exceptionId: stop.filter ?? 'exception',
      description: stop.description,
      breakMode: stop.filter === FILTER_NONFINITE ? 'always' : 'unhandled',
      details: { message: stop.details ?? stop.description },
    };
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.finish({ runId: this.runId, reason: 'cancelled', message: 'Stopped.' });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments, request?: DebugProtocol.Request): void {
    this.finished = true;
    this.pauseRequested = true;
    super.disconnectRequest(response, args, request);
  }

  /** Moves through steps until something stops the run, a step is done (`step`), or the run ends. */
  private async run(direction: 'forward' | 'back', mode: 'step' | 'continue'): Promise<void> {
    const timeline = this.timeline;
    if (!timeline || this.running || this.finished) return;
    this.running = true;
    this.pauseRequested = false;
    this.variables.reset();
    this.position(undefined);
    let slice = Date.now();
    try {
      for (;;) {
        if (this.finished) return;
        let record: StepRecord;
        if (direction === 'forward') {
          const advance = timeline.forward();
          if (advance.kind === 'end') return this.finishRun(advance.reason);
          record = advance.record;
          if (!advance.replayed) this.queueFrame(record);
        } else {
          const back = timeline.back();
          if (!back) {
            return this.stopped({ reason: 'step', description: `the recorded window starts at step ${timeline.cursor}` });
          }
          record = back;
        }
        const view = new StepView(timeline, record.step);
        const stop = this.noDebug ? undefined : this.breakpoints!.check(record, view, timeline.history.record(record.step - 1));
        if (stop) return this.stopped(stop);
        if (record.nonFinite) return this.finishRun('diverged');
        if (mode === 'step') return this.stopped({ reason: 'step', description: `step ${record.step}` });
        if (this.pauseRequested) return this.stopped({ reason: 'pause', description: `paused at step ${record.step}` });
        if (Date.now() - slice >= SLICE_MS) {
          this.flushFrames(false);
          await new Promise((next) => setImmediate(next));
          slice = Date.now();
        }
      }
    } finally {
      this.running = false;
    }
  }

  private stopped(stop: Stop | { reason: 'entry' | 'step' | 'pause' | 'goto'; description: string; layer?: undefined; breakpointIds?: undefined }): void {
    if (stop.layer !== undefined) this.focus = stop.layer;
    this.lastStop = stop.reason === 'breakpoint' || stop.reason === 'exception' ? stop : undefined;
    this.variables.reset();
    this.flushFrames(true);
    const body: DebugProtocol.StoppedEvent['body'] = {
      reason: stop.reason,
      threadId: THREAD_ID,
      allThreadsStopped: true,
      description: stop.description,
      ...(stop.reason === 'exception' ? { text: stop.description } : {}),
      ...(stop.breakpointIds ? { hitBreakpointIds: stop.breakpointIds } : {}),
    };
    this.sendEvent(new Event('stopped', body));
    this.position(this.timeline!.cursor);
  }

  private finishRun(reason: 'done' | 'diverged'): void {
    const timeline = this.timeline!;
    const last = timeline.history.record(timeline.head);
    if (reason === 'diverged' && last?.nonFinite) {
      const report = last.nonFinite;
      this.output(`Training diverged: ${report.message}\n`, 'stderr');
      this.finish({ runId: this.runId, reason: 'diverged', message: report.message, layer: report.layerName, line: report.line });
    } else {
      this.output(`Trained ${timeline.head} steps${last ? `; loss ${display({ kind: 'number', value: last.loss })}` : ''}.\n`, 'console');
      this.finish({ runId: this.runId, reason: 'done' });
    }
  }

  private finish(end: RunEndedParams): void {
    if (this.finished) return;
    this.finished = true;
    this.flushFrames(true);
    this.sendEvent(new Event(DebugEndedEvent, end));
    this.sendEvent(new TerminatedEvent());
  }

  private queueFrame(record: StepRecord): void {
    if (!record.frame) return;
    const byLayer = findingsByLayer([...record.findings.values()].flat());
    const frame = toTelemetryFrame(record.frame, this.timeline!.spec, byLayer);
    if (frame) this.pendingFrames.push(frame);
  }

  private flushFrames(now: boolean): void {
    if (this.pendingFrames.length === 0 || (!now && Date.now() - this.lastFlush < FRAMES_EVERY_MS)) return;
    const timeline = this.timeline!;
    const latest = timeline.history.record(timeline.head);
    const findings: LayerFinding[] = latest ? [...latest.findings.values()].flat() : [];
    const body: DebugFramesBody = { runId: this.runId, frames: this.pendingFrames, findings: findings.map(findingInfo) };
    this.pendingFrames = [];
    this.lastFlush = Date.now();
    this.sendEvent(new Event(DebugFramesEvent, body));
  }

  private position(step: number | undefined): void {
    const history = this.timeline!.history;
    const body: DebugPositionBody = {
      runId: this.runId,
      ...(step !== undefined ? { step } : {}),
      window: { from: history.oldestStep, to: history.newestStep, capacity: history.capacity, bytes: history.bytes },
    };
    this.sendEvent(new Event(DebugPositionEvent, body));
  }

  private windowText(): string {
    const history = this.timeline!.history;
    const range = history.length === 0 ? 'no steps yet' : `steps ${history.oldestStep}–${history.newestStep}`;
    return `${range} of N=${history.capacity} (${formatBytes(history.bytes)})`;
  }

  private output(text: string, category: 'console' | 'stderr'): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  /** An error response with our sentence as is (the library's formatter would read `{…}` as placeholders). */
  private fail(response: DebugProtocol.Response, message: string): void {
    response.success = false;
    response.message = message;
    this.sendResponse(response);
  }
}

/** Whether a client's path names the trained file (relative, through a link, or as given). */
function sameFile(path: string, program: string): boolean {
  if (resolve(path) === program) return true;
  try {
    return realpathSync(path) === realpathSync(program);
  } catch {
    return false;
  }
}
