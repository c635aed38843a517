import { InvalidInputError } from "./provider-errors.js";
import type { CreateConversationInput, SendMessageInput } from "./provider-types.js";

// Checks caller input before anything reaches Twilio and turns it into the SDK's fields.

/** A conversation input as the SDK's create/update fields. */
export function conversationFields(input: CreateConversationInput) {
  return {
    ...(input.friendlyName === undefined ? {} : { friendlyName: input.friendlyName }),
    ...(input.uniqueName === undefined ? {} : { uniqueName: input.uniqueName }),
    ...(input.attributes === undefined
      ? {}
      : { attributes: jsonObject(input.attributes, "attributes") }),
    ...(input.messagingServiceSid === undefined
      ? {}
      : { messagingServiceSid: input.messagingServiceSid }),
    ...(input.timers?.inactive === undefined ? {} : { "timers.inactive": input.timers.inactive }),
    ...(input.timers?.closed === undefined ? {} : { "timers.closed": input.timers.closed }),
  };
}

/** A message input as the SDK's create fields (without media, which is uploaded first). */
export function messageFields(input: SendMessageInput) {
  if (typeof input !== "object" || input === null)
    throw new InvalidInputError(
      "message",
      "sendMessage needs { content }, { media } or { template }.",
    );
  if (input.content !== undefined && typeof input.content !== "string")
    throw new InvalidInputError("content", "content must be a string.");
  const hasContent = typeof input.content === "string" && input.content !== "";
  if (!hasContent && input.media === undefined && input.template === undefined)
    throw new InvalidInputError(
      "content",
      "sendMessage needs content, media or a template; all are empty.",
    );
  if (input.template !== undefined && !/^HX[0-9a-fA-F]{32}$/.test(input.template.contentSid))
    throw new InvalidInputError(
      "template.contentSid",
      "template.contentSid must be a Content SID: HX followed by 32 hex digits.",
    );
  const attributes: Record<string, unknown> = { ...(input.attributes ?? {}) };
  if (input.to !== undefined && !("to" in attributes)) attributes.to = input.to;
  return {
    author: input.from ?? "system",
    ...(hasContent ? { body: input.content as string } : {}),
    ...(Object.keys(attributes).length === 0
      ? {}
      : { attributes: jsonObject(attributes, "attributes") }),
    ...(input.template === undefined
      ? {}
      : {
          contentSid: input.template.contentSid,
          ...(input.template.variables === undefined
            ? {}
            : { contentVariables: JSON.stringify(input.template.variables) }),
        }),
  };
}

function jsonObject(value: unknown, field: string): string {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidInputError(field, `${field} must be a plain object (stored as JSON).`);
  return JSON.stringify(value);
}

/** A SID or unique name safe to put in a URL path. */
export function requireId(value: unknown, field: string): string {
  if (
    typeof value !== "string" ||
    value.trim() === "" ||
    value.length > 256 ||
    /[/?#\s]/.test(value)
  )
    throw new InvalidInputError(
      field,
      `${field} must be a SID or unique name (no spaces, slashes, ? or #).`,
    );
  return value;
}
