// The Debian packages the tests drive, in one list, and the step that makes sure they are
// there before any test runs: `npm test`'s pretest, `.ci/run` and the end-to-end setup all
// call it. As root it installs what is missing with apt-get; otherwise it stops with the
// one `apt-get install` line to run, so no test fails (or skips) half-way for want of a tool.
//
//   node scripts/debian-packages.mjs          check, install as root, or print the command
//   node scripts/debian-packages.mjs --list   print the list

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Package → what the tests use it for. */
export const DEBIAN_PACKAGES = {
  chromium: 'webview tests and the end-to-end tests drive it (playwright-core)',
  neovim: 'the second LSP client (test/lsp/neovim.test.ts, test/e2e/nvim.test.ts)',
  ripgrep: "VS Code's search in the local code-server",
  'libkrb5-dev': "code-server's native modules",
  unzip: 'reads the packaged .vsix',
  'g++': "builds code-server's native modules",
  make: "builds code-server's native modules",
  python3: "node-gyp, for code-server's native modules",
  'python3-torch': 'PyTorch, the reference the gradients are checked against',
};

/** The listed packages dpkg does not have installed (all of them where there is no dpkg). */
export function missingPackages(names = Object.keys(DEBIAN_PACKAGES)) {
  return names.filter((name) => {
    const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return query.status !== 0 || !query.stdout.includes('install ok installed');
  });
}

export function installCommand(missing) {
  return `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
}

/**
 * Installs the missing packages when running as root; otherwise returns the command a
 * person must run. Returns undefined when everything is there (or was installed).
 */
export function ensureDebianPackages(names) {
  const missing = missingPackages(names);
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0) return `sudo ${installCommand(missing)}`;
  process.stderr.write(`installing the Debian packages the tests need: ${missing.join(' ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  const install = spawnSync('apt-get', installCommand(missing).split(' ').slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (install.status !== 0) {
    throw new Error(`apt-get install failed (exit ${install.status ?? install.signal}${update.status !== 0 ? '; apt-get update failed too' : ''})`);
  }
  const still = missingPackages(missing);
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(' ')}`);
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--list')) {
    process.stdout.write(Object.keys(DEBIAN_PACKAGES).join(' ') + '\n');
  } else {
    try {
      const command = ensureDebianPackages();
      if (command) {
        process.stderr.write(`The tests need Debian packages that are missing. Run this, then the tests again:\n${command}\n`);
        process.exitCode = 1;
      }
    } catch (error) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
