// What the server knows about one open document at one version: the text, the checker's
// result, and the evidence from training that exact text (probe or full run). A new
// version gets a new state, so evidence for an older text can never leak into features.

import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Fix } from '../lang/diagnostics';
import type { NetDocument } from '../lang/ast';
import type { NetworkSpec, Thresholds } from '../lang/spec';
import type { Diagnostic } from '../lang/diagnostics';
import type { FindingDiagnostic } from './findings';
import type { Evidence } from './workerMessages';
import type { GradCheckResult } from '../protocol/gradcheck';

export interface DocumentState {
  uri: string;
  version: number;
  textDocument: TextDocument;
  document: NetDocument;
  /** The checker's diagnostics for this text. */
  checkDiagnostics: Diagnostic[];
  /** Present iff the text has no errors. */
  spec?: NetworkSpec;
  /** Settings thresholds merged with the file's `watch`. */
  thresholds?: Thresholds;
  probe?: Evidence;
  run?: Evidence;
  /** Why there are no probe results (skipped as too large, or failed), as an Information diagnostic. */
  probeNote?: Diagnostic;
  /** The gradient check of this text ("GradLens: Check Gradients"), once run. */
  gradcheck?: GradCheckResult;
  /** What was last published for this version, with the fixes behind each diagnostic. */
  published: PublishedDiagnostic[];
}

export interface PublishedDiagnostic {
  diagnostic: LspDiagnostic;
  /** Checker fixes, or finding fix intents turned into edits on demand. */
  fixes: () => Fix[];
  finding?: FindingDiagnostic;
}

/** The run's evidence when there is one for this text, else the probe's. */
export function evidenceOf(state: DocumentState): Evidence | undefined {
  return state.run ?? state.probe;
}
