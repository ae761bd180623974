// The one reader of `gradlens.*` settings on the server: asks the client through
// workspace/configuration when it can, falls back to the defaults, and forgets the cache
// on didChangeConfiguration.

import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, type GradLensSettings } from '../protocol/settings';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges what the client sent over the defaults, keeping only keys of the right type. */
function mergeOver<T>(defaults: T, given: unknown): T {
  if (!isPlain(defaults) || !isPlain(given)) return defaults;
  const merged: Plain = { ...defaults };
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = given[key];
    if (isPlain(fallback)) merged[key] = mergeOver(fallback, value);
    else if (typeof value === typeof fallback && (typeof value !== 'number' || Number.isFinite(value))) merged[key] = value;
  }
  return merged as T;
}

export function settingsFrom(given: unknown): GradLensSettings {
  return mergeOver(DEFAULT_SETTINGS, given);
}

export class SettingsReader {
  private cached: Promise<GradLensSettings> | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly clientSupportsConfiguration: () => boolean,
  ) {}

  get(): Promise<GradLensSettings> {
    if (this.cached) return this.cached;
    if (!this.clientSupportsConfiguration()) return Promise.resolve(DEFAULT_SETTINGS);
    const fetched: Promise<GradLensSettings> = this.connection.workspace
      .getConfiguration({ section: 'gradlens' })
      .then(settingsFrom, () => DEFAULT_SETTINGS);
    this.cached = fetched;
    return fetched;
  }

  /**
   * Settings pushed with didChangeConfiguration (or initializationOptions), as
   * `{ gradlens: {...} }`. Without them, the next get() asks the client again — or keeps
   * what was pushed before when the client cannot be asked.
   */
  changed(pushed: unknown): void {
    const section = isPlain(pushed) ? pushed.gradlens : undefined;
    if (section !== undefined) this.cached = Promise.resolve(settingsFrom(section));
    else if (this.clientSupportsConfiguration()) this.cached = undefined;
  }
}
