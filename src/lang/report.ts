// Collects the checker's diagnostics. Every diagnostic the language reports goes through
// here, so each carries `source: 'gradlens'` and a stable code.

import type { Diagnostic, Fix, Range, RelatedInfo, Severity } from './diagnostics';

/** A file this broken has told the user enough; past this, diagnostics only bury the first ones. */
export const MAX_DIAGNOSTICS = 500;

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private errorCount = 0;

  /** Past the cap nothing more is kept: callers may skip building messages and suggestions. */
  get full(): boolean {
    return this.diagnostics.length >= MAX_DIAGNOSTICS;
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  error(code: string, message: string, range: Range, extra?: { fixes?: Fix[]; related?: RelatedInfo[] }): void {
    this.add('error', code, message, range, extra);
  }

  warning(code: string, message: string, range: Range, extra?: { fixes?: Fix[]; related?: RelatedInfo[] }): void {
    this.add('warning', code, message, range, extra);
  }

  add(severity: Severity, code: string, message: string, range: Range, extra?: { fixes?: Fix[]; related?: RelatedInfo[] }): void {
    if (severity === 'error') this.errorCount++;
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) return;
    const d: Diagnostic = { code, message, range, severity, source: 'gradlens' };
    if (extra?.fixes?.length) d.fixes = extra.fixes;
    if (extra?.related?.length) d.related = extra.related;
    this.diagnostics.push(d);
  }
}

/** A fix that replaces one token. */
export function replaceFix(title: string, range: Range, newText: string): Fix {
  return { title, edits: [{ range, newText }], isPreferred: true };
}
