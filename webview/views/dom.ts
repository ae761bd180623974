// Small DOM builders shared by the views (no framework: the inspector is a handful of
// panels updated in place).

export function append<K extends keyof HTMLElementTagNameMap>(parent: HTMLElement, tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  parent.append(el);
  return el;
}

export function heading(parent: HTMLElement, text: string): HTMLElement {
  return append(parent, 'h2', '', text);
}

/** Sets text only when it changed: rows update many times a second. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
