// Errors a user causes with a `data "file.csv"` statement. Thrown by the loader as
// values with stable codes; the checker and the CLI turn them into diagnostics
// (`file:line:col: code: message`), never into stack traces.

export type DataErrorCode =
  /** The file does not exist. */
  | 'csv-missing'
  /** The file exists but cannot be read, or is not valid CSV (an unclosed quote…). */
  | 'csv-unreadable'
  /** No data rows. */
  | 'csv-empty'
  /** A row with the wrong number of columns, or a feature that is not a number. */
  | 'csv-bad-row'
  /** `target=` names no column. */
  | 'csv-no-target';

export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    readonly code: DataErrorCode,
    message: string,
    /** 1-based line of the CSV file the error is on, when it is on one. */
    readonly line?: number,
  ) {
    super(message);
  }
}

export function isDataError(error: unknown): error is DataError {
  return error instanceof DataError;
}
