import { SwitchboardError } from "../../errors.js";
import type { ContentTemplate } from "./content-store.js";

/** The channel a template is delivered on; it decides which content type is used. */
export type ContentChannel = "sms" | "whatsapp" | "chat";

/** A button, list item or link offered with the rendered text. */
export interface RenderedAction {
  title: string;
  id?: string;
  type?: string;
  url?: string;
  phone?: string;
}

/** What the customer receives for a template: its text with the variables filled in. */
export interface RenderedContent {
  /** The content type that was rendered, e.g. `twilio/quick-reply`. */
  contentType: string;
  /** The delivered text; `null` for a media-only template (as a message `body` would be). */
  body: string | null;
  /** Media URLs (`twilio/media`, `twilio/card`), variables filled in. */
  media: string[];
  /** Buttons or list items, variables filled in. */
  actions: RenderedAction[];
}

/** Stable codes of `ContentRenderError`. */
export type ContentRenderErrorCode =
  | "unknown_content"
  | "invalid_content_variables"
  | "missing_content_variable"
  | "unsupported_content_type";

// The Twilio error a send reports for each: 21656 ("The ContentVariables Parameter is
// invalid") is documented; 21655 ("The ContentSid is Invalid") is likely.
const twilioCodes: Record<ContentRenderErrorCode, number | undefined> = {
  unknown_content: 21655,
  invalid_content_variables: 21656,
  missing_content_variable: 21656,
  unsupported_content_type: undefined,
};

/** Why a template could not be rendered; `twilioCode` is the error a send reports. */
export class ContentRenderError extends SwitchboardError {
  readonly twilioCode: number | undefined;
  constructor(code: ContentRenderErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.twilioCode = twilioCodes[code];
  }
}

/** Longest ContentVariables JSON accepted; a send's whole form is far smaller than this. */
export const maxContentVariablesLength = 16_384;

const placeholder = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

// Rich types first on channels that can show them; SMS gets the plain fallbacks first,
// as Twilio falls back to twilio/text on channels without rich content.
const preference: Record<ContentChannel, readonly string[]> = {
  whatsapp: [
    "twilio/quick-reply",
    "twilio/call-to-action",
    "twilio/list-picker",
    "twilio/card",
    "twilio/media",
    "twilio/location",
    "twilio/text",
  ],
  chat: [
    "twilio/quick-reply",
    "twilio/call-to-action",
    "twilio/list-picker",
    "twilio/card",
    "twilio/media",
    "twilio/location",
    "twilio/text",
  ],
  sms: [
    "twilio/text",
    "twilio/media",
    "twilio/quick-reply",
    "twilio/call-to-action",
    "twilio/list-picker",
    "twilio/card",
    "twilio/location",
  ],
};

/**
 * Renders a template as delivered: `{{1}}` / `{{name}}` placeholders take their value
 * from `variablesJson` (the message's `ContentVariables`, a JSON object string), falling
 * back to the template's own `variables`. Throws `ContentRenderError` for malformed JSON,
 * non-object JSON, non-string values, a placeholder with no value, or a template with no
 * content type this emulator can render.
 */
export function renderTemplate(
  content: Pick<ContentTemplate, "sid" | "types" | "variables">,
  variablesJson?: string | null,
  options: { channel?: ContentChannel } = {},
): RenderedContent {
  const values = { ...content.variables, ...parseContentVariables(variablesJson) };
  const fill = (text: string) =>
    text.replace(placeholder, (_match, name: string) => {
      const value = values[name];
      if (value === undefined)
        throw new ContentRenderError(
          "missing_content_variable",
          `Template ${content.sid} uses {{${name}}} but ContentVariables has no "${name}" and the template has no default for it.`,
        );
      return value;
    });

  const contentType = preference[options.channel ?? "whatsapp"].find(
    (name) => content.types[name] !== undefined,
  );
  const definition = contentType ? content.types[contentType] : undefined;
  if (!contentType || !definition)
    throw new ContentRenderError(
      "unsupported_content_type",
      `Template ${content.sid} has no content type the emulator can deliver (has: ${Object.keys(content.types).join(", ")}).`,
    );

  const text = (field: string) => {
    const value = definition[field];
    return typeof value === "string" ? fill(value) : undefined;
  };
  const actions = (field: string): RenderedAction[] =>
    asObjects(definition[field]).map((action) => renderAction(action, fill));

  switch (contentType) {
    case "twilio/media":
      return {
        contentType,
        body: text("body") ?? null,
        media: asStrings(definition.media).map(fill),
        actions: [],
      };
    case "twilio/card": {
      const lines = [text("title"), text("subtitle")].filter((line) => line !== undefined);
      return {
        contentType,
        body: lines.length > 0 ? lines.join("\n") : null,
        media: asStrings(definition.media).map(fill),
        actions: actions("actions"),
      };
    }
    case "twilio/list-picker":
      return {
        contentType,
        body: text("body") ?? null,
        media: [],
        actions: asObjects(definition.items).map((item) => {
          const rendered: RenderedAction = { title: fill(String(item.item ?? "")) };
          if (typeof item.id === "string") rendered.id = fill(item.id);
          return rendered;
        }),
      };
    case "twilio/location": {
      const label = text("label") ?? text("address");
      return {
        contentType,
        body: label ?? `${String(definition.latitude)}, ${String(definition.longitude)}`,
        media: [],
        actions: [],
      };
    }
    default:
      return { contentType, body: text("body") ?? null, media: [], actions: actions("actions") };
  }
}

/**
 * Parses a `ContentVariables` value: absent or empty means none; otherwise a JSON object
 * whose values are strings (numbers are accepted and stringified, as clients often send
 * them). Anything else throws `ContentRenderError` with code `invalid_content_variables`.
 */
export function parseContentVariables(variablesJson?: string | null): Record<string, string> {
  if (variablesJson === undefined || variablesJson === null || variablesJson.trim() === "")
    return {};
  if (variablesJson.length > maxContentVariablesLength)
    throw new ContentRenderError(
      "invalid_content_variables",
      `ContentVariables is longer than ${maxContentVariablesLength} characters.`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(variablesJson);
  } catch (error) {
    throw new ContentRenderError(
      "invalid_content_variables",
      'ContentVariables is not valid JSON; send an object such as {"1":"Jane"}.',
      { cause: error },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ContentRenderError(
      "invalid_content_variables",
      'ContentVariables must be a JSON object such as {"1":"Jane"}.',
    );
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === "string") values[name] = value;
    else if (typeof value === "number" && Number.isFinite(value)) values[name] = String(value);
    else
      throw new ContentRenderError(
        "invalid_content_variables",
        `ContentVariables["${name}"] must be a string.`,
      );
  }
  return values;
}

function renderAction(
  action: Record<string, unknown>,
  fill: (text: string) => string,
): RenderedAction {
  const rendered: RenderedAction = { title: fill(String(action.title ?? "")) };
  for (const field of ["id", "type", "url", "phone"] as const) {
    const value = action[field];
    if (typeof value === "string") rendered[field] = field === "type" ? value : fill(value);
  }
  return rendered;
}

function asObjects(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is Record<string, unknown> => typeof item === "object" && item !== null,
  );
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}
