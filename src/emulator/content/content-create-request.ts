import { SwitchboardError } from "../../errors.js";
import type { ContentTemplateInput } from "./content-store.js";

/** A create body the Content API would refuse; the message says which field and why. */
export class ContentRequestError extends SwitchboardError {
  constructor(message: string) {
    super("invalid_content_request", message);
  }
}

/**
 * The content types Twilio's Content API knows (the `types` schema of its OpenAPI file).
 * Types not listed in `requiredFields` are stored as given.
 */
export const knownContentTypes: readonly string[] = [
  "twilio/text",
  "twilio/media",
  "twilio/location",
  "twilio/list-picker",
  "twilio/call-to-action",
  "twilio/quick-reply",
  "twilio/card",
  "twilio/catalog",
  "twilio/carousel",
  "twilio/flows",
  "twilio/schedule",
  "whatsapp/card",
  "whatsapp/authentication",
  "whatsapp/flows",
];

// Required fields and their JSON types, from the spec's schemas for the types we render.
const requiredFields: Record<string, Record<string, "string" | "array" | "number">> = {
  "twilio/text": { body: "string" },
  "twilio/media": { media: "array" },
  "twilio/quick-reply": { body: "string", actions: "array" },
  "twilio/call-to-action": { body: "string", actions: "array" },
  "twilio/list-picker": { body: "string", button: "string", items: "array" },
  "twilio/location": { latitude: "number", longitude: "number" },
};

const maxVariables = 100;

/**
 * Validates a `POST /v1/Content` body (already JSON-parsed) against what the Content API
 * requires: `language` and at least one known entry in `types`; optional `friendly_name`
 * and string-valued `variables`. Unknown top-level fields are ignored.
 */
export function parseContentCreateRequest(body: unknown): ContentTemplateInput {
  if (!isPlainObject(body))
    throw new ContentRequestError("The request body must be a JSON object.");
  const { friendly_name, language, variables, types } = body;

  if (typeof language !== "string" || language.trim() === "")
    throw new ContentRequestError("language is required: a language code such as 'en'.");
  if (friendly_name !== undefined && typeof friendly_name !== "string")
    throw new ContentRequestError("friendly_name must be a string.");

  const parsedVariables: Record<string, string> = {};
  if (variables !== undefined) {
    if (!isPlainObject(variables))
      throw new ContentRequestError('variables must be an object such as {"1": "Jane"}.');
    const entries = Object.entries(variables);
    if (entries.length > maxVariables)
      throw new ContentRequestError(`variables may hold at most ${maxVariables} entries.`);
    for (const [name, value] of entries) {
      if (typeof value !== "string")
        throw new ContentRequestError(`variables.${name} must be a string.`);
      parsedVariables[name] = value;
    }
  }

  if (!isPlainObject(types))
    throw new ContentRequestError('types is required: an object such as {"twilio/text": {...}}.');
  const typeEntries = Object.entries(types);
  if (typeEntries.length === 0)
    throw new ContentRequestError("types must contain at least one content type.");
  const parsedTypes: Record<string, Record<string, unknown>> = {};
  for (const [name, definition] of typeEntries) {
    if (!knownContentTypes.includes(name))
      throw new ContentRequestError(`types.${name} is not a content type the Content API knows.`);
    if (!isPlainObject(definition))
      throw new ContentRequestError(`types.${name} must be an object.`);
    for (const [field, kind] of Object.entries(requiredFields[name] ?? {})) {
      const value = definition[field];
      const ok =
        kind === "array"
          ? Array.isArray(value) && value.length > 0
          : kind === "number"
            ? typeof value === "number" && Number.isFinite(value)
            : typeof value === "string";
      if (!ok) throw new ContentRequestError(`types.${name}.${field} is required (${kind}).`);
    }
    parsedTypes[name] = definition;
  }

  return {
    friendly_name: friendly_name ?? "",
    language,
    variables: parsedVariables,
    types: parsedTypes,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
