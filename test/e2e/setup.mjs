// Idempotent setup of a real VS Code for the end-to-end tests and the demo: code-server
// 4.100.3 (VS Code 1.100.3's server and web workbench) installed into .e2e/code-server/,
// outside the project's own dependency tree, following docs in TESTING.md step by step.
// Run directly (`node test/e2e/setup.mjs`) or import `ensureCodeServer`, `buildVsix`,
// `installExtension`.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, copyFileSync, rmSync, symlinkSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const e2eDir = join(root, '.e2e');
const installDir = join(e2eDir, 'code-server');
const codeServerPkg = join(installDir, 'node_modules', 'code-server');
export const codeServerEntry = join(codeServerPkg, 'out', 'node', 'entry.js');
/** Written last: its presence means every step before it succeeded. */
const doneMarker = join(installDir, '.setup-complete');
export const vsixPath = join(root, 'gradlens.vsix');

const APT_PACKAGES = { 'libkrb5-dev': '/usr/include/krb5.h', ripgrep: '/usr/bin/rg', chromium: '/usr/bin/chromium' };

function log(message) {
  process.stderr.write(`[e2e setup] ${message}\n`);
}

function run(command, args, cwd, { allowFailure = false } = {}) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stderr?.slice(-2000)}`);
  }
  return result.status === 0;
}

function ensureAptPackages() {
  const missing = Object.entries(APT_PACKAGES).filter(([, file]) => !existsSync(file)).map(([name]) => name);
  if (missing.length === 0) return;
  log(`apt-get install -y ${missing.join(' ')}`);
  run('apt-get', ['update'], root, { allowFailure: true });
  run('apt-get', ['install', '-y', ...missing], root);
}

function link(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { force: true, recursive: false });
  } catch {
    // absent: nothing to replace
  }
  symlinkSync(target, path);
}

/** Installs code-server into .e2e/code-server unless a complete install is there already. */
export function ensureCodeServer() {
  if (existsSync(doneMarker)) return codeServerEntry;
  ensureAptPackages();
  const started = Date.now();
  mkdirSync(installDir, { recursive: true });
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'gradlens-e2e-code-server', private: true }, null, 2));
  const npmFlags = ['--ignore-scripts', '--no-audit', '--no-fund'];
  log('npm install code-server@4.100.3 (about 100 s on a fresh machine)');
  run('npm', ['install', ...npmFlags, 'code-server@4.100.3'], installDir);

  const vscodeDir = join(codeServerPkg, 'lib', 'vscode');
  log('npm install in lib/vscode');
  run('npm', ['install', '--omit=dev', ...npmFlags], vscodeDir);
  // @vscode/ripgrep downloads its binary from GitHub in its post-install; use Debian's.
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgBin, 'rg'));
  log('npm rebuild (native modules; node-pty fails after its build, harmlessly)');
  run('npm', ['rebuild'], vscodeDir, { allowFailure: true });
  link('node_modules', join(vscodeDir, 'node_modules.asar'));
  link('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  log('npm install in lib/vscode/extensions');
  run('npm', ['install', '--omit=dev', ...npmFlags], join(vscodeDir, 'extensions'));
  log('argon2: its download fails, then it builds');
  run('npx', ['--no-install', 'node-pre-gyp', 'install', '--fallback-to-build'], join(codeServerPkg, 'node_modules', 'argon2'), {
    allowFailure: true,
  });
  if (!existsSync(codeServerEntry)) throw new Error(`code-server entry missing: ${codeServerEntry}`);
  writeFileSync(doneMarker, new Date().toISOString() + '\n');
  log(`code-server ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerEntry;
}

/** `npm run package`: production bundle and gradlens.vsix at the repository root. */
export function buildVsix() {
  log('npm run package');
  execFileSync('npm', ['run', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return vsixPath;
}

/** Installs the .vsix into a fresh extensions dir; returns it. */
export function installExtension(extensionsDir, userDataDir) {
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(userDataDir, { recursive: true });
  run(
    process.execPath,
    [codeServerEntry, '--install-extension', vsixPath, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir],
    root,
  );
  return extensionsDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureCodeServer();
  if (process.argv.includes('--vsix')) buildVsix();
}
