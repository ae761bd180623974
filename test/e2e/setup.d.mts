// Types of setup.mjs for the TypeScript tests that import it.
export declare const root: string;
export declare const e2eDir: string;
export declare const codeServerEntry: string;
export declare const vsixPath: string;
export declare function ensureAptPackages(): void;
export declare function ensureCodeServer(): string;
export declare function buildVsix(): string;
export declare function installExtension(extensionsDir: string, userDataDir: string): string;
export declare function copyExamples(into?: string): string;
export interface CodeServer {
  port: number;
  base: string;
  /** The workbench with the workspace folder open. */
  url: string;
  /** Ends code-server's whole process group; idempotent. */
  stop(): Promise<void>;
  log(): string;
}
export declare function startCodeServer(options: {
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  port?: number;
  extraArgs?: string[];
  logFile?: string;
}): Promise<CodeServer>;
