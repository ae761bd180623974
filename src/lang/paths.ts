// The few path operations the checker needs, written out so src/lang stays free of Node
// APIs (it also runs where `path` does not exist). Handles `/` and Windows `\` and `C:`.

function isWindows(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/') || isWindows(p);
}

function separatorOf(p: string): string {
  return isWindows(p) ? '\\' : '/';
}

/** Removes `.` and `..` segments and doubled separators. */
export function normalize(p: string): string {
  const sep = separatorOf(p);
  const parts = p.split(/[\\/]+/);
  const out: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '.' || (part === '' && i > 0)) continue;
    if (part === '..' && out.length > 1) out.pop();
    else if (part !== '..') out.push(part);
  }
  const joined = out.join(sep);
  return joined === '' ? sep : joined;
}

export function dirname(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i <= 0 ? separatorOf(p) : p.slice(0, i);
}

export function resolve(base: string, relative: string): string {
  if (isAbsolute(relative)) return normalize(relative);
  return normalize(base + separatorOf(base) + relative);
}

/** Whether `p` is `folder` or inside it (both absolute). */
export function isInside(p: string, folder: string): boolean {
  const a = normalize(p);
  const b = normalize(folder).replace(/[\\/]$/, '');
  const caseless = isWindows(a);
  const x = caseless ? a.toLowerCase() : a;
  const y = caseless ? b.toLowerCase() : b;
  return x === y || x.startsWith(y + separatorOf(a));
}
