// Colours for what the inspector draws on canvases (sparklines, heatmap, uPlot series),
// read from VS Code's theme variables so light, dark and high-contrast themes all work.
// Re-read whenever VS Code switches theme (it changes the body class and the variables).

export interface Palette {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  red: string;
  yellow: string;
  orange: string;
  blue: string;
  green: string;
  purple: string;
  highContrast: boolean;
}

type Rgb = [number, number, number];

export function readPalette(root: Element = document.body): Palette {
  const style = getComputedStyle(root);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-editor-foreground', '#cccccc');
  return {
    foreground,
    muted: v('--vscode-descriptionForeground', foreground),
    background: v('--vscode-editor-background', '#1e1e1e'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', '#80808040')),
    red: v('--vscode-charts-red', '#f14c4c'),
    yellow: v('--vscode-charts-yellow', '#cca700'),
    orange: v('--vscode-charts-orange', '#d18616'),
    blue: v('--vscode-charts-blue', '#3794ff'),
    green: v('--vscode-charts-green', '#89d185'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour as [r, g, b] (via a canvas, which normalises every CSS colour syntax). */
export function toRgb(color: string): Rgb {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return [128, 128, 128];
  probe.fillStyle = '#000';
  probe.fillStyle = color;
  const normal = probe.fillStyle;
  if (normal.startsWith('#')) {
    const n = parseInt(normal.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const m = normal.match(/[\d.]+/g);
  return m ? [Number(m[0]), Number(m[1]), Number(m[2])] : [128, 128, 128];
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function css([r, g, b]: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${r | 0},${g | 0},${b | 0})` : `rgba(${r | 0},${g | 0},${b | 0},${alpha})`;
}

/**
 * One colour per layer, by depth: first layer blue, middle purple, last orange. Depth is
 * what matters when gradients vanish or explode, so neighbours get neighbouring colours.
 */
export function layerColors(palette: Palette, count: number, alpha = 1): string[] {
  const stops = [toRgb(palette.blue), toRgb(palette.purple), toRgb(palette.orange)];
  return Array.from({ length: count }, (_, i) => {
    const t = count <= 1 ? 0 : i / (count - 1);
    const rgb = t < 0.5 ? mix(stops[0], stops[1], t * 2) : mix(stops[1], stops[2], (t - 0.5) * 2);
    return css(rgb, alpha);
  });
}

/**
 * The heatmap's colour scale as a 256-entry RGB table: blue (smallest ‖∇‖, vanishing)
 * through green and yellow to red (largest, exploding).
 */
export function heatScale(palette: Palette): Uint8ClampedArray {
  const stops = [palette.blue, palette.green, palette.yellow, palette.red].map(toRgb);
  const table = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const t = (k / 255) * (stops.length - 1);
    const s = Math.min(stops.length - 2, Math.floor(t));
    const rgb = mix(stops[s], stops[s + 1], t - s);
    table.set(rgb, k * 3);
  }
  return table;
}

export function withAlpha(color: string, alpha: number): string {
  return css(toRgb(color), alpha);
}
