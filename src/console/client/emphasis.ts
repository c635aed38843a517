/** One run of text in an agent's chat Markdown. */
export interface EmphasisSegment {
  kind: "text" | "strong" | "em";
  text: string;
}

// **bold**, *italics* and _italics_ (the latter only at word boundaries, so snake_case
// stays as typed).
const pattern = /\*\*([^*\n]+)\*\*|\*([^*\s][^*\n]*?)\*|\b_([^_\s][^_\n]*?)_\b/g;

/**
 * Splits the agent's (or an operator's) chat Markdown into plain, bold and italic runs.
 * Pure text in, text out: the caller builds nodes from it, never HTML, so a message
 * cannot inject markup.
 */
export function emphasisSegments(text: string): EmphasisSegment[] {
  const segments: EmphasisSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (index > last) segments.push({ kind: "text", text: text.slice(last, index) });
    if (match[1] !== undefined) segments.push({ kind: "strong", text: match[1] });
    else segments.push({ kind: "em", text: match[2] ?? match[3] ?? "" });
    last = index + match[0].length;
  }
  if (last < text.length) segments.push({ kind: "text", text: text.slice(last) });
  return segments;
}

/** The words of the Markdown without its marks (for one-line previews). */
export function withoutEmphasisMarks(text: string): string {
  return emphasisSegments(text)
    .map((segment) => segment.text)
    .join("");
}

/** Appends `text` to `parent` as text nodes and `strong`/`em` elements. */
export function appendEmphasis(parent: Node, text: string): void {
  const document = parent.ownerDocument ?? (parent as Document);
  for (const segment of emphasisSegments(text)) {
    if (segment.kind === "text") {
      parent.appendChild(document.createTextNode(segment.text));
    } else {
      const node = document.createElement(segment.kind);
      node.textContent = segment.text;
      parent.appendChild(node);
    }
  }
}
