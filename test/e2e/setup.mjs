// Idempotent setup of a real VS Code for the end-to-end tests and the demo: code-server
// 4.100.3 (VS Code 1.100.3's server and web workbench) installed into .e2e/code-server/,
// outside the project's own dependency tree, in the steps written out below.
// Run directly (`node test/e2e/setup.mjs`) or import `ensureCodeServer`, `buildVsix`,
// `installExtension`.

import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync, writeFileSync, copyFileSync, rmSync, symlinkSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '../../scripts/debian-packages.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const e2eDir = join(root, '.e2e');
/** GRADLENS_CODE_SERVER_DIR=dir installs (or finds) code-server elsewhere, e.g. to try a fresh install. */
const installDir = process.env.GRADLENS_CODE_SERVER_DIR ? resolve(process.env.GRADLENS_CODE_SERVER_DIR) : join(e2eDir, 'code-server');
const codeServerPkg = join(installDir, 'node_modules', 'code-server');
export const codeServerEntry = join(codeServerPkg, 'out', 'node', 'entry.js');
/** Written last: its presence means every step before it succeeded. */
const doneMarker = join(installDir, '.setup-complete');
/** GRADLENS_VSIX=path tests a .vsix built elsewhere instead of building one. */
export const vsixPath = process.env.GRADLENS_VSIX ? resolve(process.env.GRADLENS_VSIX) : join(root, 'gradlens.vsix');

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

/** The Debian packages the end-to-end tests and the demo use (the one list), installed as root when missing. */
export function ensureAptPackages() {
  const command = ensureDebianPackages(['libkrb5-dev', 'ripgrep', 'chromium', 'unzip']);
  if (command) throw new Error(`missing Debian packages; run: ${command}`);
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
  ensureAptPackages();
  if (existsSync(doneMarker)) return codeServerEntry;
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
  run('npx', ['--no-install', 'node-pre-gyp', 'install', '--fallback-to-build'], join(installDir, 'node_modules', 'argon2'), {
    allowFailure: true,
  });
  // The proof that every native piece is in place: code-server starts and answers.
  run(process.execPath, [codeServerEntry, '--version'], installDir);
  writeFileSync(doneMarker, new Date().toISOString() + '\n');
  log(`code-server ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerEntry;
}

let vsixBuilt = false;
/** `npm run package` once per process: production bundle and gradlens.vsix at the repository root. */
export function buildVsix() {
  if (vsixBuilt || process.env.GRADLENS_VSIX) return vsixPath;
  vsixBuilt = true;
  log('npm run package');
  const result = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`npm run package failed:\n${(result.stdout + result.stderr).slice(-4000)}`);
  }
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

/** Workbench settings for a quiet first start: no welcome page, tips or trust prompt. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.hover.delay': 300,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
};

/** A fresh temporary folder with a copy of examples/ (tests edit files; the repo's stay as they are). */
export function copyExamples(into = mkdtempSync(join(tmpdir(), 'gradlens-e2e-'))) {
  const workspace = join(into, 'examples');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  return workspace;
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('code-server exited before it listened');
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * Starts code-server on 127.0.0.1 with no auth, telemetry, update checks or trust prompt,
 * in its own process group so that `stop()` ends it and every child (extension host,
 * language server) at once.
 */
export async function startCodeServer({ workspace, userDataDir, extensionsDir, port, extraArgs = [], logFile }) {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const listenPort = port ?? (await freePort());
  const args = [
    codeServerEntry,
    '--bind-addr', `127.0.0.1:${listenPort}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...extraArgs,
    workspace,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let log = '';
  const keep = (chunk) => {
    log += chunk;
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise((r) => child.once('exit', () => { exited = true; r(); }));
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (logFile) writeFileSync(logFile, log);
    if (exited) return;
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 3000);
    await exitedPromise;
    clearTimeout(timer);
    killGroup('SIGKILL'); // children that outlived the server
  };
  const base = `http://127.0.0.1:${listenPort}`;
  try {
    await waitForHttp(`${base}/healthz`, 30_000, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n${log.slice(-3000)}`);
  }
  return { port: listenPort, base, url: `${base}/?folder=${encodeURIComponent(workspace)}`, stop, log: () => log };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureCodeServer();
  if (process.argv.includes('--vsix')) buildVsix();
}
