// CSV as GradLens reads it — the one parser of the checker and the engine, so a file the
// checker accepts is a file the engine loads. Comma separated; each field is trimmed of
// spaces and tabs around it; a field in double quotes keeps its text exactly and may hold
// commas, line breaks and "" for a quote; a quote inside an unquoted field is a plain
// character. Lines end in \n, \r\n or \r, mixed freely; blank lines and a leading BOM are
// skipped. An unclosed quote or text after a closing quote is a CsvSyntaxError with the
// line. Pure: the host reads the file (src/engine/data/file.ts on Node).

/** A text that is not CSV as above; `line` is 1-based. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  readonly code = 'csv-syntax';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export interface CsvRecords {
  records: string[][];
  /** 1-based line on which each record starts. */
  lines: number[];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

function lineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) count++;
  }
  return count;
}

// Written for speed on tens of megabytes: fields are sliced from the text, never built
// character by character (a 40 MB file parses in a fraction of a second).
export function parseCsv(text: string): CsvRecords {
  const records: string[][] = [];
  const lines: number[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const startLine = line;
    const record: string[] = [];
    for (;;) {
      let c = text.charCodeAt(i);
      while (c === SPACE || c === TAB) c = text.charCodeAt(++i);
      if (c === QUOTE) {
        const openLine = line;
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) throw new CsvSyntaxError(`the quoted field opened on line ${openLine} is never closed`, openLine);
          value += text.slice(from, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        line += lineBreaks(value);
        c = text.charCodeAt(i);
        while (c === SPACE || c === TAB) c = text.charCodeAt(++i);
        if (i < n && c !== COMMA && c !== LF && c !== CR) throw new CsvSyntaxError(`line ${line} has text after the closing quote of a field`, line);
        record.push(value);
      } else {
        const start = i;
        while (i < n && c !== COMMA && c !== LF && c !== CR) c = text.charCodeAt(++i);
        let end = i;
        while (end > start && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === TAB)) end--;
        record.push(text.slice(start, end));
      }
      if (i < n && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      break;
    }
    if (i < n) {
      if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
      i++;
      line++;
    }
    if (record.length > 1 || record[0] !== '') {
      records.push(record);
      lines.push(startLine);
    }
  }
  return { records, lines };
}

/**
 * The largest magnitude GradLens trains on. Beyond it a float64 no longer holds every
 * integer (2^53 ≈ 9e15) and squares start to overflow float32: such a column is an ID or
 * a unit mistake, and standardising it would hide the problem (a ±1e308 column's
 * variance overflows and every value becomes 0).
 */
export const MAX_MAGNITUDE = 1e15;
/** More distinct labels than this in a classification target is a wrong `target=`. */
export const MAX_LABELS = 1000;

/** A number field: non-empty, finite. */
export function isNumeric(field: string): boolean {
  return field !== '' && Number.isFinite(Number(field));
}

/** Where a field is: 0-based data row and 1-based line of the file. */
export interface CsvCell {
  row: number;
  line: number;
  value: string;
}

export interface CsvColumn {
  /** The first field that is not a number. */
  firstText?: CsvCell;
  /** The first number beyond ±MAX_MAGNITUDE. */
  firstHuge?: CsvCell;
  /** Distinct fields in order of appearance, at most MAX_LABELS + 1. */
  distinct: string[];
}

/** What the checker needs of a CSV file, small enough to cache and to pass between threads. */
export interface CsvSummary {
  /** The header's names, or 1, 2, … without a header. */
  columns: string[];
  /** Data rows (the header not counted). */
  rows: number;
  /** The first data row whose field count differs from the header's. */
  ragged?: { row: number; line: number; fields: number };
  /** Per column, over the rows of the right width. */
  perColumn: CsvColumn[];
}

/** Parses and summarises a CSV text; throws CsvSyntaxError. */
export function summarizeCsv(text: string, header: boolean): CsvSummary {
  const { records, lines } = parseCsv(text);
  const first = header ? 1 : 0;
  const width = records.length > 0 ? records[0].length : 0;
  const columns = header ? (records[0] ?? []) : Array.from({ length: width }, (_, i) => String(i + 1));
  const perColumn: CsvColumn[] = columns.map(() => ({ distinct: [] }));
  const seen = columns.map(() => new Set<string>());
  let ragged: CsvSummary['ragged'];
  for (let r = first; r < records.length; r++) {
    const record = records[r];
    const row = r - first;
    if (record.length !== width) {
      ragged ??= { row, line: lines[r], fields: record.length };
      continue;
    }
    for (let j = 0; j < width; j++) {
      const field = record[j];
      const column = perColumn[j];
      if (seen[j].size <= MAX_LABELS && !seen[j].has(field)) {
        seen[j].add(field);
        column.distinct.push(field);
      }
      if (column.firstText && column.firstHuge) continue;
      const value = field === '' ? NaN : Number(field);
      if (!Number.isFinite(value)) column.firstText ??= { row, line: lines[r], value: field };
      else if (Math.abs(value) > MAX_MAGNITUDE) column.firstHuge ??= { row, line: lines[r], value: field };
    }
  }
  return { columns, rows: Math.max(0, records.length - first), ...(ragged ? { ragged } : {}), perColumn };
}

/** Summaries read through a plain file reader (the CLI, tests): no cache, no threads. */
export function csvSummaries(readFile: (absPath: string) => string): (absPath: string, header: boolean) => CsvSummary {
  return (absPath, header) => summarizeCsv(readFile(absPath), header);
}
