// The built CLI on hostile uses of the shape syntax (test/fixtures/shapes/hostile.ts): each
// file is refused with exit 2 and `file:line:col: code: message` naming the shapes, at once,
// never an internal error, a trace or a hang.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HOSTILE_SHAPES, IMAGE_CSV } from '../fixtures/shapes/hostile';

const CLI = resolve(__dirname, '../../dist/cli.js');

describe('gradlens CLI on hostile shapes (conv, pooling, flatten, recurrence, input shapes)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gradlens-shapes-'));
    writeFileSync(join(dir, 'img.csv'), IMAGE_CSV);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of HOSTILE_SHAPES) {
    it(`${c.name}: ${c.warning ? 'a warning' : 'exit 2'}, ${c.code} at ${c.line + 1}:${c.character + 1}`, () => {
      const file = join(dir, 'hostile.net');
      writeFileSync(file, c.text);
      for (const command of ['grads']) {
        const result = spawnSync(process.execPath, [CLI, command, file, '--json'], { encoding: 'utf8', timeout: 20_000 });
        assert.equal(result.status, c.warning ? 0 : 2, `${command}: ${result.stderr}`);
        assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
        const line = result.stderr.split('\n').find((l) => l.includes(`: ${c.code}: `));
        assert.ok(line, `${command}: no ${c.code} in\n${result.stderr}`);
        assert.ok(line.startsWith(`${file}:${c.line + 1}:${c.character + 1}: ${c.code}: `), line);
        assert.ok(line.includes(c.says), line);
      }
    });
  }
});
