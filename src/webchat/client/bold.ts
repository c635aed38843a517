/**
 * Appends the agent's chat Markdown to `parent` with its **bold** shown bold, built from
 * text nodes (never parsed as HTML, so a reply cannot inject markup).
 */
export function appendBold(parent: Node, text: string): void {
  const document = parent.ownerDocument ?? (parent as Document);
  text.split(/\*\*([^*\n]+)\*\*/).forEach((part, position) => {
    if (part === "") return;
    if (position % 2 === 1) {
      const strong = document.createElement("strong");
      strong.textContent = part;
      parent.appendChild(strong);
    } else {
      parent.appendChild(document.createTextNode(part));
    }
  });
}
