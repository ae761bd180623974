// Where a path written in a `.net` file leads, and whether GradLens may read it: relative
// paths are relative to the `.net` file; a file is read only when it is inside a workspace
// folder both as written and once every symbolic link is resolved (a link to the file, or to
// a folder on the way, that leads outside is outside). The written path is tested first, so
// that nothing about files outside — not even whether they exist — shows in a diagnostic.
// The CSV reader (data.ts) and the weights reader (weights.ts) share this one rule.

import { dirname, isAbsolute, isInside, resolve } from './paths';

export interface WorkspaceFileHost {
  /** Absolute path of the `.net` file (undefined while it is unsaved). */
  documentPath?: string;
  workspaceFolders?: string[];
  /** Resolves symbolic links (Node's fs.realpathSync); throws like it for a missing file. */
  realPath?: (absPath: string) => string;
}

export type WorkspaceFile =
  | { ok: true; path: string }
  | { ok: false; reason: 'empty' | 'unsaved' | 'outside' | 'outside-through-link' }
  /** `realPath` failed: the file is missing or cannot be reached; `error` is what it threw. */
  | { ok: false; reason: 'unreachable'; writtenPath: string; error: unknown };

export function resolveWorkspaceFile(path: string, host: WorkspaceFileHost): WorkspaceFile {
  if (path.trim() === '') return { ok: false, reason: 'empty' };
  const base = host.documentPath ? dirname(host.documentPath) : host.workspaceFolders?.[0];
  if (!isAbsolute(path) && !base) return { ok: false, reason: 'unsaved' };
  const writtenPath = base ? resolve(base, path) : resolve('/', path);
  const folders = host.workspaceFolders ?? [];
  const outside = (p: string, real: boolean) => folders.length > 0 && !folders.some((f) => isInside(p, real ? realFolder(f, host) : f));
  if (outside(writtenPath, false)) return { ok: false, reason: 'outside' };
  let realPath = writtenPath;
  if (host.realPath) {
    try {
      realPath = host.realPath(writtenPath);
    } catch (error) {
      return { ok: false, reason: 'unreachable', writtenPath, error };
    }
  }
  if (outside(realPath, true)) return { ok: false, reason: 'outside-through-link' };
  return { ok: true, path: realPath };
}

/** A workspace folder's real path (a folder opened through a link), or the folder as given. */
function realFolder(folder: string, host: WorkspaceFileHost): string {
  try {
    return host.realPath ? host.realPath(folder) : folder;
  } catch {
    return folder;
  }
}
