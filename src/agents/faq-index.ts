import MiniSearch from "minisearch";
import { answerSentences } from "./answer-sentences.js";
import {
  canonicalTerm,
  expandAbbreviation,
  fillerWords,
  normalizeCustomerText,
  termWeight,
} from "./customer-words.js";
import type { KnowledgeEntry } from "./parse-knowledge.js";

/** A knowledge entry found for a question, with how well it matched. */
export interface FaqMatch {
  entry: KnowledgeEntry;
  /** MiniSearch's relevance score (BM25 with field boosts); higher is better. */
  score: number;
  /** How much of the question the entry explains, 0–1 (see {@link FaqIndex}). */
  coverage: number;
  /**
   * How many distinct subject words of the question (not intent words) the entry's
   * question or keywords contain: two such words make a match trustworthy even when the
   * customer wrapped them in words the knowledge never uses ("my chain keeps slipping").
   */
  topicTerms: number;
}

// Words that say nothing about *which* question is asked; left out so that "what are your
// hours" is matched on "hours", not on "your".
const stopWords = new Set(
  `a about an and any are as at be been but by can could did do does doing for from get got
  had has have how i i'd i'm if in into is it it's its just me my of on or our please so
  than that the their them then there these they this to too up us was we were what when
  which who why will with would you you're your yours hi hello hey thanks thank there's
  tell know want like need wondering question also anything some what's where's when's
  how's who's i've i'll don't doesn't can't cannot is there's let's take`.split(/\s+/),
);

/**
 * Reduces a word to a rough stem so that "rentals", "renting" and "rented" meet "rental"
 * and "rent". Deliberately crude: the same function runs on the knowledge and on the
 * question, so it only has to be consistent, not linguistically right.
 */
export function stem(word: string): string {
  let term = word.toLowerCase().replace(/'s$/, "");
  if (term.length > 4 && term.endsWith("ies")) term = `${term.slice(0, -3)}y`;
  else if (term.length > 5 && term.endsWith("ing")) term = term.slice(0, -3);
  else if (term.length > 4 && term.endsWith("ed")) term = term.slice(0, -2);
  else if (term.length > 3 && term.endsWith("s") && !term.endsWith("ss")) term = term.slice(0, -1);
  return term;
}

/**
 * One word of a knowledge entry or a question → its searchable form: abbreviations
 * expanded ("ur" → "your"), stop and filler words dropped, stemmed, and shop synonyms met
 * at one name ("hire" → "rent"). Canonical names map to themselves, so running it again
 * on its own output (as MiniSearch does on queries) changes nothing.
 */
function processTerm(term: string): string | null {
  const word = expandAbbreviation(term.toLowerCase().replace(/^'+|'+$/g, ""));
  if (word.length < 2 || stopWords.has(word) || fillerWords.has(word)) return null;
  return canonicalTerm(stem(word));
}

/** Splits text into words after rewriting customer phrases ("e-bike" → "ebike"). */
function tokenize(text: string): string[] {
  return normalizeCustomerText(text).split(/[^\p{L}\p{N}']+/u);
}

/** A full-text index over knowledge entries (MiniSearch: fuzzy, prefix, field boosts). */
export class FaqIndex {
  readonly #search: MiniSearch<{ id: number; question: string; keywords: string; answer: string }>;
  readonly #entries: readonly KnowledgeEntry[];
  /** Per entry, per sentence of its answer, the sentence's terms. */
  readonly #sentenceTerms: ReadonlyArray<ReadonlyArray<ReadonlySet<string>>>;

  constructor(entries: readonly KnowledgeEntry[]) {
    this.#entries = entries;
    this.#sentenceTerms = entries.map((entry) =>
      answerSentences(entry.answer).map((sentence) => new Set(termsOf(sentence))),
    );
    this.#search = new MiniSearch({
      fields: ["question", "keywords", "answer"],
      tokenize,
      processTerm,
      searchOptions: {
        // The question says what an entry is about; keywords are the customer's words for
        // it; the answer mentions many things in passing, so it counts least.
        boost: { question: 3, keywords: 2, answer: 1 },
        // Typos: one edit from four letters on, two from eight.
        fuzzy: (term) => (term.length >= 8 ? 2 : term.length >= 4 ? 1 : false),
        prefix: (term) => term.length >= 4,
        combineWith: "OR",
        // Intent words ("price", "duration") say what kind of answer is wanted, not which.
        boostTerm: (term) => termWeight(term),
      },
    });
    this.#search.addAll(
      entries.map((entry, id) => ({
        id,
        question: entry.question,
        keywords: entry.keywords.join(" "),
        answer: entry.answer,
      })),
    );
  }

  /**
   * The best matches for a question, best first: the top candidates by relevance score,
   * re-ranked by coverage (an entry that explains every word of the question beats one
   * that repeats a single word often), score breaking ties.
   */
  search(text: string, limit = 3): FaqMatch[] {
    // Bounded so a pasted essay costs a few searches, not thousands.
    const queryTerms = [...new Set(termsOf(text))].slice(0, 24);
    if (queryTerms.length === 0) return [];
    return this.#search
      .search(queryTerms.join(" "))
      .slice(0, Math.max(limit, 5))
      .map((result) => ({
        entry: this.#entries[result.id as number]!,
        score: result.score,
        ...this.#coverage(result.id as number, queryTerms),
      }))
      .sort((left, right) => right.coverage - left.coverage || right.score - left.score)
      .slice(0, limit);
  }

  /**
   * How much of the question an entry explains: each query word found in the entry's
   * question or keywords counts 1, found only in its answer 0.5 (answers mention many
   * things in passing), not found 0; averaged over the query's words, intent words
   * ("price", "duration") weighing half as much as the words saying what it is about.
   */
  /**
   * What a word found only in an answer earns: ½, or ¾ when no other answer of a
   * knowledge of five or more entries mentions it — "focaccia" names the bread entry
   * even though its heading does not say it. (In a tiny knowledge every word is unique,
   * which would say nothing.)
   */
  #passingCredit(term: string): number {
    if (this.#entries.length < 5) return 0.5;
    let entries = 0;
    for (const sentences of this.#sentenceTerms) {
      if (sentences.some((sentence) => sentenceHas(sentence, term))) entries += 1;
      if (entries > 1) return 0.5;
    }
    return 0.75;
  }

  #coverage(id: number, queryTerms: readonly string[]): { coverage: number; topicTerms: number } {
    let total = 0;
    let weights = 0;
    let topicTerms = 0;
    // Words the answer holds together in one sentence ("kids' … in school holidays") are
    // what that sentence is about, not words it mentions in passing.
    const together = new Set(
      this.#sentenceTerms[id]!.flatMap((sentence) => {
        const found = queryTerms.filter((term) => sentenceHas(sentence, term));
        return found.filter((term) => termWeight(term) === 1).length >= 2 ? found : [];
      }),
    );
    for (const term of queryTerms) {
      const weight = termWeight(term);
      weights += weight;
      const hit = this.#search.search(term, { filter: (result) => result.id === id })[0];
      if (hit === undefined) continue;
      const fields = new Set(Object.values(hit.match).flat());
      const inTopic = fields.has("question") || fields.has("keywords");
      total += weight * (inTopic || together.has(term) ? 1 : this.#passingCredit(term));
      if (inTopic && weight === 1) topicTerms += 1;
    }
    return { coverage: weights === 0 ? 0 : total / weights, topicTerms };
  }
}

/** Whether a sentence's terms hold `term`, as the index would find it (four letters prefix). */
export function sentenceHas(sentence: ReadonlySet<string>, term: string): boolean {
  if (sentence.has(term)) return true;
  if (term.length < 4) return false;
  for (const word of sentence) if (word.startsWith(term)) return true;
  return false;
}

/** The searchable words of a text: stop words dropped, the rest stemmed. */
export function termsOf(text: string): string[] {
  return tokenize(text)
    .map((term) => processTerm(term))
    .filter((term): term is string => term !== null && term !== "");
}
