/** An element with an optional class and text (set as text, never parsed as HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string | number | null,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** The page's element with `id`; throws when the page lacks it (a markup/script mismatch). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`The console page has no #${id}`);
  return node as T;
}

/** Only http(s) URLs become links; anything else (javascript:, data:) stays text. */
export function isHttpUrl(value: unknown): value is string {
  return typeof value === "string" && /^https?:\/\//i.test(value);
}

/** Three animated dots (the typing indicator), hidden from screen readers. */
export function dots(className: string): HTMLSpanElement {
  const node = el("span", className);
  node.setAttribute("aria-hidden", "true");
  node.append(el("span"), el("span"), el("span"));
  return node;
}
