// The training debugger as a DAP client sees it: `node dist/debug.js` over stdio, driven by
// @vscode/debugadapter-testsupport's DebugClient (what VS Code's own adapters test with).
// Lines are 1-based here, as the client says in initialize. Needs `npm run build` first.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const ROOT = resolve(__dirname, '../..');
const ADAPTER = resolve(ROOT, 'dist/debug.js');
const DEEP_SIGMOID = resolve(ROOT, 'examples/deep-sigmoid.net');
const XOR = resolve(ROOT, 'examples/xor.net');
const DIVERGING = resolve(ROOT, 'test/fixtures/cli/diverging.net');
const ERRORS = resolve(ROOT, 'test/fixtures/cli/errors.net');
const CONV = resolve(ROOT, 'test/fixtures/debug/conv.net');
/** conv.net: `c1: conv2d 4 kernel=3 relu`. */
const CONV_LINE = 5;
/** deep-sigmoid.net: `dense 32 sigmoid init=normal(0, 1)` inside `repeat 12` (dense1…dense12), and the output layer. */
const REPEAT_LINE = 10;
const OUTPUT_LINE = 12;
/** xor.net: `hidden: dense 8 tanh` and `out: dense 1 sigmoid`. */
const XOR_HIDDEN = 7;
const XOR_OUT = 8;

type Stopped = DebugProtocol.StoppedEvent;

describe('debug adapter over DAP (dist/debug.js)', function () {
  this.timeout(60_000);
  let dc: DebugClient;

  before(() => {
    if (!existsSync(ADAPTER)) throw new Error('dist/debug.js is missing: run `npm run build` first');
  });

  beforeEach(async () => {
    dc = new DebugClient(process.execPath, ADAPTER, 'gradlens', { cwd: ROOT }, true);
    dc.defaultTimeout = 30_000;
    await dc.start();
    await dc.initializeRequest({ adapterID: 'gradlens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  });

  afterEach(() => dc.stop());

  /** Launches `program`, sets the breakpoints and filters, and returns the first stop. */
  async function launch(
    args: Record<string, unknown>,
    breakpoints: DebugProtocol.SourceBreakpoint[] = [],
    filters: string[] = ['nonfinite'],
  ): Promise<{ stopped: Stopped; set: DebugProtocol.SetBreakpointsResponse }> {
    const firstStop = dc.waitForEvent('stopped') as Promise<Stopped>;
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    await initialized;
    const set = await dc.setBreakpointsRequest({ source: { path: args.program as string }, breakpoints });
    await dc.setExceptionBreakpointsRequest({ filters });
    await dc.configurationDoneRequest();
    return { stopped: await firstStop, set };
  }

  async function topFrame(): Promise<DebugProtocol.StackFrame> {
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    return trace.body.stackFrames[0];
  }

  async function scopeVariables(frameId: number, scope: string): Promise<Map<string, DebugProtocol.Variable>> {
    const scopes = await dc.scopesRequest({ frameId });
    const found = scopes.body.scopes.find((s) => s.name === scope || s.name.startsWith(`${scope} `));
    assert.ok(found, `scope ${scope} in ${scopes.body.scopes.map((s) => s.name).join(', ')}`);
    const variables = await dc.variablesRequest({ variablesReference: found.variablesReference });
    return new Map(variables.body.variables.map((v) => [v.name, v]));
  }

  async function evaluate(expression: string, frameId?: number): Promise<string> {
    const response = await dc.evaluateRequest({ expression, context: 'repl', ...(frameId !== undefined ? { frameId } : {}) });
    return response.body.result;
  }

  async function stepAndWait(request: () => Promise<unknown>): Promise<Stopped> {
    const stopped = dc.waitForEvent('stopped') as Promise<Stopped>;
    await request();
    return stopped;
  }

  it('initialize advertises step back, conditions, hit counts and the two exception filters', async () => {
    // beforeEach already initialized; ask again on a fresh adapter to read the answer.
    await dc.stop();
    dc = new DebugClient(process.execPath, ADAPTER, 'gradlens', { cwd: ROOT }, true);
    await dc.start();
    const response = await dc.initializeRequest({ adapterID: 'gradlens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const caps = response.body!;
    assert.equal(caps.supportsStepBack, true);
    assert.equal(caps.supportsConditionalBreakpoints, true);
    assert.equal(caps.supportsHitConditionalBreakpoints, true);
    assert.equal(caps.supportsConfigurationDoneRequest, true);
    assert.equal(caps.supportsEvaluateForHovers, true);
    const filters = caps.exceptionBreakpointFilters!.map((f) => [f.filter, f.default ?? false]);
    assert.deepEqual(filters, [['nonfinite', true], ['flag', false]]);
  });

  it('a condition `step == 7` on a layer line stops at step 7 with that line on top of the stack', async () => {
    const { stopped, set } = await launch({ program: XOR }, [{ line: XOR_HIDDEN, condition: 'step == 7' }]);
    assert.equal(set.body.breakpoints[0].verified, true);
    assert.equal(set.body.breakpoints[0].line, XOR_HIDDEN);
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.deepEqual(stopped.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    const top = await topFrame();
    assert.equal(top.line, XOR_HIDDEN);
    assert.equal(top.source?.path, XOR);
    assert.match(top.name, /^hidden/);
    assert.equal(await evaluate('step'), '7');
  });

  it('a plain breakpoint on a vanishing layer stops on that line, naming the flag; the Variables view shows it', async () => {
    const { stopped } = await launch({ program: DEEP_SIGMOID }, [{ line: REPEAT_LINE }]);
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.match(stopped.body.description ?? '', /vanishing-gradient on dense1 at step 1/);
    const top = await topFrame();
    assert.equal(top.line, REPEAT_LINE);
    assert.match(top.name, /^dense1 · vanishing-gradient/);
    const layer = await scopeVariables(top.id, 'Layer');
    assert.match(layer.get('flags')!.value, /vanishing-gradient/);
    assert.ok(layer.get('flags')!.variablesReference > 0, 'the flags expand to their messages');
    // The stack is the backward pass: after the flagged layer, the output first and the input last.
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    const names = trace.body.stackFrames.map((f) => f.name.split(' ')[0]);
    assert.deepEqual(names, ['dense1', 'dense13', 'dense12', 'dense11', 'dense10', 'dense9', 'dense8', 'dense7', 'dense6', 'dense5', 'dense4', 'dense3', 'dense2']);
    assert.equal(trace.body.stackFrames[1].line, OUTPUT_LINE);
  });

  it('`step` and `loss` are variables of the top frame\'s scopes, and `evaluate step` agrees', async () => {
    await launch({ program: XOR }, [{ line: XOR_OUT, condition: 'step == 12' }]);
    const top = await topFrame();
    const step = await scopeVariables(top.id, 'Step');
    assert.equal(step.get('step')!.value, '12');
    assert.equal(await evaluate('step', top.id), step.get('step')!.value);
    assert.equal(await evaluate('loss', top.id), step.get('loss')!.value);
    assert.ok(Number(step.get('loss')!.value) > 0);
    assert.equal(step.get('lr')!.value, '0.01');
    assert.equal(step.get('epoch')!.value, '2', '200 examples in batches of 32 make 7 steps an epoch: step 12 is in epoch 2');
  });

  it('`next` trains one step and `stepBack` returns to the step before, with its recorded weights', async () => {
    await launch({ program: DEEP_SIGMOID, stopOnEntry: true });
    // deep-sigmoid trains with plain sgd (lr 0.1): the weights step s+1 reads are W − 0.1·∇W of step s.
    let stopped = await stepAndWait(() => dc.nextRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'step');
    assert.equal(await evaluate('step'), '1');
    const w1 = Number(await evaluate('dense13.W[3, 0]'));
    const g1 = Number(await evaluate('dense13.W.grad[3, 0]'));
    const loss1 = await evaluate('loss');
    stopped = await stepAndWait(() => dc.nextRequest({ threadId: 1 }));
    assert.equal(await evaluate('step'), '2');
    const w2 = Number(await evaluate('dense13.W[3, 0]'));
    assert.ok(Math.abs(w2 - (w1 - 0.1 * g1)) <= 1e-6 * Math.max(1, Math.abs(w1)), `${w2} = ${w1} − 0.1·${g1}`);
    stopped = await stepAndWait(() => dc.stepBackRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'step');
    assert.equal(await evaluate('step'), '1');
    assert.equal(Number(await evaluate('dense13.W[3, 0]')), w1);
    assert.equal(await evaluate('loss'), loss1);
    // Forward again replays the recorded step 2.
    await stepAndWait(() => dc.nextRequest({ threadId: 1 }));
    assert.equal(Number(await evaluate('dense13.W[3, 0]')), w2);
  });

  it('with breakpoints and filters cleared, `continue` runs to the end and sends terminated', async () => {
    const terminated = dc.waitForEvent('terminated');
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest({ program: XOR, steps: 150 } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.setBreakpointsRequest({ source: { path: XOR }, breakpoints: [] });
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await dc.configurationDoneRequest();
    await terminated;
  });

  it('Run Without Debugging (noDebug) trains to the end past breakpoints and a NaN, and reports the divergence', async () => {
    const terminated = dc.waitForEvent('terminated');
    let stops = 0;
    dc.on('stopped', () => stops++);
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest({ program: DIVERGING, noDebug: true, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.setBreakpointsRequest({ source: { path: DIVERGING }, breakpoints: [{ line: 4 }] });
    await dc.setExceptionBreakpointsRequest({ filters: ['nonfinite', 'flag'] });
    const diverged = dc.assertOutput('stderr', 'Training diverged: NaN/Inf first appeared at step');
    await dc.configurationDoneRequest();
    await diverged;
    await terminated;
    assert.equal(stops, 0);
  });

  it('reverseContinue goes back to the last step where a breakpoint held', async () => {
    await launch({ program: XOR }, [{ line: XOR_OUT, condition: 'step == 4 || step == 9' }]);
    assert.equal(await evaluate('step'), '4');
    await stepAndWait(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await evaluate('step'), '9');
    for (let i = 0; i < 3; i++) await stepAndWait(() => dc.nextRequest({ threadId: 1 }));
    assert.equal(await evaluate('step'), '12');
    const back = await stepAndWait(() => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal(back.body.reason, 'breakpoint');
    assert.equal(await evaluate('step'), '9');
  });

  it('hit counts: `3` stops at the third step the condition holds, `% 2` at every second', async () => {
    const { stopped } = await launch({ program: XOR }, [{ line: XOR_HIDDEN, condition: 'step >= 5', hitCondition: '3' }]);
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal(await evaluate('step'), '7');
    await dc.setBreakpointsRequest({ source: { path: XOR }, breakpoints: [{ line: XOR_HIDDEN, condition: 'step >= 5', hitCondition: '% 2' }] });
    await stepAndWait(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await evaluate('step'), '9');
    await stepAndWait(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await evaluate('step'), '11');
  });

  it('a breakpoint sent again unchanged keeps its id and its hits; the stack pages', async () => {
    const hidden = { line: XOR_HIDDEN, condition: 'step >= 3', hitCondition: '% 3' };
    const { set } = await launch({ program: XOR }, [hidden]);
    assert.equal(await evaluate('step'), '5', 'hits at steps 3, 4, 5: the third stops');
    const again = await dc.setBreakpointsRequest({ source: { path: XOR }, breakpoints: [hidden, { line: XOR_OUT, condition: 'step == 100' }] });
    assert.equal(again.body.breakpoints[0].id, set.body.breakpoints[0].id);
    await stepAndWait(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await evaluate('step'), '8', 'the count went on: the sixth hit stops');
    const page = await dc.stackTraceRequest({ threadId: 1, startFrame: 1, levels: 1 });
    assert.equal(page.body.totalFrames, 2);
    assert.deepEqual(page.body.stackFrames.map((f) => [f.name, f.line]), [['out', XOR_OUT]]);
  });

  it('conditions read the layer: `gradNorm`, `updateRatio`, `deadFraction` are that layer\'s at that step', async () => {
    await launch({ program: XOR }, [{ line: XOR_OUT, condition: 'step > 3 && updateRatio > 0.001 && gradNorm > 0 && deadFraction < 0.5' }]);
    assert.equal(await evaluate('step'), '4');
    const top = await topFrame();
    const layer = await scopeVariables(top.id, 'Layer');
    assert.equal(await evaluate('updateRatio', top.id), layer.get('updateRatio')!.value);
    assert.equal(await evaluate('out.gradNorm'), layer.get('gradNorm')!.value);
    assert.ok(Number(layer.get('updateRatio')!.value) > 0.001);
  });

  it('a breakpoint off a layer line, a condition that does not parse and a bad hit count are unverified with the reason', async () => {
    const { set } = await launch({ program: XOR, stopOnEntry: true }, [
      { line: 3 },
      { line: XOR_HIDDEN, condition: 'step ==' },
      { line: XOR_OUT, hitCondition: 'often' },
    ]);
    const [offLine, badCondition, badHit] = set.body.breakpoints;
    assert.equal(offLine.verified, false);
    assert.match(offLine.message!, /line 3 declares no layer/);
    assert.equal(badCondition.verified, false);
    assert.match(badCondition.message!, /condition: expected a number, a name or `\(`, found the end of the expression \(column 8\)/);
    assert.equal(badHit.verified, false);
    assert.match(badHit.message!, /hit count `often`/);
  });

  it('the Debug Console evaluates the expression language and answers anything else with a clear error', async () => {
    await launch({ program: DEEP_SIGMOID }, [{ line: OUTPUT_LINE, condition: 'step == 3' }]);
    const norm = Number(await evaluate('dense3.W.grad.norm()'));
    assert.ok(norm > 0);
    const g1 = Number(await evaluate('dense1.gradNorm'));
    const g2 = Number(await evaluate('dense2.gradNorm'));
    assert.equal(Number(await evaluate('max(dense1.gradNorm, dense2.gradNorm)')), Math.max(g1, g2));
    assert.match(await evaluate('dense3.W[0, 1]'), /^-?\d/);
    assert.equal(await evaluate('dense13.W.shape'), '[32, 1]');
    assert.equal(await evaluate('2 * (step + 1)'), '8');
    for (const [expression, error] of [
      ['process.exit(1)', /unknown name `process`/],
      ['dense3.W[40, 0]', /index 40 is out of range for dimension 0 of dense3.W \(0…31\)/],
      ['dense3.W[0]', /dense3.W has 2 dimensions \[32, 32\]: give 2 indexes/],
      ['dense3.X', /dense3 has no `X`: use gradNorm, .*W, b/],
      ['loss +', /expected a number, a name or `\(`, found the end of the expression \(column 7\)/],
      ['dense3.W > 1', /needs a number, not the tensor dense3.W/],
      ['eval("1")', /unexpected character `"`/],
    ] as const) {
      await assert.rejects(dc.evaluateRequest({ expression, context: 'repl' }), (err: Error) => {
        assert.match(err.message, error, expression);
        return true;
      });
    }
    // A layer or a tensor evaluates to something the console expands.
    const tensor = await dc.evaluateRequest({ expression: 'dense3.W', context: 'repl' });
    assert.ok(tensor.body.variablesReference > 0);
    const children = await dc.variablesRequest({ variablesReference: tensor.body.variablesReference });
    const names = children.body.variables.map((v) => v.name);
    assert.deepEqual(names.slice(0, 7), ['shape', 'norm', 'mean', 'std', 'min', 'max', 'grad']);
    assert.equal(names.filter((n) => /^\[\d+\]$/.test(n)).length, 32, '32 rows of 32: all 1,024 values');
    const row = children.body.variables.find((v) => v.name === '[0]')!;
    const values = await dc.variablesRequest({ variablesReference: row.variablesReference });
    assert.equal(values.body.variables.length, 32);
    assert.equal(values.body.variables[1].value, await evaluate('dense3.W[0, 1]'));
  });

  it('a convolution kernel lists its values under their full index, as the console reads them', async () => {
    await launch({ program: CONV }, [{ line: CONV_LINE, condition: 'step == 2' }]);
    const top = await topFrame();
    assert.match(top.name, /^c1/);
    const layer = await scopeVariables(top.id, 'Layer');
    // The layer's label, as the CLI table and the inspector show it.
    assert.equal(layer.get('kind')!.value, 'conv2d k3 relu');
    const w = layer.get('W')!;
    assert.match(w.value, /^\[4, 1, 3, 3\] ‖·‖ /);
    const children = (await dc.variablesRequest({ variablesReference: w.variablesReference })).body.variables;
    const values = children.filter((v) => v.name.startsWith('['));
    assert.equal(values.length, 36);
    assert.deepEqual([values[0].name, values[5].name, values[35].name], ['[0, 0, 0, 0]', '[0, 0, 1, 2]', '[3, 0, 2, 2]']);
    assert.equal(values[5].evaluateName, 'c1.W[0, 0, 1, 2]');
    assert.equal(await evaluate('c1.W[0, 0, 1, 2]'), values[5].value);
  });

  it('the nonfinite filter stops at the step that produced a NaN, on the layer that produced it; continuing ends the run', async () => {
    const { stopped } = await launch({ program: DIVERGING });
    assert.equal(stopped.body.reason, 'exception');
    assert.match(stopped.body.description ?? '', /NaN\/Inf first appeared at step \d+/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'nonfinite');
    const step = await scopeVariables((await topFrame()).id, 'Step');
    assert.match(step.get('nonfinite')!.value, /NaN\/Inf first appeared/);
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: 1 });
    await terminated;
  });

  it('the flag filter stops at the first step a layer gets a new flag', async () => {
    const { stopped } = await launch({ program: DEEP_SIGMOID }, [], ['nonfinite', 'flag']);
    assert.equal(stopped.body.reason, 'exception');
    assert.match(stopped.body.description ?? '', /^vanishing-gradient on dense1 at step 1$/);
    assert.equal((await topFrame()).line, REPEAT_LINE);
  });

  it('pause stops a running training between steps', async () => {
    await launch({ program: DEEP_SIGMOID, stopOnEntry: true });
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await stepAndWait(() => dc.pauseRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'pause');
    assert.ok(Number(await evaluate('step')) >= 1);
  });

  it('gotoStep (the inspector\'s scrubber) moves to a recorded step, and refuses one outside the window', async () => {
    await launch({ program: XOR, window: 5 }, [{ line: XOR_OUT, condition: 'step == 20' }]);
    const stopped = dc.waitForEvent('stopped') as Promise<Stopped>;
    await dc.customRequest('gradlens.gotoStep', { step: 17 });
    assert.equal((await stopped).body.reason, 'goto');
    assert.equal(await evaluate('step'), '17');
    await assert.rejects(dc.customRequest('gradlens.gotoStep', { step: 12 }), /step 12 is not recorded: steps 16–20 of N=5/);
  });

  it('a file with errors fails the launch with file:line:col: code: message', async () => {
    await assert.rejects(dc.launchRequest({ program: ERRORS } as DebugProtocol.LaunchRequestArguments), (err: Error) => {
      assert.match(err.message, /errors\.net:\d+:\d+: [a-z-]+: /);
      return true;
    });
    await assert.rejects(dc.launchRequest({ program: 42 } as unknown as DebugProtocol.LaunchRequestArguments), /invalid launch arguments: program/);
  });
});
