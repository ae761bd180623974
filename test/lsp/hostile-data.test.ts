// Hostile and heavy data files through the bundled server: a CSV reached through a link
// that leads outside the workspace, a FIFO, a device, a CSV of several megabytes (read off
// the main thread while hovers keep answering, then cached until it changes on disk), and
// a CSV cell with Markdown quoted in a hover.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { hoverMarkdown, messageOf } from './client';
import { withServer } from './session';

const MODEL = (data: string) => `data ${data}\ninput 2\nh: dense 4 relu init=he\nout: dense 2\n`;

describe('hostile and heavy data files over the language server', function () {
  this.timeout(60_000);
  let root: string;
  let workspace: string;
  let outside: string;

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'gradlens-hostile-')));
    workspace = join(root, 'workspace');
    outside = join(root, 'outside');
    mkdirSync(workspace);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.csv'), 'a,b,y\n1,hunter2,x\n3,4,y\n');
  });
  const client = withServer(() => ({ workspace, settings: { probe: { enabled: true } } }));
  after(() => rmSync(root, { recursive: true, force: true }));

  const open = async (name: string, text: string, test?: (d: Diagnostic[]) => boolean): Promise<{ uri: string; diagnostics: Diagnostic[] }> => {
    const uri = pathToFileURL(join(workspace, name)).toString();
    client.open(uri, text);
    return { uri, diagnostics: await client.diagnostics(uri, test) };
  };
  const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => String(d.code));

  it('refuses a CSV whose symbolic link leads outside the workspace, and shows none of its values', async () => {
    symlinkSync(join(outside, 'secret.csv'), join(workspace, 'link.csv'));
    symlinkSync(outside, join(workspace, 'data'));
    for (const path of ['"link.csv"', '"data/secret.csv"']) {
      const { diagnostics } = await open(`link-${path.length}.net`, MODEL(`${path} target=y`));
      assert.deepEqual(codes(diagnostics), ['csv-outside-workspace'], path);
      assert.equal(diagnostics[0].severity, 1, 'an error');
      assert.match(messageOf(diagnostics[0]), /leads outside the workspace through a symbolic link/);
      assert.doesNotMatch(JSON.stringify(client.received), /hunter2/);
    }
  });

  it('refuses a weights file whose symbolic link leads outside the workspace, as it does a CSV', async () => {
    writeFileSync(join(outside, 'secret.weights.json'), JSON.stringify({ layers: [{ name: 'h', params: [{ name: 'W', shape: [2, 4], value: [[1, 2, 3, 4], [5, 6, 7, 8]] }] }] }));
    symlinkSync(join(outside, 'secret.weights.json'), join(workspace, 'link.weights.json'));
    const { diagnostics } = await open('weights-link.net', `${MODEL('xor n=8')}weights "link.weights.json"\n`, (d) => d.some((x) => x.code === 'weights-outside-workspace'));
    const refused = diagnostics.filter((d) => d.code === 'weights-outside-workspace');
    assert.equal(refused.length, 1);
    assert.equal(refused[0].severity, 1, 'an error');
    assert.match(messageOf(refused[0]), /leads outside the workspace through a symbolic link/);
  });

  it('refuses a FIFO without blocking, and a device reached through a link', async () => {
    assert.equal(spawnSync('mkfifo', [join(workspace, 'fifo.csv')]).status, 0);
    const fifo = await open('fifo.net', MODEL('"fifo.csv" target=y'));
    assert.deepEqual(codes(fifo.diagnostics), ['csv-unreadable']);
    assert.match(messageOf(fifo.diagnostics[0]), /not a regular file/);

    symlinkSync('/dev/zero', join(workspace, 'zero.csv'));
    const zero = await open('zero.net', MODEL('"zero.csv" target=y'));
    assert.deepEqual(codes(zero.diagnostics), ['csv-outside-workspace']);
    // The server is still responsive.
    const hover = await client.request<{ contents: unknown } | null>('textDocument/hover', { textDocument: { uri: fifo.uri }, position: { line: 2, character: 4 } });
    assert.match(hoverMarkdown(hover), /dense UNITS/);
    assert.ok(client.alive());
  });

  it('reads a large CSV off the main thread (hovers answer meanwhile), caches it, and reads it again when it changes', async () => {
    // ~4.5 MB: over the 1 MB the server parses in place.
    const rows = ['a,b,y'];
    for (let i = 0; i < 220_000; i++) rows.push(`${(Math.sin(i) * 10).toFixed(6)},${(Math.cos(i) * 10).toFixed(6)},${i % 2 ? 'odd' : 'even'}`);
    const big = join(workspace, 'big.csv');
    writeFileSync(big, rows.join('\n') + '\n');
    assert.ok(statSync(big).size > 4 * 1024 * 1024, String(statSync(big).size));

    const other = await open('other.net', MODEL('xor n=64'));
    const uri = pathToFileURL(join(workspace, 'big.net')).toString();
    client.open(uri, MODEL('"big.csv" target=y') + 'train batch=64\n');
    const loading = await client.diagnostics(uri);
    assert.deepEqual(codes(loading), ['csv-loading']);
    assert.equal(loading[0].severity, 3, 'information');
    // While the CSV thread parses, the main thread answers.
    const hover = await client.request<{ contents: unknown } | null>('textDocument/hover', { textDocument: { uri: other.uri }, position: { line: 2, character: 4 } });
    assert.match(hoverMarkdown(hover), /dense UNITS/);
    const read = await client.diagnostics(uri, (d) => !codes(d).includes('csv-loading'), 30_000);
    assert.deepEqual(codes(read).filter((c) => !c.startsWith('initial') && c !== 'backward-gain'), []);
    await client.probed(uri, 30_000);

    // A keystroke: the cached summary answers at once (no csv-loading again).
    const from = client.received.length;
    client.edit(uri, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '# edited\n' }]);
    const edited = await client.diagnostics(uri);
    assert.ok(!client.received.slice(from).some((r) => r.method === 'textDocument/publishDiagnostics' && codes((r.params as { diagnostics: Diagnostic[] }).diagnostics).includes('csv-loading')));
    assert.ok(!codes(edited).includes('csv-loading'));

    // The file changes on disk: its size and time differ, so the next check reads it again.
    appendFileSync(big, '1,not-a-number,odd\n');
    client.edit(uri, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '# again\n' }]);
    const reread = await client.diagnostics(uri, (d) => codes(d).includes('csv-bad-value'), 30_000);
    assert.match(messageOf(reread.find((d) => d.code === 'csv-bad-value')!), /Row 220001 \(line 220002\), column `b` .* is not a number: "not-a-number"/);
  });

  it('escapes a CSV cell quoted in the hover (no link, no image)', async () => {
    // The checker reads the file, then it changes on disk behind the checker's cache (same
    // size and time): the probe of a new data spec reads the new text and fails on the cell.
    const file = join(workspace, 'cell.csv');
    const evil = '[click](http://evil.example) ![img](http://evil.example/i.png)';
    const good = `a,b,y\n1,2,x\n${'0'.repeat(evil.length - 1)}1,3,y\n`;
    writeFileSync(file, good);
    utimesSync(file, 1_000_000_000, 1_000_000_000);
    await open('cell-1.net', MODEL('"cell.csv" target=y'));
    writeFileSync(file, `a,b,y\n1,2,x\n${evil},3,y\n`);
    utimesSync(file, 1_000_000_000, 1_000_000_000);
    const { uri, diagnostics } = await open('cell-2.net', MODEL('"cell.csv" target=y seed=5'));
    assert.deepEqual(diagnostics.filter((d) => d.severity === 1), [], 'the checker saw the good text');
    await client.probed(uri, 30_000);
    const hover = hoverMarkdown(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 4 } }));
    assert.match(hover, /Gradient probe failed/);
    assert.match(hover, /\\\[click\\\]\\\(http\\:\/\/evil\\\.example\\\)/, hover);
    assert.doesNotMatch(hover, /!\[img\]\(|\[click\]\(/, 'no Markdown link or image survives');
  });
});
