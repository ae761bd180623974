// Entry point of the inspector webview bundle (dist/webview/inspector.js). The page comes
// from html.ts; VS Code provides acquireVsCodeApi(), which may be called only once.

import 'uplot/dist/uPlot.min.css';
import './inspector.css';
import type { FromWebview } from '../src/protocol/webview';
import { Inspector, type VsCodeApi } from './inspector';

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;
const inspector = new Inspector(root, vscode);
window.addEventListener('message', (event: MessageEvent) => inspector.receive(event.data));
vscode.postMessage({ type: 'ready' } satisfies FromWebview);
