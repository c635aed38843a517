/** A child `h` accepts: nodes, text, nothing, or lists of these. */
export type Child = Node | string | number | null | undefined | false | Child[];

/**
 * Builds an element: `props` become attributes (`class` the class name, `onclick` a click
 * listener; null, undefined and false are left out), children are appended, strings as
 * text nodes — never HTML, since everything the inspector shows is untrusted.
 */
export function h(
  tag: string,
  props: Record<string, string | number | boolean | null | undefined | (() => void)> | null,
  ...children: Child[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = String(value);
    else if (key === "onclick" && typeof value === "function")
      element.addEventListener("click", value);
    else element.setAttribute(key, String(value));
  }
  for (const child of children) append(element, child);
  return element;
}

function append(element: HTMLElement, child: Child): void {
  if (child === undefined || child === null || child === false) return;
  if (Array.isArray(child)) {
    for (const item of child) append(element, item);
    return;
  }
  element.append(child instanceof Node ? child : document.createTextNode(String(child)));
}
