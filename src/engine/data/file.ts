// Reading a data file from disk, for every Node host (CLI, language server, its workers).
// Only regular files, and only up to MAX_CSV_BYTES: a FIFO would block the reader forever
// and /dev/zero would fill its memory, whatever name or link leads to them.

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** The largest CSV GradLens reads (a 72 MB file is read; a runaway export is not). */
export const MAX_CSV_BYTES = 128 * 1024 * 1024;

/** A file GradLens will not read; `code` as fs errors carry one. */
export class RefusedFile extends Error {
  override readonly name = 'RefusedFile';
  constructor(
    readonly code: 'ENOTREG' | 'EFBIG',
    message: string,
  ) {
    super(message);
  }
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function refuse(stats: { isFile(): boolean; size: number }): void {
  if (!stats.isFile()) throw new RefusedFile('ENOTREG', 'it is not a regular file (a FIFO, a device or a folder); GradLens reads data only from regular files');
  if (stats.size > MAX_CSV_BYTES) throw new RefusedFile('EFBIG', `it is ${megabytes(stats.size)}; GradLens reads data files up to ${megabytes(MAX_CSV_BYTES)}`);
}

/** Size and modification time of a readable data file (follows links); throws like fs or RefusedFile. Never opens it. */
export function statDataFile(path: string): FileStamp {
  const stats = statSync(path);
  refuse(stats);
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}

/** The text of a data file; throws like fs or RefusedFile. */
export function readDataFile(path: string): string {
  // O_NONBLOCK: opening a FIFO without a writer returns at once, so the type check on the
  // open descriptor (not on the name, which could be swapped in between) can refuse it.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    refuse(stats);
    // Read what the size says, and at most the cap should the file grow meanwhile.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, MAX_CSV_BYTES));
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.toString('utf8', 0, filled);
  } finally {
    closeSync(fd);
  }
}
