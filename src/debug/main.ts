// `node dist/debug.js`: the training debugger, speaking the Debug Adapter Protocol on
// stdin/stdout (adapter.ts).

import { DebugSession } from '@vscode/debugadapter';
import { GradLensDebugSession } from './adapter';

DebugSession.run(GradLensDebugSession);
