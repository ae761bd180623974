// scripts/debian-packages.mjs, `npm test`'s first step, with dpkg-query and apt-get
// replaced by stubs on PATH: nothing missing is silent; as root the missing packages are
// installed; as anyone else it stops with the one `apt-get install` line to run.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/debian-packages.mjs');
const NOBODY = 65534;

describe('the Debian packages step before the tests', function () {
  this.timeout(20_000);
  let stubs: string;

  beforeEach(() => {
    stubs = mkdtempSync(join(tmpdir(), 'gradlens-apt-'));
    chmodSync(stubs, 0o755);
    // dpkg-query: every package is installed except those listed in $stubs/missing,
    // until the apt-get stub has "installed" them (it empties that file).
    writeFileSync(join(stubs, 'missing'), '');
    writeFileSync(
      join(stubs, 'dpkg-query'),
      `#!/bin/sh\nfor last; do :; done\nif grep -qx "$last" "${stubs}/missing"; then exit 1; fi\nprintf 'install ok installed'\n`,
    );
    writeFileSync(join(stubs, 'apt-get'), `#!/bin/sh\necho "$@" >> "${stubs}/apt-calls"\n[ "$1" = install ] && : > "${stubs}/missing"\nexit 0\n`);
    chmodSync(join(stubs, 'dpkg-query'), 0o755);
    chmodSync(join(stubs, 'apt-get'), 0o755);
  });
  afterEach(() => rmSync(stubs, { recursive: true, force: true }));

  const run = (asNobody: boolean) => {
    const env = { ...process.env, PATH: `${stubs}:/usr/bin:/bin` };
    const [command, args] = asNobody
      ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, SCRIPT]]
      : [process.execPath, [SCRIPT]];
    return spawnSync(command as string, args as string[], { env, encoding: 'utf8', cwd: ROOT });
  };
  const isRoot = process.getuid?.() === 0;

  it('says nothing and exits 0 when every package is installed', () => {
    const result = run(false);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout + result.stderr, '');
    assert.equal(existsSync(join(stubs, 'apt-calls')), false, 'apt-get is not run');
  });

  it('without root, stops with the single apt-get install line for what is missing', () => {
    writeFileSync(join(stubs, 'missing'), 'neovim\npython3-torch\n');
    // As root, the same script is run as nobody to see what a normal user gets.
    const result = run(isRoot);
    assert.equal(result.status, 1, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 2, result.stderr);
    assert.equal(lines[1], 'sudo apt-get install -y --no-install-recommends neovim python3-torch');
    assert.equal(existsSync(join(stubs, 'apt-calls')), false, 'nothing is installed');
  });

  it('as root, installs what is missing with apt-get (the path CI and a root `npm test` take)', function () {
    // Not a skip: a non-root run has just covered its own path above, and CI runs as root.
    writeFileSync(join(stubs, 'missing'), 'chromium\n');
    const result = run(false);
    if (!isRoot) return assert.equal(result.status, 1);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readFileSync(join(stubs, 'apt-calls'), 'utf8').trim().split('\n'), ['update', 'install -y --no-install-recommends chromium']);
  });

  it('lists the packages for anything that wants the list (one list)', () => {
    const listed = spawnSync(process.execPath, [SCRIPT, '--list'], { encoding: 'utf8' }).stdout.trim().split(' ');
    for (const name of ['chromium', 'neovim', 'ripgrep', 'libkrb5-dev', 'unzip', 'g++', 'make', 'python3', 'python3-torch']) assert.ok(listed.includes(name), name);
  });
});
