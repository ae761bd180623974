// The `.net` language core's public face: parse, check, format, and turn analysis fix
// intents into edits. Pure: no vscode, no LSP, no file system except through `readFile`.

export { parse } from './parser';
export { VOCABULARY } from './vocabulary';
