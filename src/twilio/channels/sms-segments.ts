/** How an SMS body is encoded and into how many segments the carrier splits it. */
export interface SmsSegments {
  /** GSM-7 when every character is in the GSM 03.38 alphabet, else UCS-2. */
  encoding: "GSM-7" | "UCS-2";
  /** Segments billed and sent; 0 for an empty body. */
  segments: number;
  /** Characters as a person counts them (Unicode code points). */
  characters: number;
  /**
   * Encoding units used: septets for GSM-7 (an extension character such as `€` or `{`
   * takes two), UTF-16 code units for UCS-2 (an emoji takes two).
   */
  units: number;
}

// GSM 03.38 basic character set (one septet each).
const basic = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
// The extension table: reached through an escape septet, so each counts two.
const extension = new Set("\f^{}\\[~]|€");

/**
 * Counts the SMS segments of a body the way carriers do: GSM-7 fits 160 septets in one
 * segment or 153 per segment when concatenated; anything outside GSM-7 (an emoji, a curly
 * quote, most non-Latin scripts) switches the whole message to UCS-2: 70, or 67 per
 * segment. A two-unit character (an extension character, a surrogate pair) is never split
 * across segments, which is why the count can exceed `ceil(units / 153)`.
 */
export function smsSegments(text: string): SmsSegments {
  const characters = [...text];
  const isGsm = characters.every(isGsm7Character);
  const widths = characters.map((character) =>
    isGsm ? (extension.has(character) ? 2 : 1) : character.length,
  );
  const units = widths.reduce((sum, width) => sum + width, 0);
  const [single, concatenated] = isGsm ? [160, 153] : [70, 67];
  let segments = 0;
  if (units > single) {
    let used = concatenated;
    for (const width of widths) {
      if (used + width > concatenated) {
        segments += 1;
        used = 0;
      }
      used += width;
    }
  } else if (units > 0) {
    segments = 1;
  }
  return { encoding: isGsm ? "GSM-7" : "UCS-2", segments, characters: characters.length, units };
}

/** Whether one character (code point) is in the GSM 03.38 basic or extension table. */
export function isGsm7Character(character: string): boolean {
  return basic.has(character) || extension.has(character);
}

/** Whether a whole text can go out as GSM-7 (every character in the GSM 03.38 tables). */
export function isGsm7Text(text: string): boolean {
  for (const character of text) if (!isGsm7Character(character)) return false;
  return true;
}
