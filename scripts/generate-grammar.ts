// Writes syntaxes/net.tmLanguage.json, the TextMate grammar VS Code colours `.net` files with:
// the layer words and the activations are the kinds registry's public listings (src/kinds:
// LAYER_WORDS, ACTIVATION_LIST), so a new kind is coloured once it is registered; the statement
// and block keywords, the generator, loss and optimizer names and the inits are the language's
// vocabulary (src/lang/vocabulary.ts).
// The rest (comments, strings, labels, options, numbers, punctuation) is the lexical grammar of
// docs/language.md and lives here.
//
// The file is committed, not built: VS Code reads it from the package without running any
// code, and a kind's commit then shows what it does to the colouring. test/scripts/
// generate-grammar.test.ts fails when the committed file is not byte for byte this script's
// output; `npm run grammar:generate` rewrites it.
//
//   npm run grammar:generate                    rewrite the grammar
//   npm run grammar:generate -- --check [FILE]  exit 1 (naming the command) when it (or FILE) is out of date

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVATION_LIST, LAYER_WORDS } from '../src/kinds';
import { VOCABULARY } from '../src/lang';

export const GRAMMAR_PATH = join(__dirname, '..', 'syntaxes', 'net.tmLanguage.json');

/** The words the grammar colours, by rule. */
export interface GrammarWords {
  statements: readonly string[];
  blocks: readonly string[];
  generators: readonly string[];
  losses: readonly string[];
  optimizers: readonly string[];
  inits: readonly string[];
  layers: readonly string[];
  activations: readonly string[];
}

type Vocabulary = Pick<typeof VOCABULARY, 'statements' | 'generators' | 'losses' | 'optimizers' | 'inits'> & { layers: readonly { name: string }[] };

/**
 * The words of the vocabulary, rule by rule. Activations are the kinds applied value by value
 * (the ones a layer fuses: `dense 64 relu`); every other layer word, softmax included, is a
 * layer (softmax is only ever a layer of its own).
 */
export function grammarWords(vocabulary: Vocabulary = { ...VOCABULARY, layers: LAYER_WORDS }, activations = ACTIVATION_LIST.filter((a) => a.elementwise).map((a) => a.name)): GrammarWords {
  const names = (items: readonly { name: string }[]) => items.map((i) => i.name);
  const elementwise = new Set(activations);
  return {
    statements: names(vocabulary.statements.filter((s) => !s.block)),
    blocks: names(vocabulary.statements.filter((s) => s.block)),
    generators: names(vocabulary.generators),
    losses: names(vocabulary.losses),
    optimizers: names(vocabulary.optimizers),
    inits: names(vocabulary.inits),
    layers: names(vocabulary.layers).filter((n) => !elementwise.has(n)),
    activations: names(vocabulary.layers).filter((n) => elementwise.has(n)),
  };
}

/**
 * `a|b|c`: sorted and without repeats, so the file depends on the set of words, not on the
 * order kinds are registered in (within `\b(…)\b` the order does not change what matches).
 */
function alternation(words: readonly string[]): string {
  for (const word of words) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) throw new Error(`grammar: '${word}' is not an identifier`);
  }
  return [...new Set(words)].sort().join('|');
}

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]*';

/** A statement keyword followed by one of its names (`loss mse`), the name coloured as `scope`. */
function keywordWithName(keyword: string, names: readonly string[], scope: string, comment?: string) {
  return {
    ...(comment ? { comment } : {}),
    match: `\\b(${keyword})\\s+(?:(${alternation(names)})\\b)?`,
    captures: {
      1: { name: 'keyword.other.statement.net' },
      2: { name: `variable.other.enummember.${scope}.net` },
    },
  };
}

/** The grammar as an object; the order of `patterns` is the order TextMate tries the rules in. */
export function netGrammar(words: GrammarWords = grammarWords()): object {
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'GradLens Net',
    scopeName: 'source.net',
    fileTypes: ['net'],
    patterns: ['comment', 'string', 'label', 'data', 'loss', 'optimizer', 'block-keyword', 'statement-keyword', 'init-option', 'option', 'layer', 'activation', 'boolean', 'call', 'number', 'punctuation']
      .map((rule) => ({ include: `#${rule}` })),
    repository: {
      comment: {
        match: '(#).*$',
        name: 'comment.line.number-sign.net',
        captures: { 1: { name: 'punctuation.definition.comment.net' } },
      },
      string: {
        begin: '"',
        end: '"|$',
        name: 'string.quoted.double.net',
        beginCaptures: { 0: { name: 'punctuation.definition.string.begin.net' } },
        endCaptures: { 0: { name: 'punctuation.definition.string.end.net' } },
      },
      label: {
        comment: 'NAME: at the start of a statement labels the layer',
        match: `(?:^|(?<=[;{]))\\s*(${IDENTIFIER})\\s*(:)`,
        captures: {
          1: { name: 'entity.name.function.label.net' },
          2: { name: 'punctuation.separator.label.net' },
        },
      },
      data: keywordWithName('data', words.generators, 'generator', 'data GENERATOR: the generator names (linear is also an activation elsewhere)'),
      loss: keywordWithName('loss', words.losses, 'loss'),
      optimizer: keywordWithName('optimizer', words.optimizers, 'optimizer'),
      'block-keyword': {
        match: `\\b(${alternation(words.blocks)})\\b`,
        name: 'keyword.control.block.net',
      },
      'statement-keyword': {
        match: `\\b(${alternation(words.statements)})\\b`,
        name: 'keyword.other.statement.net',
      },
      'init-option': {
        match: `\\b(init)\\s*(=)\\s*(?:(${alternation(words.inits)})\\b)?`,
        captures: {
          1: { name: 'variable.parameter.option.net' },
          2: { name: 'keyword.operator.assignment.net' },
          3: { name: 'support.function.init.net' },
        },
      },
      option: {
        match: `\\b(${IDENTIFIER})\\s*(=)`,
        captures: {
          1: { name: 'variable.parameter.option.net' },
          2: { name: 'keyword.operator.assignment.net' },
        },
      },
      layer: {
        match: `\\b(${alternation(words.layers)})\\b`,
        name: 'support.type.layer.net',
      },
      activation: {
        match: `\\b(${alternation(words.activations)})\\b`,
        name: 'support.function.activation.net',
      },
      boolean: {
        match: '\\b(true|false)\\b',
        name: 'constant.language.boolean.net',
      },
      call: {
        comment: 'name(arg, ...) values, e.g. init=normal(0, 1)',
        match: `\\b(${IDENTIFIER})(?=\\s*\\()`,
        name: 'support.function.call.net',
      },
      number: {
        match: '(?<![\\w.])[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?(?![\\w.])',
        name: 'constant.numeric.net',
      },
      punctuation: {
        patterns: [
          { match: '\\{', name: 'punctuation.section.block.begin.net' },
          { match: '\\}', name: 'punctuation.section.block.end.net' },
          { match: '\\(', name: 'punctuation.section.parens.begin.net' },
          { match: '\\)', name: 'punctuation.section.parens.end.net' },
          { match: ',', name: 'punctuation.separator.comma.net' },
          { match: ';', name: 'punctuation.terminator.statement.net' },
        ],
      },
    },
  };
}

/** The file's exact text: two-space JSON and a final newline. */
export function grammarText(words: GrammarWords = grammarWords()): string {
  return `${JSON.stringify(netGrammar(words), null, 2)}\n`;
}

if (require.main === module) {
  const text = grammarText();
  const args = process.argv.slice(2);
  if (args[0] === '--check') {
    const path = args[1] ?? GRAMMAR_PATH;
    if (readFileSync(path, 'utf8') !== text) {
      console.error(`${path} is out of date with the vocabulary: run \`npm run grammar:generate\`.`);
      process.exit(1);
    }
  } else {
    writeFileSync(GRAMMAR_PATH, text);
    console.log(`wrote ${GRAMMAR_PATH}`);
  }
}
