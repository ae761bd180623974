// `npm run demo [-- --port N] [-- --folder DIR]`: builds the extension, installs it into the
// local VS Code (code-server, set up by setup.mjs), opens a copy of examples/ (or DIR
// itself), prints the URL and stays in the foreground until Ctrl+C, then stops everything
// it started. Binds 127.0.0.1 only, without a password.

import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildVsix, copyExamples, ensureCodeServer, installExtension, startCodeServer } from './setup.mjs';

function option(name) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return undefined;
  const value = process.argv[index + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`--${name} needs a value`);
    process.exit(2);
  }
  return value;
}

const portText = option('port') ?? '8080';
const port = Number(portText);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port ${portText}: not a port number`);
  process.exit(2);
}
const folderOption = option('folder');
if (folderOption !== undefined && !(existsSync(folderOption) && statSync(folderOption).isDirectory())) {
  console.error(`--folder ${folderOption}: no such folder`);
  process.exit(2);
}

ensureCodeServer();
buildVsix();
const scratch = mkdtempSync(join(tmpdir(), 'gradlens-demo-'));
const userDataDir = join(scratch, 'user-data');
const extensionsDir = installExtension(join(scratch, 'extensions'), userDataDir);
const workspace = folderOption !== undefined ? resolve(folderOption) : copyExamples(scratch);

let server;
try {
  server = await startCodeServer({ workspace, userDataDir, extensionsDir, port });
} catch (error) {
  rmSync(scratch, { recursive: true, force: true });
  console.error(`Could not start VS Code on 127.0.0.1:${port}: ${error.message.split('\n')[0]}`);
  console.error('Is the port taken? Try `npm run demo -- --port 8081`.');
  process.exit(1);
}

console.log('');
console.log('GradLens is running in VS Code (code-server) at:');
console.log('');
console.log(`    ${server.url}`);
console.log('');
console.log(`Workspace: ${workspace}${folderOption === undefined ? ' (a copy of examples/)' : ''}`);
console.log('Open deep-sigmoid.net, then F1 → "GradLens: Train and Inspect". Ctrl+C here stops it.');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping VS Code…');
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Stay in the foreground until interrupted.
setInterval(() => undefined, 1 << 30);
