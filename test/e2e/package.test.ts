// What users install: the .vsix holds only what runs, the extension wakes only for .net
// files, its commands and its inspector, and its contributions agree with the code they
// describe (settings with src/protocol/settings.ts, the grammar with the vocabulary).

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEBUG_TYPE, LaunchArguments } from '../../src/protocol/debug';
import { DEFAULT_SETTINGS } from '../../src/protocol/settings';
import { VOCABULARY } from '../../src/lang/vocabulary';
import { buildVsix, ensureAptPackages, root, vsixPath } from './setup.mjs';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { default: unknown; description?: string }> };
    languages: { id: string; extensions: string[] }[];
    grammars: { language: string; scopeName: string; path: string }[];
    breakpoints?: { language: string }[];
    debuggers?: {
      type: string;
      languages: string[];
      configurationAttributes: { launch: { required: string[]; properties: Record<string, unknown> } };
      configurationSnippets: { label: string; body: Record<string, unknown> }[];
    }[];
  };
}

function vsixEntries(): string[] {
  return execFileSync('unzip', ['-Z1', vsixPath], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function packagedManifest(): Manifest {
  return JSON.parse(execFileSync('unzip', ['-p', vsixPath, 'extension/package.json'], { encoding: 'utf8' })) as Manifest;
}

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }` */
function flatten(value: object, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner !== null && typeof inner === 'object') Object.assign(out, flatten(inner, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = inner;
  }
  return out;
}

describe('the packaged extension', function () {
  this.timeout(120_000);
  before(() => {
    ensureAptPackages(); // unzip reads the .vsix
    buildVsix();
  });

  it('holds only the bundles, the grammar, the language configuration, the icon and the docs', () => {
    const files = vsixEntries()
      .filter((entry) => entry.startsWith('extension/'))
      .map((entry) => entry.slice('extension/'.length))
      .sort();
    const allowed = new Set([
      'package.json',
      'readme.md',
      'README.md',
      'LICENSE.txt',
      'LICENSE',
      'language-configuration.json',
      'syntaxes/net.tmLanguage.json',
      'media/icon.png',
      'dist/extension.js',
      'dist/server.js',
      'dist/worker.js',
      'dist/csv-worker.js',
      'dist/cli.js',
      'dist/debug.js',
      'dist/webview/inspector.js',
      'dist/webview/inspector.css',
    ]);
    // The PyTorch bridge's package ships beside the bundles: exported scripts import it.
    const unexpected = files.filter((file) => !allowed.has(file) && !/^python\/gradlens_torch\/[a-z_]+\.py$/.test(file));
    assert.deepEqual(unexpected, [], `files that do not run: ${unexpected.join(', ')}`);
    for (const needed of ['package.json', 'dist/extension.js', 'dist/server.js', 'dist/worker.js', 'dist/csv-worker.js', 'dist/debug.js', 'dist/webview/inspector.js', 'syntaxes/net.tmLanguage.json']) {
      assert.ok(files.includes(needed), `${needed} is missing from the .vsix`);
    }
  });

  it('activates only for .net files, its own commands, its inspector panel and its debug type', () => {
    const manifest = packagedManifest();
    const commands = manifest.contributes.commands.map((command) => command.command);
    const allowed = new Set([
      'onLanguage:net',
      'onWebviewPanel:gradlens.inspector',
      'onDebugResolve:gradlens',
      'onDebugInitialConfigurations',
      ...commands.map((c) => `onCommand:${c}`),
    ]);
    assert.ok(manifest.activationEvents.includes('onLanguage:net'));
    assert.deepEqual(manifest.activationEvents.filter((event) => !allowed.has(event)), []);
    assert.ok(!manifest.activationEvents.includes('*'));
  });

  it('contributes the gradlens debug type for .net files: breakpoints, a launch snippet, exactly the launch arguments the adapter reads', () => {
    const contributes = packagedManifest().contributes;
    assert.deepEqual(contributes.breakpoints, [{ language: 'net' }]);
    const [debug] = contributes.debuggers ?? [];
    assert.equal(debug?.type, DEBUG_TYPE);
    assert.deepEqual(debug.languages, ['net']);
    assert.deepEqual(debug.configurationAttributes.launch.required, ['program']);
    assert.deepEqual(Object.keys(debug.configurationAttributes.launch.properties).sort(), Object.keys(LaunchArguments.shape).sort());
    const snippet = debug.configurationSnippets[0];
    assert.equal(snippet.label, 'GradLens: Debug training');
    assert.deepEqual([snippet.body.type, snippet.body.request, snippet.body.program], [DEBUG_TYPE, 'launch', '^"\\${file}"']);
  });

  it('titles every command "GradLens: …" in the palette', () => {
    const commands = packagedManifest().contributes.commands;
    for (const id of ['gradlens.trainAndInspect', 'gradlens.stopTraining', 'gradlens.showInspector', 'gradlens.restartServer']) {
      assert.ok(commands.some((command) => command.command === id), `${id} is contributed`);
    }
    for (const command of commands) {
      assert.ok(command.command.startsWith('gradlens.'), command.command);
      assert.equal(command.category, 'GradLens', `${command.command} shows as "GradLens: ${command.title}"`);
    }
  });

  it('contributes exactly the settings the server reads, with the same defaults', () => {
    const properties = packagedManifest().contributes.configuration.properties;
    const expected = { ...flatten(DEFAULT_SETTINGS, 'gradlens.'), 'gradlens.trace.server': 'off' };
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(properties[key]!.default, value, `default of ${key}`);
      assert.ok((properties[key]!.description ?? '').length > 20, `${key} has a description`);
    }
  });
});

describe('the TextMate grammar', () => {
  const grammar = JSON.parse(readFileSync(join(root, 'syntaxes/net.tmLanguage.json'), 'utf8')) as {
    scopeName: string;
    repository: Record<string, { match?: string }>;
  };
  /** The words of the `(a|b|c)` alternation in a repository rule's regex. */
  const wordsOf = (rule: string): string[] => {
    const group = /\(([a-z0-9_]+(?:\|[a-z0-9_]+)+)\)/i.exec(grammar.repository[rule]?.match ?? '');
    return group ? group[1]!.split('|').sort() : [];
  };
  const names = (items: readonly { name: string }[]) => items.map((item) => item.name).sort();

  it('is the grammar package.json registers for the net language', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
    const registered = pkg.contributes.grammars.find((entry) => entry.language === 'net');
    assert.equal(registered?.scopeName, grammar.scopeName);
    assert.equal(registered?.path, './syntaxes/net.tmLanguage.json');
    assert.deepEqual(pkg.contributes.languages.find((language) => language.id === 'net')?.extensions, ['.net']);
  });

  it('knows every statement, layer, activation, init, generator, loss and optimizer of the vocabulary, and no others', () => {
    assert.deepEqual([...wordsOf('statement-keyword'), ...wordsOf('block-keyword')].sort(), names(VOCABULARY.statements));
    assert.deepEqual([...new Set([...wordsOf('layer'), ...wordsOf('activation')])].sort(), names(VOCABULARY.layers));
    assert.deepEqual(
      [...new Set([...wordsOf('activation'), 'softmax'])].sort(),
      names(VOCABULARY.activations),
      'softmax is coloured as a layer, the rest of the activations as activations',
    );
    assert.deepEqual(wordsOf('data'), names(VOCABULARY.generators));
    assert.deepEqual(wordsOf('loss'), names(VOCABULARY.losses));
    assert.deepEqual(wordsOf('optimizer'), names(VOCABULARY.optimizers));
    assert.deepEqual(wordsOf('init-option'), names(VOCABULARY.inits));
  });
});
