// The `.net` language core's public face: parse, check, format, and turn analysis fix
// intents into edits. Pure: no vscode, no LSP, no file system except through the host's `readFile`/`readCsv` and `realPath`.

export { parse } from './parser';
export { check, checkDocument, defaultLoss, DEFAULT_MAX_PARAMETERS, type CheckOptions, type CheckResult } from './checker';
export { format } from './formatter';
export { fixEdits } from './fixes';
export { VOCABULARY } from './vocabulary';
