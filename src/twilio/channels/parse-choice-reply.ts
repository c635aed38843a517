import { type Choice, type Choices, selectableChoices } from "./choices.js";

/** How a reply was matched to an option. */
export type ChoiceMatch = "id" | "number" | "title";

/** The option a customer's reply picked. */
export interface PickedChoice {
  choice: Choice;
  /** Zero-based position among the selectable options. */
  index: number;
  matchedBy: ChoiceMatch;
}

const numberWords = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

// A reply longer than this is a sentence, not an answer.
const longestAnswer = 200;

/**
 * Maps a customer's reply to one of the choices they were offered, or `undefined` when it
 * is an ordinary message. Accepted, whole message only, ignoring case, extra spaces and
 * trailing punctuation:
 * - an option's id exactly (a WhatsApp button tap may deliver it);
 * - its number as rendered by {@link renderChoicesAsText}: "2", "2.", "#2", "(2)";
 * - its number as an English word, "two" (up to ten);
 * - its title, "Repairs", or the whole numbered line, "2. Repairs".
 *
 * "2 please" or "I'd like repairs" is not matched: a sentence goes to the agent, which
 * sees the options in history and can interpret it. A number past the last option is not
 * matched either.
 */
export function parseChoiceReply(
  text: string | null | undefined,
  choices: Choices,
): PickedChoice | undefined {
  if (typeof text !== "string" || text.length > longestAnswer) return undefined;
  const options = selectableChoices(choices);
  if (options.length === 0) return undefined;

  const trimmed = text.trim();
  const byId = options.findIndex((option) => option.id === trimmed);
  if (byId !== -1 && trimmed !== "") return picked(options, byId, "id");

  const answer = normalize(text);
  if (answer === "") return undefined;

  const number = /^[#(]?\s*(\d{1,2})\s*[).:]?$/.exec(answer)?.[1];
  const position = number !== undefined ? Number(number) - 1 : numberWords.indexOf(answer);
  if (position >= 0)
    return position < options.length ? picked(options, position, "number") : undefined;

  const byTitle = options.findIndex((option) => normalize(option.title) === answer);
  if (byTitle !== -1) return picked(options, byTitle, "title");

  // The whole numbered line copied back: "2. Repairs" (with or without its description).
  const line = /^(\d{1,2})\s*[.):-]?\s+(.+)$/.exec(answer);
  if (line !== null) {
    const lineIndex = Number(line[1]) - 1;
    const option = options[lineIndex];
    if (option !== undefined) {
      const title = normalize(option.title);
      const described = option.description ? `${title} - ${normalize(option.description)}` : title;
      if (line[2] === title || line[2] === described) return picked(options, lineIndex, "number");
    }
  }
  return undefined;
}

function picked(options: Choice[], index: number, matchedBy: ChoiceMatch): PickedChoice {
  return { choice: options[index] as Choice, index, matchedBy };
}

/** Lower case, compatibility forms folded, spaces collapsed, trailing sentence punctuation gone. */
function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u200B-\u200D\u2060\uFEFF]/gu, "")
    .replace(/\s+/gu, " ")
    .trim()
    .replace(/[\s.!?,;]+$/u, "")
    .toLowerCase();
}
