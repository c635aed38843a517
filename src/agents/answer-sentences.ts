/**
 * The units an answer can be quoted by: its sentences, and each list item or table row
 * whole. Markdown emphasis stays as written, so a quoted sentence looks as in the entry.
 */
export function answerSentences(answer: string): string[] {
  const sentences: string[] = [];
  for (const line of answer.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    // A list item or table row is one fact ("- **E-bike:** $25 per hour or $75 per day").
    if (/^(?:[-*+]\s|\d+[.)]\s|\|)/.test(trimmed)) {
      sentences.push(trimmed);
      continue;
    }
    // A sentence ends at . ! or ? before a space and a capital, digit or emphasis, so
    // "e.g. this" and "$4.50" stay whole.
    sentences.push(...trimmed.split(/(?<=[.!?])\s+(?=[A-Z0-9*_"(])/));
  }
  return sentences;
}
