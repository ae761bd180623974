// The language-server preamble of a test file: one bundled server per suite (or per test),
// started in a mocha hook once its settings are read and stopped after, so a test body only
// opens documents and asks.

import { LspClient, type ClientOptions } from './client';

export interface ServerOptions extends ClientOptions {
  /** A fresh server for each test instead of one for the suite. */
  perTest?: boolean;
}

/**
 * Registers the hooks that start and stop a server around the calling `describe`'s tests and
 * returns its client. Options given as a function are read when the server starts (after the
 * suite's own `before` hooks that were registered first, e.g. one making a workspace).
 */
export function withServer(options: ServerOptions | (() => ServerOptions) = {}): LspClient {
  const client = new LspClient(options);
  const perTest = (typeof options === 'function' ? undefined : options.perTest) ?? false;
  (perTest ? beforeEach : before)(async () => {
    await client.connect();
    await client.settingsLoaded();
  });
  (perTest ? afterEach : after)(() => client.stop());
  return client;
}

/** Runs `body` against a server of its own, stopped however `body` ends. */
export async function usingServer<T>(options: ClientOptions, body: (client: LspClient) => Promise<T>): Promise<T> {
  const client = await LspClient.start(options);
  try {
    await client.settingsLoaded();
    return await body(client);
  } finally {
    await client.stop();
  }
}
