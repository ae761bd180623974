import assert from 'node:assert/strict';
import { TelemetryParams } from '../../src/protocol/lsp';
import { FromWebview } from '../../src/protocol/webview';

describe('protocol schemas', () => {
  it('accept a well-formed telemetry notification', () => {
    const params = { runId: 'r1', frames: [{ step: 1, loss: 0.7, layers: [{ name: 'dense1', line: 3, gradNorm: 0.1, findings: ['vanishing-gradient'] }] }] };
    assert.equal(TelemetryParams.safeParse(params).success, true);
  });
  it('reject a telemetry frame with an unknown flag code or a negative line', () => {
    const bad = { runId: 'r1', frames: [{ step: 1, loss: 0.7, layers: [{ name: 'd', line: -1, gradNorm: 0, findings: ['nope'] }] }] };
    assert.equal(TelemetryParams.safeParse(bad).success, false);
  });
  it('reject a webview message of an unknown type', () => {
    assert.equal(FromWebview.safeParse({ type: 'eval', code: 'alert(1)' }).success, false);
    assert.equal(FromWebview.safeParse({ type: 'reveal', uri: 'file:///a.net', line: 4 }).success, true);
  });
});
