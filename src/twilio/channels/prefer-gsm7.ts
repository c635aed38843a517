import { isGsm7Text } from "./sms-segments.js";

/**
 * Typographic characters and their GSM-7 stand-ins. Only punctuation, spacing and symbols
 * a reader sees as the same thing: letters are never touched, so accented and non-Latin
 * text keeps its meaning. An empty string drops the character (invisible ones).
 *
 * Twilio's Messaging Services do something similar ("Smart Encoding"), but Conversations
 * messages do not go through it, so switchboard does it before sending.
 */
export const gsm7Replacements: Readonly<Record<string, string>> = Object.freeze({
  // Single quotes, apostrophes, primes and accents used as quotes.
  "\u2018": "'", // ‘
  "\u2019": "'", // ’
  "\u201A": "'", // ‚
  "\u201B": "'", // ‛
  "\u2032": "'", // ′
  "\u2035": "'", // ‵
  "\u02BC": "'", // ʼ
  "\u02B9": "'", // ʹ
  "\u00B4": "'", // ´
  "`": "'",
  "\u2039": "'", // ‹
  "\u203A": "'", // ›
  // Double quotes.
  "\u201C": '"', // “
  "\u201D": '"', // ”
  "\u201E": '"', // „
  "\u201F": '"', // ‟
  "\u2033": '"', // ″
  "\u2036": '"', // ‶
  "\u00AB": '"', // «
  "\u00BB": '"', // »
  // Dashes, hyphens and the minus sign.
  "\u2010": "-", // ‐ hyphen
  "\u2011": "-", // ‑ non-breaking hyphen
  "\u2012": "-", // ‒ figure dash
  "\u2013": "-", // – en dash
  "\u2014": "-", // — em dash
  "\u2015": "-", // ― horizontal bar
  "\u2212": "-", // − minus
  "\u2043": "-", // ⁃ hyphen bullet
  // Ellipsis and other compound punctuation.
  "\u2026": "...", // …
  "\u2024": ".", // ․
  "\u2044": "/", // ⁄ fraction slash
  "\u2215": "/", // ∕ division slash
  "\u02C6": "^", // ˆ
  "\u02DC": "~", // ˜
  "\u00D7": "x", // ×
  "\u2192": "->", // →
  "\u2190": "<-", // ←
  // Bullets become the hyphen a plain-text list uses.
  "\u2022": "-", // •
  "\u2023": "-", // ‣
  "\u2219": "-", // ∙
  "\u25E6": "-", // ◦
  "\u00B7": "-", // ·
  // Spaces: tab, non-breaking and typographic widths become a plain space.
  "\t": " ",
  "\u00A0": " ",
  "\u2000": " ",
  "\u2001": " ",
  "\u2002": " ",
  "\u2003": " ",
  "\u2004": " ",
  "\u2005": " ",
  "\u2006": " ",
  "\u2007": " ",
  "\u2008": " ",
  "\u2009": " ",
  "\u200A": " ",
  "\u202F": " ",
  "\u205F": " ",
  "\u3000": " ",
  // Line and paragraph separators become a newline.
  "\u2028": "\n",
  "\u2029": "\n",
  // Invisible characters are dropped.
  "\u200B": "", // zero-width space
  "\u200C": "", // zero-width non-joiner
  "\u200D": "", // zero-width joiner
  "\u2060": "", // word joiner
  "\uFEFF": "", // byte-order mark / zero-width no-break space
  "\u00AD": "", // soft hyphen
});

const replaceable = new RegExp(
  `[${Object.keys(gsm7Replacements).map(escapeClass).join("")}]`,
  "gu",
);

/**
 * Makes an SMS body GSM-7 when only typographic characters stand in the way: curly quotes
 * become straight, dashes hyphens, "…" three dots, odd spaces plain ones, invisible
 * characters vanish. One curly apostrophe otherwise switches a whole message to UCS-2 —
 * 70 characters a segment instead of 160.
 *
 * A text that needs UCS-2 anyway (an emoji, Cyrillic, Chinese, a letter outside GSM-7)
 * is returned unchanged: it costs the same either way, so it is not degraded. A text
 * already in GSM-7 is returned as is. Mapping can lengthen a text ("…" is three
 * characters); callers with a length limit check the result.
 */
export function preferGsm7(text: string): string {
  if (isGsm7Text(text)) return text;
  const mapped = text.replace(replaceable, (character) => gsm7Replacements[character] ?? character);
  return isGsm7Text(mapped) ? mapped : text;
}

function escapeClass(character: string): string {
  return /[\\\]^-]/.test(character) ? `\\${character}` : character;
}
