// Data for training: the built-in generators and CSV files, behind one entry point.

import type { DataShape, DataSpec } from '../../lang/spec';
import { loadCsv } from './csv';
import type { Dataset } from './dataset';
import { generate } from './generators';

export type { Dataset, Split } from './dataset';
export { DataError, isDataError, type DataErrorCode } from './errors';
export { generate, GENERATOR_DEFAULTS } from './generators';

/** The dataset a `data` statement describes. CSV paths are read through `readFile`; bad files throw DataError. */
export function loadDataset(data: DataSpec, readFile: (absPath: string) => string): Dataset {
  return data.kind === 'generator' ? generate(data) : loadCsv(data, readFile);
}

/** What a loaded dataset gives the network, as the checker's NetworkSpec.dataShape records it. */
export function dataShapeOf(dataset: Dataset): DataShape {
  return {
    task: dataset.task,
    features: dataset.features,
    classes: dataset.classes,
    trainSize: dataset.train.n,
    ...(dataset.classLabels ? { classLabels: dataset.classLabels } : {}),
  };
}
