// `flatten` on a vector: PyTorch's nn.Flatten on [N, F] and Keras' Flatten pass it through
// unchanged, so the network is right, but the line says the author thought the input was an
// image or a sequence. A warning with the fix that removes it, once per statement (a repeat's
// copies share it).

import type { Reporter } from './report';
import type { LeafLayer } from './spec';
import type { Template } from './layers';
import { statementDeletion } from './output';

export function checkFlattenOfVector(leaves: readonly LeafLayer[], templateOf: Map<LeafLayer, Template>, lines: string[], r: Reporter): void {
  const seen = new Set<Template>();
  for (const leaf of leaves) {
    if (leaf.kind !== 'flatten' || (leaf.inputShape ?? [leaf.inputWidth]).length !== 1) continue;
    const template = templateOf.get(leaf);
    if (!template || seen.has(template)) continue;
    seen.add(template);
    r.warning('flatten-of-vector', `\`flatten\` gets a vector [${leaf.inputWidth}] and passes it on unchanged; it is only needed after an image or a sequence.`,
      template.stmt.keyword.range, { fixes: [{ title: 'Remove `flatten`', edits: [{ range: statementDeletion(template.stmt, lines), newText: '' }], isPreferred: true }] });
  }
}
