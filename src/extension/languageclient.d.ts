// vscode-languageclient 11 exposes `vscode-languageclient/node` only through its package
// `exports` map, which the project's `moduleResolution: node` does not read (esbuild does).
// This maps the import to the file it resolves to, for the type checker only.
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
