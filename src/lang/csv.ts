// Just enough CSV to know a file's shape at check time: the header, the row count and
// whether the target column is numeric. Comma separated, fields may be "quoted" (with ""
// for a quote inside). The engine's loader reads the values; the checker only needs
// the shape and the class labels.

export interface CsvTable {
  columns: string[];
  rows: string[][];
}

/** Splits text into records; quoted fields may hold commas, quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field.trim());
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field.trim());
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  record.push(field.trim());
  if (record.length > 1 || record[0] !== '') records.push(record);
  return records;
}

export function readTable(text: string, header: boolean): CsvTable {
  const records = parseCsv(text);
  if (!header) {
    const width = records.length ? records[0].length : 0;
    return { columns: Array.from({ length: width }, (_, i) => String(i + 1)), rows: records };
  }
  return { columns: records[0] ?? [], rows: records.slice(1) };
}

export function isNumeric(field: string): boolean {
  return field !== '' && Number.isFinite(Number(field));
}
