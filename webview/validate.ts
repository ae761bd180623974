// Validating the inspector's messages fast: the protocol's zod schema compiled to plain
// checks (src/protocol/compiled-schema.ts, shared with the run-log reader). A `frames`
// message of 50 steps × 100 layers is 5,000 layer objects, and zod's own safeParse copied
// every one of them. A message is accepted exactly when zod accepts it, provided the compiled
// check never says yes where zod says no (test/webview/validate.test.ts checks that against
// zod on generated messages); when it says no, the caller asks zod, which explains.

import type { z } from 'zod';
import { compileDecoder, INVALID } from '../src/protocol/compiled-schema';

/** A checker for `schema`: true only for values zod accepts (unknown keys are left in place). */
export function compileCheck(schema: z.ZodTypeAny): (value: unknown) => boolean {
  const decode = compileDecoder(schema);
  return (value) => decode(value) !== INVALID;
}
