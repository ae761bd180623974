// The language server's CSV thread (dist/csv-worker.js): reads and summarises data files
// too large to parse on the main thread between two keystrokes. One file at a time, in
// the order asked; errors travel back as values with their code.

import { parentPort } from 'node:worker_threads';
import { readDataFile } from '../engine/data/file';
import { summarizeCsv } from '../lang/csv';
import type { CsvFromWorker, CsvToWorker } from './csvFiles';

parentPort?.on('message', (message: CsvToWorker) => {
  let reply: CsvFromWorker;
  try {
    reply = { job: message.job, summary: summarizeCsv(readDataFile(message.path), message.header) };
  } catch (error) {
    const { code, message: text } = error as { code?: unknown; message?: unknown };
    reply = { job: message.job, error: { code: typeof code === 'string' ? code : undefined, message: typeof text === 'string' ? text : String(error) } };
  }
  parentPort?.postMessage(reply);
});
