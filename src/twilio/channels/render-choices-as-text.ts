import { type Choices, selectableChoices } from "./choices.js";

/** The line that tells an SMS customer how to answer. */
export const choiceReplyHint = "Reply with a number.";

/**
 * Renders choices as plain text for SMS (and any channel without buttons): the body, then
 * one numbered line per option ("2. Repairs - Same-day fixes"), then "Reply with a
 * number." A card becomes its title, subtitle and image link, its reply buttons numbered,
 * and its link and phone buttons written out ("Book online: https://…").
 *
 * Only GSM-7 punctuation is added (a hyphen, not a dash), so the options never push a
 * message into UCS-2 by themselves. {@link parseChoiceReply} reads the answers.
 */
export function renderChoicesAsText(choices: Choices): string {
  const numbered = selectableChoices(choices).map((option, position) => {
    const description = option.description?.trim();
    return `${position + 1}. ${option.title.trim()}${description ? ` - ${description}` : ""}`;
  });
  const hint = numbered.length > 0 ? [choiceReplyHint] : [];
  if (choices.type !== "card") {
    return [choices.body.trim(), "", ...numbered, ...hint].join("\n");
  }
  const heading = [choices.title, choices.subtitle, choices.mediaUrl]
    .map((line) => line?.trim())
    .filter((line): line is string => line !== undefined && line !== "");
  const links = choices.actions.flatMap((action) => {
    if (action.type === "url") return [`${action.title.trim()}: ${action.url}`];
    if (action.type === "phone") return [`${action.title.trim()}: ${action.phone}`];
    return [];
  });
  const blocks = [heading, numbered.length > 0 ? [...numbered, ...hint] : [], links].filter(
    (block) => block.length > 0,
  );
  return blocks.map((block) => block.join("\n")).join("\n\n");
}
