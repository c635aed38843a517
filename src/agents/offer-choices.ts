import { jsonSchema } from "ai";
import type { ChannelCapabilities } from "../channel/channel-capabilities.js";
import type { Choice, ChoiceList, QuickReplies } from "../channel/choices.js";
import { InvalidReplyError } from "./agent-errors.js";

/** What the model writes when it calls `offer_choices`. */
export interface OfferChoicesInput {
  /** The question or sentence shown above the options. */
  text: string;
  options: { title: string; description?: string }[];
  /** The label of the button that opens a list (WhatsApp). */
  button?: string;
}

/** The `offer_choices` tool's input, as JSON Schema for the model. */
export const offerChoicesInputSchema = jsonSchema<OfferChoicesInput>({
  type: "object",
  properties: {
    text: { type: "string", description: "The question shown above the options." },
    options: {
      type: "array",
      minItems: 1,
      maxItems: 10,
      items: {
        type: "object",
        properties: {
          title: { type: "string", description: "A short label, at most 20 characters." },
          description: {
            type: "string",
            description: "Optional second line, at most 72 characters.",
          },
        },
        required: ["title"],
        additionalProperties: false,
      },
    },
    button: { type: "string", description: "Label of the button opening a longer list." },
  },
  required: ["text", "options"],
  additionalProperties: false,
});

/**
 * Turns the model's `offer_choices` call into choices: quick replies when the
 * options fit the channel's buttons and have no descriptions, else a list. Ids are made
 * from the titles (`"Tomorrow 9:00"` → `tomorrow-9-00`), unique within the reply, so a tap
 * comes back as something readable in history. The runtime still validates the result
 * against the channel's limits (`validateChoices`) before sending.
 */
export function choicesFromToolInput(
  input: unknown,
  capabilities: Pick<ChannelCapabilities, "maxQuickReplies">,
): QuickReplies | ChoiceList {
  const value = (typeof input === "object" && input !== null ? input : {}) as Record<
    string,
    unknown
  >;
  if (typeof value.text !== "string" || value.text.trim() === "") {
    throw new InvalidReplyError("offer_choices needs a non-empty text above the options.");
  }
  if (!Array.isArray(value.options) || value.options.length === 0) {
    throw new InvalidReplyError("offer_choices needs at least one option.");
  }
  const used = new Set<string>();
  const options: Choice[] = value.options.map((raw: unknown, position: number) => {
    const option = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof option.title !== "string" || option.title.trim() === "") {
      throw new InvalidReplyError(`offer_choices options[${position}] needs a title.`);
    }
    const title = option.title.trim();
    let id = slug(title) || `option-${position + 1}`;
    while (used.has(id)) id = `${id}-${position + 1}`;
    used.add(id);
    const description =
      typeof option.description === "string" && option.description.trim() !== ""
        ? option.description.trim()
        : undefined;
    return description === undefined ? { id, title } : { id, title, description };
  });
  const body = value.text.trim();
  const fitsButtons =
    options.length <= capabilities.maxQuickReplies &&
    options.every((option) => option.description === undefined);
  if (fitsButtons) return { type: "quick-replies", body, options };
  const button =
    typeof value.button === "string" && value.button.trim() !== ""
      ? value.button.trim()
      : "Options";
  return { type: "list", body, button, options };
}

function slug(title: string): string {
  return title
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
}
