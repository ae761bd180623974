// vscode-languageserver 10 and its protocol and JSON-RPC packages expose their `/node`
// entry points only through package `exports` maps, which the project's
// `moduleResolution: node` does not read (esbuild does). These map each import to the
// file it resolves to, for the type checker only.
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
declare module 'vscode-jsonrpc/node' {
  export * from 'vscode-jsonrpc/lib/node/main';
}
