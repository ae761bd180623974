// The built CLI against hostile input and hostile output: a reader that closes the pipe,
// a full disk, step counts past the bound, and escape sequences in user text. Every case
// is one line on stderr (or none) and a documented exit code, never a stack trace.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');

function gradlens(args: string[], stdout: 'pipe' | number = 'pipe'): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', stdout, 'pipe'] });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr };
}

function assertNoTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at |Unhandled 'error' event|node:events/, stderr);
}

describe('gradlens CLI on hostile input and output', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gradlens-cli-hostile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('output that cannot be written', () => {
    it('exits quietly with the run\'s code when the reader closes the pipe (… --json | head -c 10)', () => {
      // bash reports the CLI's own exit status through PIPESTATUS.
      const script = `"${process.execPath}" "${CLI}" inspect examples/xor.net --json 2>"${join(dir, 'err')}" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"; cat "${join(dir, 'err')}"`;
      const result = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8' });
      const [status, ...stderr] = result.stdout.split('\n');
      assert.equal(status, '0', result.stdout);
      assert.equal(stderr.join('\n').trim(), '', 'nothing on stderr');
    });

    it('exits 2 with one line when the output cannot be written (/dev/full)', () => {
      const full = openSync('/dev/full', 'w');
      try {
        const { status, stderr } = gradlens(['inspect', 'examples/xor.net', '--json'], full);
        assert.equal(status, 2);
        assert.equal(stderr, 'gradlens: cannot write the output: ENOSPC: no space left on device, write\n');
      } finally {
        closeSync(full);
      }
    });
  });

  describe('one bound on the number of steps', () => {
    it('refuses --steps and grads --after beyond 100,000,000 with exit 2 and one line', () => {
      for (const args of [
        ['inspect', 'examples/xor.net', '--steps', '1e12'],
        ['inspect', 'examples/xor.net', '--steps', '100000001'],
        ['grads', 'examples/xor.net', '--after', '1e300'],
      ]) {
        const { status, stdout, stderr } = gradlens(args);
        assert.equal(status, 2, args.join(' '));
        assert.equal(stdout, '');
        assert.match(stderr, /^gradlens: --(steps|after) must be an integer from [01] to 100,000,000, not '1e\d+|100000001'\n/);
        assertNoTrace(stderr);
      }
    });

    it('reports the file\'s steps= and an epochs plan beyond the bound as errors in the file', () => {
      const tooMany = join(dir, 'steps.net');
      writeFileSync(tooMany, 'data xor n=100\ninput 2\ndense 1 sigmoid\ntrain steps=1e12\n');
      const steps = gradlens(['inspect', tooMany]);
      assert.equal(steps.status, 2);
      assert.match(steps.stderr, /steps\.net:4:13: out-of-range: `steps` must be .*100000000/);

      const epochs = join(dir, 'epochs.net');
      writeFileSync(epochs, 'data xor n=1000\ninput 2\ndense 1 sigmoid\ntrain epochs=1000000 batch=1\n');
      const planned = gradlens(['inspect', epochs]);
      assert.equal(planned.status, 2);
      assert.equal(planned.stderr.trim(), `${epochs}:4:14: train-too-long: 1000000 epochs of 1000 batches is 1,000,000,000 steps; a run takes at most 100,000,000. Lower \`epochs\`, raise \`batch\` or write \`steps=\`.`);
    });
  });

  describe('data files that are not regular files', () => {
    it('refuses a FIFO and /dev/zero through a link at once, exit 2 and one line each', () => {
      assert.equal(spawnSync('mkfifo', [join(dir, 'fifo.csv')]).status, 0);
      symlinkSync('/dev/zero', join(dir, 'zero.csv'));
      for (const name of ['fifo', 'zero']) {
        const file = join(dir, `${name}.net`);
        writeFileSync(file, `data "${name}.csv" target=y\ninput 2\ndense 2\n`);
        const result = spawnSync(process.execPath, [CLI, 'inspect', file], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
        assert.equal(result.signal, null, 'it does not hang');
        assert.equal(result.status, 2);
        assert.equal(result.stderr, `${file}:1:6: csv-unreadable: Cannot read "${name}.csv": it is not a regular file (a FIFO, a device or a folder); GradLens reads data only from regular files.\n`);
      }
    });
  });

  describe('user text on the terminal', () => {
    it('writes escape sequences from a CSV cell as \\u escapes, not raw', () => {
      writeFileSync(join(dir, 'evil.csv'), 'a,b,y\n1,2,x\n"\x1b]0;pwned\x07\x1b[2J",3,y\n');
      const file = join(dir, 'evil.net');
      writeFileSync(file, 'data "evil.csv" target=y\ninput 2\ndense 2\n');
      const { status, stderr } = gradlens(['inspect', file]);
      assert.equal(status, 2);
      assert.doesNotMatch(stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'no control character reaches the terminal');
      assert.match(stderr, /is not a number: "\\u001b\]0;pwned\\u0007\\u001b\[2J"/);
    });

    it('writes a model name with escape sequences as \\u escapes in the table, and keeps --json valid JSON', () => {
      const file = join(dir, 'named.net');
      writeFileSync(file, 'model "a\x1b[31mred\x9b2J\u202e"\ndata xor n=16\ninput 2\ndense 1 sigmoid\n');
      const table = gradlens(['inspect', file, '--steps', '3']);
      assert.equal(table.status, 0, table.stderr);
      assert.doesNotMatch(table.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      assert.match(table.stdout, /a\\u001b\[31mred\\u009b2J\\u202e/);
      const json = gradlens(['inspect', file, '--steps', '3', '--json']);
      assert.doesNotMatch(json.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      assert.equal(JSON.parse(json.stdout).model, 'a\x1b[31mred\x9b2J\u202e', 'the JSON string is the name itself');
    });
  });
});
