// Formatting with the language's formatter, returned as one edit spanning only the lines
// that change (so the cursor and undo history of unchanged lines are left alone).

/** The replacement, in offsets of the original text: original[start, end) becomes newText. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export function minimalEdit(original: string, formatted: string): OffsetEdit | undefined {
  if (original === formatted) return undefined;
  const before = original.split('\n');
  const after = formatted.split('\n');
  let head = 0;
  while (head < before.length - 1 && head < after.length - 1 && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - 1 - head && tail < after.length - 1 - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  // Whole lines: `head` equal lines (each with its newline) in front, `tail` equal lines behind.
  const headLength = before.slice(0, head).reduce((n, l) => n + l.length + 1, 0);
  const tailLength = before.slice(before.length - tail).reduce((n, l) => n + l.length + 1, 0);
  return {
    start: headLength,
    end: original.length - tailLength,
    newText: formatted.slice(headLength, formatted.length - tailLength),
  };
}
