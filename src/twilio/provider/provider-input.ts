import { describeValue } from "../../describe-value.js";
import { nearestName } from "../../nearest-name.js";
import type { Channel } from "../channels/address.js";
import { InvalidInputError } from "./provider-errors.js";
import type {
  CreateConversationInput,
  ListConversationsOptions,
  ListMessagesOptions,
  MediaInput,
  SendMessageInput,
  StreamOptions,
  TemplateInput,
  TwilioConversationState,
  UpdateConversationInput,
} from "./provider-types.js";

// Checks caller input before anything reaches Twilio and turns it into the SDK's fields. In
// plain JavaScript a misspelt field is otherwise ignored and a wrong type stringified, so
// every input object is checked for unknown keys and every field for its type.

const createConversationKeys = {
  friendlyName: true,
  uniqueName: true,
  attributes: true,
  messagingServiceSid: true,
  timers: true,
} as const satisfies Record<keyof CreateConversationInput, true>;

const updateConversationKeys = {
  ...createConversationKeys,
  state: true,
} as const satisfies Record<keyof UpdateConversationInput, true>;

const timerKeys = { inactive: true, closed: true } as const satisfies Record<
  keyof NonNullable<CreateConversationInput["timers"]>,
  true
>;

const sendMessageKeys = {
  timeoutMs: true,
  content: true,
  from: true,
  to: true,
  attributes: true,
  media: true,
  template: true,
} as const satisfies Record<keyof SendMessageInput, true>;

/** Every key of every member of a union (`keyof` alone gives only the shared ones). */
export type KeysOf<T> = T extends unknown ? keyof T : never;

const mediaKeys = {
  content: true,
  contentType: true,
  filename: true,
  sid: true,
} as const satisfies Record<KeysOf<MediaInput>, true>;
const templateKeys = { contentSid: true, variables: true } as const satisfies Record<
  keyof TemplateInput,
  true
>;

const listConversationsKeys = {
  state: true,
  startDate: true,
  pageSize: true,
} as const satisfies Record<keyof ListConversationsOptions, true>;

const listMessagesKeys = {
  order: true,
  pageSize: true,
  limit: true,
  channel: true,
} as const satisfies Record<keyof ListMessagesOptions, true>;

const streamKeys = { signal: true, bufferSize: true } as const satisfies Record<
  keyof StreamOptions,
  true
>;

const states: readonly TwilioConversationState[] = ["active", "inactive", "closed"];
const channels: readonly Channel[] = ["sms", "whatsapp", "chat"];
/** Twilio's largest list page for Conversations resources. */
const maxPageSize = 100;

/** A conversation input as the SDK's create/update fields (with `state` on update). */
export function conversationFields(
  input: unknown,
  operation: "createConversation" | "updateConversation",
) {
  const fields = requireInput(
    input,
    "conversation",
    `${operation} needs an object such as { friendlyName: "Support" }`,
  );
  refuseUnknownFields(
    fields,
    operation === "createConversation" ? createConversationKeys : updateConversationKeys,
    "",
    operation,
  );
  const friendlyName = optionalString(fields.friendlyName, "friendlyName");
  const uniqueName = optionalString(fields.uniqueName, "uniqueName");
  const messagingServiceSid = optionalString(fields.messagingServiceSid, "messagingServiceSid");
  const timers =
    fields.timers === undefined
      ? {}
      : requireInput(fields.timers, "timers", 'timers must be an object like { inactive: "PT1H" }');
  refuseUnknownFields(timers, timerKeys, "timers.", operation);
  const inactive = optionalString(timers.inactive, "timers.inactive");
  const closed = optionalString(timers.closed, "timers.closed");
  const state = oneOf(fields.state, states, "state");
  return {
    ...(friendlyName === undefined ? {} : { friendlyName }),
    ...(uniqueName === undefined ? {} : { uniqueName }),
    ...(fields.attributes === undefined
      ? {}
      : { attributes: jsonObject(fields.attributes, "attributes") }),
    ...(messagingServiceSid === undefined ? {} : { messagingServiceSid }),
    ...(inactive === undefined ? {} : { "timers.inactive": inactive }),
    ...(closed === undefined ? {} : { "timers.closed": closed }),
    ...(state === undefined ? {} : { state }),
  };
}

/**
 * A `sendMessage` input, checked: the SDK's create fields, the media to upload first (none
 * with a template, which Twilio sends instead) and the send's time bound.
 */
export function messageRequest(input: unknown) {
  const fields = requireInput(
    input,
    "message",
    "sendMessage needs { content }, { media } or { template }",
  );
  refuseUnknownFields(fields, sendMessageKeys, "", "sendMessage");
  const { timeoutMs } = fields;
  if (
    timeoutMs !== undefined &&
    !(typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs > 0)
  )
    throw new InvalidInputError("timeoutMs", "sendMessage timeoutMs must be a positive number.");
  const content = optionalString(fields.content, "content");
  const from = optionalString(fields.from, "from");
  const to = optionalString(fields.to, "to");
  const media = mediaOf(fields.media);
  const template = templateOf(fields.template);
  const hasContent = content !== undefined && content !== "";
  if (!hasContent && media === undefined && template === undefined)
    throw new InvalidInputError(
      "content",
      "sendMessage needs content, media or a template; all are empty.",
    );
  const attributes: Record<string, unknown> =
    fields.attributes === undefined ? {} : { ...plainObject(fields.attributes, "attributes") };
  if (to !== undefined && !("to" in attributes)) attributes.to = to;
  return {
    timeoutMs: timeoutMs as number | undefined,
    media: template === undefined ? media : undefined,
    fields: {
      author: from ?? "system",
      ...(hasContent ? { body: content } : {}),
      ...(Object.keys(attributes).length === 0
        ? {}
        : { attributes: jsonObject(attributes, "attributes") }),
      ...(template === undefined
        ? {}
        : {
            contentSid: template.contentSid,
            ...(template.variables === undefined
              ? {}
              : { contentVariables: jsonObject(template.variables, "template.variables") }),
          }),
    },
  };
}

/** A checked `sendMessage` input (`messageRequest`). */
export type MessageRequest = ReturnType<typeof messageRequest>;

/** The media of a message, checked: an `ME…` SID, or non-empty bytes with a media type. */
function mediaOf(value: unknown): MediaInput | undefined {
  if (value === undefined) return undefined;
  const media = requireInput(
    value,
    "media",
    'media must be { content, contentType } or { sid: "ME…" }',
  );
  refuseUnknownFields(media, mediaKeys, "media.", "sendMessage");
  if ("sid" in media) {
    if (Object.keys(media).length > 1)
      throw new InvalidInputError(
        "media",
        "media is either { sid } (already uploaded) or { content, contentType, filename }, not both.",
      );
    return { sid: requireSid(media.sid, "ME", "media.sid", "a media SID") };
  }
  if (!(media.content instanceof Uint8Array) || media.content.byteLength === 0)
    throw new InvalidInputError(
      "media.content",
      "media.content must be non-empty bytes (a Uint8Array or Buffer).",
    );
  if (typeof media.contentType !== "string" || !/^[\w.+-]+\/[\w.+-]+/.test(media.contentType))
    throw new InvalidInputError(
      "media.contentType",
      "media.contentType must be a media type such as image/png.",
    );
  const filename = optionalString(media.filename, "media.filename");
  return {
    content: media.content,
    contentType: media.contentType,
    ...(filename === undefined ? {} : { filename }),
  };
}

function templateOf(value: unknown): TemplateInput | undefined {
  if (value === undefined) return undefined;
  const template = requireInput(value, "template", 'template must be { contentSid: "HX…" }');
  refuseUnknownFields(template, templateKeys, "template.", "sendMessage");
  const contentSid = requireSid(template.contentSid, "HX", "template.contentSid", "a Content SID");
  return template.variables === undefined
    ? { contentSid }
    : {
        contentSid,
        variables: plainObject(template.variables, "template.variables") as Record<string, string>,
      };
}

/** `listConversations` options as the SDK's page parameters. */
export function conversationListQuery(options: unknown) {
  const fields = requireInput(options, "options", "listConversations takes an options object");
  refuseUnknownFields(fields, listConversationsKeys, "", "listConversations");
  const state = oneOf(fields.state, states, "state");
  const startDate = fields.startDate;
  if (
    startDate !== undefined &&
    !(startDate instanceof Date && Number.isFinite(startDate.getTime()))
  )
    throw new InvalidInputError("startDate", "startDate must be a valid Date.");
  const pageSize = optionalPageSize(fields.pageSize);
  return {
    ...(state === undefined ? {} : { state }),
    ...(startDate === undefined ? {} : { startDate: twilioDay(startDate) }),
    ...(pageSize === undefined ? {} : { pageSize }),
  };
}

/** `listMessages` options, checked. */
export function messageListOptions(options: unknown) {
  const fields = requireInput(options, "options", "listMessages takes an options object");
  refuseUnknownFields(fields, listMessagesKeys, "", "listMessages");
  const limit = fields.limit;
  if (
    limit !== undefined &&
    limit !== Number.POSITIVE_INFINITY &&
    !(typeof limit === "number" && Number.isInteger(limit) && limit >= 0)
  )
    throw new InvalidInputError(
      "limit",
      "limit must be a whole number of messages (0 or more); leave it out for all of them.",
    );
  return {
    order: oneOf(fields.order, ["asc", "desc"] as const, "order") ?? "asc",
    pageSize: optionalPageSize(fields.pageSize),
    limit: (limit as number | undefined) ?? Number.POSITIVE_INFINITY,
    channel: oneOf(fields.channel, channels, "channel"),
  };
}

/** `receiveMessages` / `events` options, with the provider's buffer size as the default. */
export function streamOptions(options: unknown, defaultBufferSize: number) {
  const fields = requireInput(options, "options", "the stream options must be an object");
  refuseUnknownFields(fields, streamKeys, "", "the stream options");
  const { signal, bufferSize } = fields;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidInputError("signal", "signal must be an AbortSignal.");
  if (bufferSize !== undefined && !isPositiveInteger(bufferSize))
    throw new InvalidInputError("bufferSize", "bufferSize must be a positive integer.");
  return { signal, bufferSize: bufferSize ?? defaultBufferSize };
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

/** A SID of one kind (`MB`, `IM`, `ME`, `HX` …), checked without asking Twilio. */
export function requireSid(value: unknown, prefix: string, field: string, what: string): string {
  if (typeof value !== "string" || !new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value))
    throw new InvalidInputError(
      field,
      `${field} must be ${what}: ${prefix} followed by 32 hex digits.`,
    );
  return value;
}

/** `value` as a JSON object string; `InvalidInputError` naming `field` if it is not one. */
export function jsonObject(value: unknown, field: string): string {
  const object = plainObject(value, field);
  try {
    return JSON.stringify(object);
  } catch (error) {
    throw new InvalidInputError(
      field,
      `${field} must be JSON-serialisable (it is stored as JSON): ${(error as Error).message}.`,
    );
  }
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}

/**
 * Throws `InvalidInputError` naming the first key of `input` that is not in `known`, with the
 * nearest known key when one is close. `where` prefixes nested keys (`"media."`).
 */
export function refuseUnknownFields(
  input: object,
  known: Readonly<Record<string, true>>,
  where: string,
  owner: string,
): void {
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(known, key)) continue;
    const near = nearestName(key, Object.keys(known));
    throw new InvalidInputError(
      `${where}${key}`,
      `${owner}: ${where}${key} is not one of its fields${near === undefined ? "" : `; did you mean ${where}${near}?`}`,
    );
  }
}

/** `value` as an object (not an array, not null), else `InvalidInputError` saying `need`. */
function requireInput(value: unknown, field: string, need: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidInputError(field, `${need}; got ${describeValue(value)}.`);
  return value as Record<string, unknown>;
}

function plainObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidInputError(
      field,
      `${field} must be a plain object (stored as JSON); got ${describeValue(value)}.`,
    );
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  throw new InvalidInputError(field, `${field} must be a string; got ${describeValue(value)}.`);
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new InvalidInputError(
    field,
    `${field} must be one of ${allowed.map((item) => `"${item}"`).join(", ")}; got ${describeValue(value)}.`,
  );
}

function optionalPageSize(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!isPositiveInteger(value) || value > maxPageSize)
    throw new InvalidInputError(
      "pageSize",
      `pageSize must be a whole number from 1 to ${maxPageSize} (Twilio's largest page).`,
    );
  return value;
}

/** Twilio's list filters take whole days: `YYYY-MM-DDT00:00:00Z`. */
function twilioDay(date: Date): string {
  return `${date.toISOString().slice(0, 10)}T00:00:00Z`;
}
