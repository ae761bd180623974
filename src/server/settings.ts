// The one reader of `gradlens.*` settings on the server: asks the client through
// workspace/configuration when it can, validates with the settings schema
// (src/protocol/settings.ts), falls back to the defaults, and forgets the cache on
// didChangeConfiguration.

import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, settingsFrom, type GradLensSettings } from '../protocol/settings';

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { settingsFrom };

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
