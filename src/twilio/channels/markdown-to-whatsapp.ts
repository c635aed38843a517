import { type MarkdownStyle, rewriteMarkdown } from "./markdown-to-plain-text.js";

const whatsAppStyle: MarkdownStyle = {
  bold: "*",
  italic: "_",
  strike: "~",
  // WhatsApp has no headings; a bold line reads as one. Bold inside it would nest badly.
  heading: (text) => (text.replaceAll("*", "") === "" ? "" : `*${text.replaceAll("*", "")}*`),
  inlineCode: (code) => `\`\`\`${code}\`\`\``,
  codeBlock: (lines) => ["```", ...lines, "```"],
  quote: (text) => `> ${text}`,
};

/**
 * Markdown in WhatsApp's own formatting: `**bold**` → `*bold*`, `*italic*` → `_italic_`,
 * `~~struck~~` → `~struck~`, code → ` ``` ` monospace, headings → bold lines, links
 * "text (url)", images their URL, bullets "- ", quotes "> ".
 */
export function markdownToWhatsApp(markdown: string): string {
  return rewriteMarkdown(markdown, whatsAppStyle);
}
