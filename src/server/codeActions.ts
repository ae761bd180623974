// Quick fixes for the diagnostics under the cursor: the checker's own fixes and the
// analysis's fix intents turned into edits. Copies of a `repeat` and different flags often
// suggest the same edit (relu + He for both vanishing and saturation): such actions merge
// into one that lists every diagnostic it resolves, and one action at most is preferred.

import type { CodeAction, Range } from 'vscode-languageserver/node';
import type { DocumentState } from './documentState';
import { rangesOverlap, toCodeAction } from './lspConvert';

export function quickFixes(state: DocumentState, range: Range): CodeAction[] {
  const byEdit = new Map<string, CodeAction>();
  for (const published of state.published) {
    if (!rangesOverlap(published.diagnostic.range, range)) continue;
    for (const fix of published.fixes()) {
      const key = JSON.stringify(fix.edits);
      const existing = byEdit.get(key);
      if (existing) {
        if (!existing.diagnostics?.includes(published.diagnostic)) existing.diagnostics?.push(published.diagnostic);
        if (fix.isPreferred) existing.isPreferred = true;
        continue;
      }
      byEdit.set(key, toCodeAction(fix, state.uri, published.diagnostic));
    }
  }
  const actions = [...byEdit.values()];
  let preferred = false;
  for (const action of actions) {
    if (action.isPreferred && preferred) delete action.isPreferred;
    preferred ||= action.isPreferred === true;
  }
  return actions;
}
