// docs/protocol.md's run-log section against the schema (src/protocol/runlog.ts): every
// record type and every field of every record, nested ones included, is named there, so a
// producer written from the page writes what the reader accepts.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RunLogRecord } from '../../src/protocol/runlog';

/** Every key of every object schema under `schema`. */
function keys(schema: z.ZodTypeAny, into = new Set<string>()): Set<string> {
  if (schema instanceof z.ZodObject) {
    for (const [key, inner] of Object.entries(schema.shape as Record<string, z.ZodTypeAny>)) {
      into.add(key);
      keys(inner, into);
    }
  } else if (schema instanceof z.ZodOptional || schema instanceof z.ZodArray) {
    keys(schema instanceof z.ZodOptional ? schema.unwrap() : schema.element, into);
  } else if (schema instanceof z.ZodDiscriminatedUnion) {
    for (const option of schema.options as z.ZodTypeAny[]) keys(option, into);
  }
  return into;
}

describe('the run-log format in docs/protocol.md', () => {
  const page = readFileSync(join(__dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');
  const section = page.slice(page.indexOf('## The run log'));

  it('has a section for it', () => assert.ok(page.includes('## The run log')));

  it('names every field of every record', () => {
    const missing = [...keys(RunLogRecord)].filter((key) => !new RegExp(`\`${key}\\b|[{,\\s]${key}[?,}]`).test(section));
    assert.deepEqual(missing, []);
  });

  it('names every record type', () => {
    for (const option of RunLogRecord.options) assert.match(section, new RegExp(`\\| \`${option.shape.type.value}\` \\|`));
  });
});
