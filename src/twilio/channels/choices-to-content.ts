import { createHash } from "node:crypto";
import type { CardAction, Choices } from "./choices.js";

/** A `POST https://content.twilio.com/v1/Content` body (the `ContentCreateRequest` schema). */
export interface ContentCreateBody {
  friendly_name: string;
  language: string;
  types: Record<string, Record<string, unknown>>;
}

/** Options of {@link choicesToContent}. */
export interface ChoicesToContentOptions {
  /** Template language; default `en`. */
  language?: string | undefined;
  /** Default `switchboard-choices-<first 16 hex digits of the content key>`. */
  friendlyName?: string | undefined;
}

/**
 * Builds the Content API create body for choices, to send on WhatsApp as a `ContentSid`:
 * - quick replies → `twilio/quick-reply` `{ body, actions: [{ type: "QUICK_REPLY", title, id }] }`;
 * - a list → `twilio/list-picker` `{ body, button, items: [{ id, item, description }] }`;
 * - a card → `twilio/card` `{ title, subtitle, media: [url], actions: [{ type: "URL", title, url }
 *   | { type: "PHONE_NUMBER", title, phone } | { type: "QUICK_REPLY", title, id }] }`.
 *
 * Field names follow the Content API's OpenAPI file (`twilio_content_v1.json`). Run
 * `validateChoices(choices, { channel: "whatsapp" })` first: this function does not check
 * limits. List pickers work only inside the 24-hour session and cannot be approved as
 * templates; outside the window send an approved template instead.
 */
export function choicesToContent(
  choices: Choices,
  options: ChoicesToContentOptions = {},
): ContentCreateBody {
  const language = options.language ?? "en";
  return {
    friendly_name:
      options.friendlyName ??
      `switchboard-choices-${choicesContentKey(choices, language).slice(0, 16)}`,
    language,
    types: contentTypes(choices),
  };
}

/**
 * A stable key for choices in a language (SHA-256, hex): the same choices give the same
 * key, so a content template created once can be cached and reused by its key instead of
 * being created for every message.
 */
export function choicesContentKey(choices: Choices, language = "en"): string {
  return createHash("sha256")
    .update(JSON.stringify([language, contentTypes(choices)]))
    .digest("hex");
}

function contentTypes(choices: Choices): Record<string, Record<string, unknown>> {
  switch (choices.type) {
    case "quick-replies":
      return {
        "twilio/quick-reply": {
          body: choices.body,
          actions: choices.options.map((option) => ({
            type: "QUICK_REPLY",
            title: option.title,
            id: option.id,
          })),
        },
      };
    case "list":
      return {
        "twilio/list-picker": {
          body: choices.body,
          button: choices.button,
          items: choices.options.map((option) => ({
            id: option.id,
            item: option.title,
            ...(option.description === undefined ? {} : { description: option.description }),
          })),
        },
      };
    case "card":
      return {
        "twilio/card": {
          title: choices.title,
          ...(choices.subtitle === undefined ? {} : { subtitle: choices.subtitle }),
          ...(choices.mediaUrl === undefined ? {} : { media: [choices.mediaUrl] }),
          actions: choices.actions.map(cardAction),
        },
      };
    default:
      throw new TypeError(
        `choicesToContent: unknown choices type ${JSON.stringify((choices as { type: unknown }).type)}.`,
      );
  }
}

function cardAction(action: CardAction): Record<string, string> {
  switch (action.type) {
    case "url":
      return { type: "URL", title: action.title, url: action.url };
    case "phone":
      return { type: "PHONE_NUMBER", title: action.title, phone: action.phone };
    default:
      return { type: "QUICK_REPLY", title: action.title, id: action.id };
  }
}
