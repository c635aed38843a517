import { answerSentences } from "./answer-sentences.js";
import { termWeight } from "./customer-words.js";
import { sentenceHas, termsOf } from "./faq-index.js";
import type { KnowledgeEntry } from "./parse-knowledge.js";

/**
 * The part of an entry's answer that answers the question: one sentence when the question
 * asks for one fact the entry's heading does not name ("Can my 15 year old rent an
 * e-bike?" → "E-bike riders must be 18 or older."), the whole answer when it asks about
 * the entry's topic ("what do I need to rent a bike?").
 *
 * A question asks for one fact when a single sentence holds at least two of its subject
 * words beyond the heading's, and more of them than any other sentence: then that sentence
 * is the answer and the rest of the entry is noise on a phone screen. Anything less
 * certain gets the whole entry, which is never wrong, only long.
 */
export function focusAnswer(entry: KnowledgeEntry, question: string): string {
  const sentences = answerSentences(entry.answer);
  if (sentences.length < 3) return entry.answer;
  const heading = new Set(termsOf(entry.question));
  const details = [...new Set(termsOf(question))].filter(
    (term) => termWeight(term) === 1 && !sentenceHas(heading, term),
  );
  if (details.length < 2) return entry.answer;
  const counts = sentences.map((sentence) => {
    const terms = new Set(termsOf(sentence));
    return details.filter((term) => sentenceHas(terms, term)).length;
  });
  const best = Math.max(...counts);
  if (best < 2 || counts.filter((count) => count === best).length > 1) return entry.answer;
  return sentences[counts.indexOf(best)]!;
}
