/**
 * How customers write, for the offline FAQ index: texting abbreviations, phrases that mean
 * one thing, words that mean the same thing in a shop, and words that say *what kind* of
 * question is asked rather than what it is about. The same rules run over the knowledge
 * and over the question, so they only have to be consistent, not linguistically complete.
 *
 * The lists are for small businesses in general (a bike shop, a bakery, a clinic), never
 * for one knowledge file: a word belongs here only if customers of any shop use it so.
 */

/** Texting spellings → the word they stand for (before stop words are dropped). */
const abbreviations: Readonly<Record<string, string>> = {
  u: "you",
  ur: "your",
  r: "are",
  pls: "please",
  plz: "please",
  tmrw: "tomorrow",
  tmr: "tomorrow",
  tmw: "tomorrow",
  tomoz: "tomorrow",
  "2moro": "tomorrow",
  "2day": "today",
  tdy: "today",
  thx: "thanks",
  whats: "what",
  wats: "what",
  wot: "what",
  hasnt: "has",
  havent: "have",
  dont: "do",
  doesnt: "does",
  cant: "can",
  wont: "will",
  isnt: "is",
  im: "i",
  ive: "i",
  bday: "birthday",
  b4: "before",
  asap: "soon",
  abt: "about",
  info: "information",
  nr: "number",
  num: "number",
  appt: "appointment",
  whereabouts: "where",
  abouts: "",
};

/** Multi-word phrases → one word, applied to the lower-cased text before splitting. */
const phrases: ReadonlyArray<readonly [RegExp, string]> = [
  [/\be[\s-]?bikes?\b/g, "ebike"],
  [/\bsecond[\s-]?hand\b/g, "used"],
  [/\bpre[\s-]?owned\b/g, "used"],
  [/\bmoney back\b/g, "refund"],
  [/\bsend (?:it |them )?back\b/g, "return"],
  [/\b(?:get )?in touch\b/g, "contact"],
  [/\bcar park\b/g, "parking"],
  [/\bpark (?:my|the|a|our) car\b/g, "parking"],
  [/\bpick[\s-]?up\b/g, "collect"],
  [/\bset aside\b/g, "reserve"],
  [/\bput ((?:\w+ ){0,3})aside\b/g, "reserve $1"],
  [/\bhow many (?:days|hours|weeks)\b/g, "duration"],
  [/\btune[\s-]?up\b/g, "tuneup"],
  [/\bhow much\b/g, "price"],
  [/\bhow long\b/g, "duration"],
  [/\bgluten[\s-]?free\b/g, "gluten"],
  [/\bdairy[\s-]?free\b/g, "vegan"],
  [/\bplant[\s-]?based\b/g, "vegan"],
];

/**
 * Words with one meaning in a shop, by stem (see `stem` in faq-index.ts) → the group's
 * name. "hiring" (a job) stems to "hir", "hire" (a rental) to "hire", so they stay apart.
 */
const groups: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["rent", ["rent", "rental", "hire", "borrow", "lend", "loan"]],
  [
    "ship",
    ["ship", "shipp", "shipping", "deliver", "delivery", "post", "postage", "courier", "mail"],
  ],
  ["repair", ["repair", "fix", "mend", "broken", "broke"]],
  ["ebike", ["ebike", "electric"]],
  ["used", ["used", "secondhand", "refurbished"]],
  ["contact", ["contact", "phone", "call", "email", "ring", "reach"]],
  ["price", ["price", "cost", "charge", "fee", "rate", "much"]],
  ["duration", ["duration", "long"]],
  ["book", ["book", "booking", "reserve", "reserv", "reservation", "preorder"]],
  ["discount", ["discount", "deal", "offer", "promo", "coupon", "sale", "cheaper"]],
  ["gift", ["gift", "voucher"]],
  ["job", ["job", "hir", "vacancy", "vacancie", "career", "cv", "resume"]],
  ["kid", ["kid", "child", "children", "toddler", "baby", "son", "daughter"]],
  ["age", ["age", "old", "older", "year", "aged"]],
  ["buy", ["buy", "bought", "purchase", "purchas"]],
  ["address", ["address", "location", "locat", "where"]],
  ["hour", ["hour", "hourly", "afternoon", "morning", "evening"]],
  ["bread", ["bread", "loaf", "loave"]],
  ["home", ["home", "house", "apartment"]],
  ["allergy", ["allergy", "allergie", "allergen", "allergic", "intolerance"]],
  ["cafe", ["cafe", "café", "restaurant"]],
  [
    "international",
    [
      "international",
      "internationally",
      "abroad",
      "overseas",
      "worldwide",
      "canada",
      "mexico",
      "europe",
      "uk",
      "england",
      "ireland",
      "france",
      "germany",
      "spain",
      "italy",
      "australia",
      "japan",
      "china",
      "india",
      "brazil",
    ],
  ],
];

const groupOf = new Map<string, string>(
  groups.flatMap(([name, members]) => members.map((member) => [member, name] as const)),
);

/**
 * Words that say what kind of question it is ("price", "duration") rather than what it is
 * about: they count half when judging how much of a question an entry explains, so "how
 * much is a pizza" is not answered by a price list that lacks pizza, and "how much is a
 * tune-up" is carried by "tune-up".
 */
const intentTerms = new Set(["price", "duration", "hour", "buy", "sell", "have", "make"]);

/** Words that say nothing about the subject at all: dropped like stop words. */
export const fillerWords = new Set(
  `item items thing things stuff something anything somewhere anywhere someone moment
  currently right now ok okay safe going already last next kind type sort lot lots bit
  possible possibly maybe ever still really actually again mine dad mum mom mums moms
  come coming along with without scheme program programme option options see happen
  happens happened people persons guests`.split(/\s+/),
);

/** Lower-cases, unifies apostrophes and rewrites multi-word phrases. */
export function normalizeCustomerText(text: string): string {
  let normalized = text.toLowerCase().replace(/[’‘`]/g, "'");
  for (const [pattern, replacement] of phrases)
    normalized = normalized.replace(pattern, replacement);
  return normalized;
}

/** The word a texting abbreviation stands for, or the word itself. */
export function expandAbbreviation(word: string): string {
  const bare = word.replace(/'s$/, "");
  return abbreviations[bare] ?? bare;
}

/** The group a stemmed word belongs to ("hire" → "rent"), or the stem itself. */
export function canonicalTerm(stemmed: string): string {
  return groupOf.get(stemmed) ?? stemmed;
}

/** How much a (canonical) query term counts: 1 for subject words, ½ for intent words and numbers. */
export function termWeight(term: string): number {
  // A number ("for 15 people", "size 56") is a detail the answer rarely repeats.
  return intentTerms.has(term) ? 0.5 : 1;
}
