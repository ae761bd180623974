// Measures new-space growth per training step in a fresh V8 (run by allocation.test.ts as
// a child process, so type feedback from other tests — float64 gradient checks — does not
// change what the optimiser can prove, as it would not in the language server's worker).
// Prints {"bytesPerStep": n, "heapGrowth": n} as JSON.

import v8 from 'node:v8';
import vm from 'node:vm';
import { Session } from '../../../src/engine/session';
import type { NetworkSpec } from '../../../src/lang/spec';
import { adam, batchnorm, dataset, dense, dropout, layernorm, network, randomRows, residual, rmsprop, sgd } from './specs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

const optimizers: Record<string, NetworkSpec['optimizer']> = {
  adam: adam(0.001, { clip: 1 }),
  nesterov: sgd(0.01, { momentum: 0.9, nesterov: true }),
  rmsprop: rmsprop(0.001),
};
const [optimizerName, telemetry] = process.argv.slice(2);
const spec = network({
  input: 4,
  layers: [dense(16, 'relu'), layernorm(), residual(dense(16, 'tanh'), batchnorm()), dropout(0.2), dense(16, 'gelu'), dense(3)],
  loss: { kind: 'cross_entropy' },
  optimizer: optimizers[optimizerName],
  trainSize: 37,
  batch: 8,
});
const data = dataset(randomRows(37, 4, 1), Array.from({ length: 37 }, (_, i) => i % 3), 'classes', 3);
const session = new Session(spec, data, { telemetry: telemetry === 'telemetry' });

for (let i = 0; i < 3000; i++) if (!session.step()) throw new Error('diverged during warm-up');
const growth: number[] = [];
for (let chunk = 0; chunk < 10; chunk++) {
  gc();
  const before = newSpaceUsed();
  for (let i = 0; i < 1000; i++) session.step();
  growth.push(newSpaceUsed() - before);
}
growth.sort((a, b) => a - b);
gc();
const heapBefore = process.memoryUsage().heapUsed;
for (let i = 0; i < 10000; i++) session.step();
gc();
const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
process.stdout.write(JSON.stringify({ bytesPerStep: growth[5] / 1000, heapGrowth }));
