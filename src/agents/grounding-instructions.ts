import { parseKnowledge } from "./parse-knowledge.js";

/**
 * Instructions that ground a language model in a knowledge file (the same markdown the
 * offline FAQ agent reads): answer from it, never invent shop facts, and hand the
 * conversation to a person (the `handoff_to_human` tool) when it cannot help.
 */
export function groundingInstructions(knowledgeMarkdown: string): string {
  const title = parseKnowledge(knowledgeMarkdown).title;
  const business = title === undefined ? "this business" : title;
  return [
    `You are the customer assistant of ${business}, answering customers' messages.`,
    "Answer only from the knowledge below. If it does not contain the answer, say plainly that you don't know and offer to pass the customer to a person; never invent prices, times, policies or promises.",
    "When the customer asks for a person, or is upset, or you cannot help, call the handoff_to_human tool.",
    "Politely decline questions that have nothing to do with the business.",
    "",
    "<knowledge>",
    knowledgeMarkdown.trim(),
    "</knowledge>",
  ].join("\n");
}
