// The inspector's HTML page, shared by the extension's panel (src/extension/inspector.ts)
// and the Chromium test harness so both run under the same Content Security Policy:
// nothing loads but the bundle's own script and stylesheet (by nonce) from the webview's
// resource origin; no inline script, no remote resource. uPlot and the views set styles
// through the CSSOM (element.style), which style-src does not restrict.

export interface InspectorHtmlOptions {
  /** URI of dist/webview/inspector.js as the webview sees it (webview.asWebviewUri). */
  scriptUri: string;
  /** URI of dist/webview/inspector.css. */
  styleUri: string;
  /** webview.cspSource: the origin local resources are served from. */
  cspSource: string;
  /** A fresh random nonce per page load (base64 or hex, no quotes). */
  nonce: string;
}

export function contentSecurityPolicy({ cspSource, nonce }: Pick<InspectorHtmlOptions, 'cspSource' | 'nonce'>): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function inspectorHtml(options: InspectorHtmlOptions): string {
  const { scriptUri, styleUri, nonce } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(options))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${escapeAttribute(nonce)}" href="${escapeAttribute(styleUri)}">
<title>GradLens Inspector</title>
</head>
<body>
<div id="app"></div>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
