/**
 * What a short customer message is, before any knowledge search: small talk gets a polite
 * answer, a request for a person becomes a handoff, everything else is a question.
 */
export type MessageIntent = "empty" | "greeting" | "thanks" | "handoff" | "question";

const greetingWords = new Set([
  "hi",
  "hello",
  "hey",
  "heya",
  "hiya",
  "howdy",
  "yo",
  "greetings",
  "morning",
  "afternoon",
  "evening",
  "good",
  "hola",
  "bonjour",
  "hallo",
  "ciao",
  "there",
  "team",
  "folks",
  "all",
  "everyone",
  "guys",
  "sup",
]);
const thanksWords = new Set([
  "thanks",
  "thank",
  "you",
  "thx",
  "ty",
  "cheers",
  "ok",
  "okay",
  "k",
  "great",
  "perfect",
  "awesome",
  "cool",
  "nice",
  "got",
  "it",
  "bye",
  "goodbye",
  "see",
  "ya",
  "that's",
  "thats",
  "all",
  "much",
  "so",
  "very",
  "many",
  "helpful",
  "brilliant",
  "lovely",
  "good",
  "bye-bye",
]);
const handoffWords = new Set([
  "human",
  "humans",
  "agent",
  "person",
  "people",
  "someone",
  "somebody",
  "representative",
  "rep",
  "operator",
  "staff",
  "employee",
  "manager",
]);
const requestWords = new Set([
  "talk",
  "speak",
  "chat",
  "connect",
  "transfer",
  "want",
  "need",
  "get",
  "give",
  "put",
  "reach",
  "contact",
  "real",
  "actual",
  "live",
]);

/** Lower-case words of a message, without punctuation or emoji. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/[^\p{L}\p{N}'-]+/u)
    .map((word) => word.replace(/^['-]+|['-]+$/g, ""))
    .filter((word) => word !== "");
}

/**
 * Classifies one message. A handoff needs a person word (`human`, `agent`, `person`…) in a
 * short message ("human", "a real person please") or next to a request verb ("can I talk
 * to someone?"), so "can a person under 16 rent a bike?" stays a question.
 */
export function classifyMessage(text: string): MessageIntent {
  const words = wordsOf(text);
  if (words.length === 0) return "empty";
  const asksForPerson = words.some((word) => handoffWords.has(word));
  if (asksForPerson && (words.length <= 4 || words.some((word) => requestWords.has(word)))) {
    return "handoff";
  }
  if (words.every((word) => greetingWords.has(word))) return "greeting";
  if (words.every((word) => thanksWords.has(word))) return "thanks";
  return "question";
}

/**
 * The message without a leading greeting ("Hi! What are your hours?" → "What are your
 * hours?"), so the question is searched on its own words.
 */
export function withoutGreeting(text: string): string {
  const match =
    /^\s*(?:(?:hi|hello|hey|heya|hiya|howdy|hola|bonjour|good\s+(?:morning|afternoon|evening))\b(?:\s+(?:there|team|folks|all|everyone))?[\s,.!:;-]*)/i.exec(
      text,
    );
  return match === null ? text : text.slice(match[0].length);
}
