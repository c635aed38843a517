/**
 * How {@link rewriteMarkdown} renders each markdown construct. The two channel styles
 * (plain text for SMS, WhatsApp's own markup) differ only in these choices.
 */
export interface MarkdownStyle {
  /** Markers put around bold, italic and struck-through text (`""` to drop them). */
  bold: string;
  italic: string;
  strike: string;
  /** A heading's text, already converted. */
  heading(text: string): string;
  /** A code span's literal content. */
  inlineCode(code: string): string;
  /** A fenced block's literal lines. */
  codeBlock(lines: readonly string[]): string[];
  /** A block quote line's converted content. */
  quote(text: string): string;
}

const fencePattern = /^\s*(`{3,}|~{3,})/;
const headingPattern = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const rulePattern = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const quotePattern = /^\s{0,3}>\s?(.*)$/;
const bulletPattern = /^(\s*)[-*+]\s+(.*)$/;

// Spans are bounded ({0,2000}, URLs {1,2048}) so that hostile input such as 30 000 "["
// stays linear instead of making every opener scan to the end of the line.
// Private-use characters mark converted spans while other rules still run, so that
// neither a URL's underscores nor WhatsApp's own `*` are taken for markdown later.
const slotOpen = "\uE000";
const slotClose = "\uE001";
const boldMark = "\uE002";
const italicMark = "\uE003";
const strikeMark = "\uE004";
const slotPattern = new RegExp(`${slotOpen}(\\d+)${slotClose}`, "g");

/**
 * Converts markdown line by line with a {@link MarkdownStyle}: fenced code is kept
 * literally, headings, quotes and bullets are restyled, and inline markup (emphasis, code
 * spans, links, images) is rewritten; links become "text (url)", images their URL.
 * Markdown it does not know (tables, HTML) is left as written.
 */
export function rewriteMarkdown(markdown: string, style: MarkdownStyle): string {
  const output: string[] = [];
  let fence: { marker: string; lines: string[] } | undefined;
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const fenceMatch = fencePattern.exec(line);
    if (fence !== undefined) {
      if (
        fenceMatch !== null &&
        fenceMatch[1]!.startsWith(fence.marker) &&
        line.trim() === fenceMatch[1]
      ) {
        output.push(...style.codeBlock(fence.lines));
        fence = undefined;
      } else {
        fence.lines.push(line);
      }
      continue;
    }
    if (fenceMatch !== null) {
      fence = { marker: fenceMatch[1]!, lines: [] };
      continue;
    }
    if (line.trim() === "") {
      output.push("");
      continue;
    }
    if (rulePattern.test(line)) {
      output.push("");
      continue;
    }
    const heading = headingPattern.exec(line);
    if (heading !== null) {
      output.push(style.heading(rewriteInline(heading[1]!, style)));
      continue;
    }
    const quote = quotePattern.exec(line);
    if (quote !== null) {
      output.push(style.quote(rewriteInline(quote[1]!, style)));
      continue;
    }
    const bullet = bulletPattern.exec(line);
    if (bullet !== null) {
      output.push(`${bullet[1]}- ${rewriteInline(bullet[2]!, style)}`);
      continue;
    }
    output.push(rewriteInline(line, style));
  }
  // An unclosed fence still holds code: keep it rather than lose it.
  if (fence !== undefined) output.push(...style.codeBlock(fence.lines));
  return output
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function rewriteInline(text: string, style: MarkdownStyle): string {
  const slots: string[] = [];
  const slot = (literal: string) => {
    slots.push(literal);
    return `${slotOpen}${slots.length - 1}${slotClose}`;
  };
  const link = (label: string, url: string) => {
    const plainLabel = label.trim();
    const bareUrl = url.replace(/^mailto:/, "");
    if (
      plainLabel === "" ||
      plainLabel === url ||
      plainLabel === bareUrl ||
      `https://${plainLabel}` === url
    ) {
      return slot(bareUrl);
    }
    return `${plainLabel} (${slot(bareUrl)})`;
  };

  let result = text
    // Backslash escapes and code spans are literal: nothing inside them is markup.
    .replace(/\\([\\`*_{}[\]()#+\-.!~>|])/g, (_, character: string) => slot(character))
    .replace(/(`+)(?!`)([\s\S]{0,2000}?[^`])\1(?!`)/g, (_, _ticks: string, code: string) =>
      slot(style.inlineCode(code.trim() === "" ? code : code.replace(/^ (.*) $/, "$1"))),
    )
    .replace(
      /!\[([^\]]{0,500})\]\(\s*<?([^\s)>]{1,2048})>?(?:\s+["'(][^)]{0,500})?\s*\)/g,
      (_, _alt: string, url: string) => slot(url),
    )
    .replace(
      /\[([^\]]{0,500})\]\(\s*<?([^\s)>]{1,2048})>?(?:\s+["'(][^)]{0,500})?\s*\)/g,
      (_, label: string, url: string) => link(label, url),
    )
    .replace(/<((?:https?|mailto):[^\s>]{1,2048})>/g, (_, url: string) =>
      slot(url.replace(/^mailto:/, "")),
    )
    .replace(/\bhttps?:\/\/[^\s<>]*[^\s<>.,;:!?)'"]/g, (url) => slot(url));

  result = result
    .replace(/\*\*(?=\S)([\s\S]{0,2000}?\S)\*\*/g, `${boldMark}$1${boldMark}`)
    .replace(
      /(?<![\p{L}\p{N}_])__(?=\S)([\s\S]{0,2000}?\S)__(?![\p{L}\p{N}_])/gu,
      `${boldMark}$1${boldMark}`,
    )
    .replace(/~~(?=\S)([\s\S]{0,2000}?\S)~~/g, `${strikeMark}$1${strikeMark}`)
    .replace(
      /(?<![\p{L}\p{N}*])\*(?=[^\s*])([^*]{0,2000}?[^\s*])\*(?![\p{L}\p{N}*])/gu,
      `${italicMark}$1${italicMark}`,
    )
    .replace(
      /(?<![\p{L}\p{N}_])_(?=[^\s_])([^_]{0,2000}?[^\s_])_(?![\p{L}\p{N}_])/gu,
      `${italicMark}$1${italicMark}`,
    );

  return result
    .replaceAll(boldMark, style.bold)
    .replaceAll(italicMark, style.italic)
    .replaceAll(strikeMark, style.strike)
    .replace(slotPattern, (_, position: string) => slots[Number(position)]!);
}

const plainStyle: MarkdownStyle = {
  bold: "",
  italic: "",
  strike: "",
  heading: (text) => text,
  inlineCode: (code) => code,
  codeBlock: (lines) => [...lines],
  quote: (text) => text,
};

/**
 * Markdown as plain text for SMS, which shows every character literally: emphasis markers
 * are dropped, headings become their text, links "text (url)", images their URL, bullets
 * "- ", and code (spans and fenced blocks) is kept as text.
 */
export function markdownToPlainText(markdown: string): string {
  return rewriteMarkdown(markdown, plainStyle);
}
