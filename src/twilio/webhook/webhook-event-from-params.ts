import { type Channel, channelOfAddress, channelOfWebhookMessage } from "../channels/address.js";
import { WebhookParseError } from "../errors.js";
import { silentLogger, type TwilioLogger } from "../logger.js";
import {
  type ConversationData,
  type ConversationStateData,
  type DeliveryData,
  type MessageData,
  type MessageDraftData,
  type ParticipantData,
  type UserData,
  type WebhookAttributes,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookMedia,
  type WebhookMessagingBinding,
  webhookEventTypeOf,
} from "./event-types.js";

/** What the request carried besides the form: the headers that matter to an event. */
export interface WebhookEventMeta {
  /** `I-Twilio-Idempotency-Token`. */
  idempotencyToken?: string | undefined;
  /** When the request arrived; stands in for a missing `DateCreated`. Default: now. */
  receivedAt?: Date | undefined;
  /** Told (at debug level) when a field was missing and defaulted. */
  logger?: TwilioLogger | undefined;
}

/**
 * Turns flattened webhook parameters into a typed `WebhookEvent`. Pure apart from the
 * optional debug line: no signature check (see `parseWebhookEvent`).
 *
 * Strict about identity, lenient about the rest. A message event (other than the
 * `onMessageAdd` pre-event, which has no identity yet) must carry what identifies the
 * message — `ConversationSid`, `MessageSid`, `Index` and `Author` — or it is refused with
 * `WebhookParseError`. A missing `DateCreated` does not matter to storing the message, so
 * it becomes `receivedAt` with a debug line: refusing it would only make Twilio retry the
 * same bytes while the message waited for catch-up.
 *
 * Also throws `WebhookParseError` for a missing or unknown `EventType` or a field that is
 * present but malformed; a malformed `Attributes` is kept as its raw string instead.
 */
export function webhookEventFromParams(
  params: Readonly<Record<string, string>>,
  meta: WebhookEventMeta = {},
): WebhookEvent {
  const fields = new Fields(params, meta.receivedAt ?? new Date());
  const twilioEventType = fields.optional("EventType");
  if (twilioEventType === undefined) {
    throw new WebhookParseError("Webhook has no EventType; this is not a Conversations webhook.", {
      field: "EventType",
    });
  }
  const type = webhookEventTypeOf(twilioEventType);
  if (type === undefined) {
    throw new WebhookParseError(`Unknown webhook EventType "${twilioEventType.slice(0, 64)}".`, {
      field: "EventType",
    });
  }
  const { data, channel } = dataOf(type, fields);
  const identifiesMessage = type.startsWith("message.") && type !== "message.adding";
  const event = {
    type,
    phase: type.endsWith("ing") ? "pre" : "post",
    twilioEventType,
    conversationId: type.startsWith("user.")
      ? undefined
      : identifiesMessage
        ? fields.requiredSid("ConversationSid", "CH")
        : fields.sid("ConversationSid", "CH"),
    serviceSid: fields.sid("ChatServiceSid", "IS"),
    accountSid: fields.requiredSid("AccountSid", "AC"),
    source: fields.optional("Source"),
    clientIdentity: fields.optional("ClientIdentity"),
    channel,
    idempotencyToken: meta.idempotencyToken,
    retryCount: fields.integer("RetryCount") ?? 0,
    data,
    raw: Object.freeze({ ...params }),
  };
  if (fields.defaulted.length > 0) {
    (meta.logger ?? silentLogger).debug(
      {
        eventType: twilioEventType,
        conversationId: event.conversationId,
        messageSid: fields.optional("MessageSid"),
        defaulted: fields.defaulted,
      },
      "webhook field missing; defaulted to the receive time",
    );
  }
  // The fields are built per type above; TypeScript cannot follow the correlation.
  return event as WebhookEvent;
}

function dataOf(
  type: WebhookEventType,
  fields: Fields,
): { data: WebhookEvent["data"]; channel: Channel | undefined } {
  const [resource] = type.split(".");
  switch (resource) {
    case "message": {
      const data = type === "message.adding" ? messageDraftData(fields) : messageData(fields);
      return { data, channel: data.channel };
    }
    case "conversation": {
      if (type === "conversation.state_updated")
        return { data: conversationStateData(fields), channel: undefined };
      const data = conversationData(fields, type === "conversation.adding");
      const address = data.messagingBinding?.address;
      return { data, channel: address === undefined ? undefined : channelOfAddress(address) };
    }
    case "participant": {
      const data = participantData(fields, type === "participant.adding");
      return { data, channel: data.channel };
    }
    case "delivery":
      return { data: deliveryData(fields), channel: undefined };
    default:
      return { data: userData(fields), channel: "chat" };
  }
}

function messageDraftData(fields: Fields): MessageDraftData {
  const author = fields.optional("Author");
  return {
    author,
    body: fields.optional("Body") ?? null,
    attributes: fields.attributes(),
    media: fields.media(),
    participantSid: fields.sid("ParticipantSid", "MB"),
    dateCreated: fields.date("DateCreated"),
    channel: channelOfWebhookMessage(fields.optional("Source"), author),
  };
}

function messageData(fields: Fields): MessageData {
  const draft = messageDraftData(fields);
  return {
    ...draft,
    messageSid: fields.requiredSid("MessageSid", "IM"),
    index: fields.requiredInteger("Index"),
    author: fields.required("Author"),
    dateCreated: fields.dateOrReceived("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
  };
}

function conversationData(fields: Fields, isAdding: boolean): ConversationData {
  return {
    conversationSid: isAdding
      ? fields.sid("ConversationSid", "CH")
      : fields.requiredSid("ConversationSid", "CH"),
    friendlyName: fields.optional("FriendlyName"),
    uniqueName: fields.optional("UniqueName"),
    attributes: fields.attributes(),
    state: fields.optional("State"),
    messagingServiceSid: fields.sid("MessagingServiceSid", "MG"),
    dateCreated: fields.date("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
    messagingBinding: fields.messagingBinding(),
  };
}

function conversationStateData(fields: Fields): ConversationStateData {
  return {
    conversationSid: fields.requiredSid("ConversationSid", "CH"),
    stateFrom: fields.optional("StateFrom"),
    stateTo: fields.required("StateTo"),
    reason: fields.optional("Reason"),
    stateUpdated: fields.date("StateUpdated"),
    messagingServiceSid: fields.sid("MessagingServiceSid", "MG"),
  };
}

function participantData(fields: Fields, isAdding: boolean): ParticipantData {
  const binding = fields.messagingBinding();
  const identity = fields.optional("Identity");
  const bindingType = binding?.type?.toLowerCase();
  let channel: Channel = "chat";
  if (bindingType === "sms" || bindingType === "whatsapp") channel = bindingType;
  else if (binding?.address !== undefined) channel = channelOfAddress(binding.address);
  return {
    participantSid: isAdding
      ? fields.sid("ParticipantSid", "MB")
      : fields.requiredSid("ParticipantSid", "MB"),
    identity,
    roleSid: fields.sid("RoleSid", "RL"),
    attributes: fields.attributes(),
    messagingBinding: binding,
    dateCreated: fields.date("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
    channel,
  };
}

function deliveryData(fields: Fields): DeliveryData {
  return {
    messageSid: fields.requiredSid("MessageSid", "IM"),
    deliveryReceiptSid: fields.requiredSid("DeliveryReceiptSid", "DY"),
    channelMessageSid: fields.optional("ChannelMessageSid"),
    participantSid: fields.sid("ParticipantSid", "MB"),
    status: fields.required("Status"),
    errorCode: fields.integer("ErrorCode"),
    dateCreated: fields.date("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
  };
}

function userData(fields: Fields): UserData {
  return {
    userSid: fields.sid("UserSid", "US"),
    identity: fields.optional("Identity"),
    friendlyName: fields.optional("FriendlyName"),
    attributes: fields.attributes(),
    roleSid: fields.sid("RoleSid", "RL"),
    isOnline: fields.boolean("IsOnline"),
    isNotifiable: fields.boolean("IsNotifiable"),
    dateCreated: fields.date("DateCreated"),
    dateUpdated: fields.date("DateUpdated"),
  };
}

/**
 * One compiled pattern per SID prefix (a handful exist), instead of one per check: compiling
 * the four of a message webhook was a visible share of parsing it.
 */
const sidPatterns = new Map<string, RegExp>();

function sidPattern(prefix: string): RegExp {
  let pattern = sidPatterns.get(prefix);
  if (pattern === undefined) {
    pattern = new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);
    sidPatterns.set(prefix, pattern);
  }
  return pattern;
}

/** Typed reads of form fields; every failure names the field. */
class Fields {
  /** Fields that were missing and given a default, for the debug line. */
  readonly defaulted: string[] = [];

  constructor(
    private readonly params: Readonly<Record<string, string>>,
    private readonly receivedAt: Date,
  ) {}

  optional(name: string): string | undefined {
    return Object.hasOwn(this.params, name) ? this.params[name] : undefined;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined || value === "") throw bad(name, "is missing");
    return value;
  }

  /** SIDs are checked for their prefix so a swapped field is caught at the edge. */
  sid(name: string, prefix: string): string | undefined {
    const value = this.optional(name);
    if (value === undefined || value === "") return undefined;
    if (!sidPattern(prefix).test(value)) {
      throw bad(name, `must be a ${prefix}… SID (34 characters)`);
    }
    return value;
  }

  requiredSid(name: string, prefix: string): string {
    const value = this.sid(name, prefix);
    if (value === undefined) throw bad(name, "is missing");
    return value;
  }

  integer(name: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined || value === "") return undefined;
    if (!/^\d{1,15}$/.test(value)) throw bad(name, "must be a non-negative integer");
    return Number(value);
  }

  requiredInteger(name: string): number {
    const value = this.integer(name);
    if (value === undefined) throw bad(name, "is missing");
    return value;
  }

  date(name: string): Date | undefined {
    const value = this.optional(name);
    if (value === undefined || value === "") return undefined;
    // ISO 8601 only: Date.parse accepts many loose forms that Twilio never sends.
    const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(value)
      ? Date.parse(value)
      : Number.NaN;
    if (Number.isNaN(time)) throw bad(name, "must be an ISO 8601 date");
    return new Date(time);
  }

  /** A date that is missing (or empty) becomes the receive time; a malformed one is still refused. */
  dateOrReceived(name: string): Date {
    const value = this.date(name);
    if (value !== undefined) return value;
    this.defaulted.push(name);
    return new Date(this.receivedAt.getTime());
  }

  boolean(name: string): boolean | undefined {
    const value = this.optional(name)?.toLowerCase();
    if (value === undefined || value === "") return undefined;
    if (value === "true") return true;
    if (value === "false") return false;
    throw bad(name, 'must be "true" or "false"');
  }

  /** Malformed attributes are kept raw: losing a message over them would be worse. */
  attributes(): WebhookAttributes {
    const value = this.optional("Attributes");
    if (value === undefined || value === "") return {};
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // fall through to the raw string
    }
    return value;
  }

  media(): WebhookMedia[] {
    const value = this.optional("Media");
    if (value === undefined || value === "") return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (cause) {
      throw new WebhookParseError("Webhook field Media is not valid JSON.", {
        field: "Media",
        cause,
      });
    }
    if (!Array.isArray(parsed)) throw bad("Media", "must be a JSON array");
    return parsed.map((item) => mediaItem(item));
  }

  messagingBinding(): WebhookMessagingBinding | undefined {
    const binding = {
      type: this.optional("MessagingBinding.Type"),
      address: this.optional("MessagingBinding.Address"),
      proxyAddress: this.optional("MessagingBinding.ProxyAddress"),
      projectedAddress: this.optional("MessagingBinding.ProjectedAddress"),
      authorAddress: this.optional("MessagingBinding.AuthorAddress"),
    };
    return Object.values(binding).some((value) => value !== undefined) ? binding : undefined;
  }
}

/** Media keys differ between sources (`Sid`/`MediaSid`, PascalCase or snake_case): accept each. */
function mediaItem(item: unknown): WebhookMedia {
  if (typeof item !== "object" || item === null) throw bad("Media", "must be an array of objects");
  const record = item as Record<string, unknown>;
  const pick = (...names: string[]) =>
    names.map((name) => record[name]).find((value) => value !== undefined);
  const sid = pick("Sid", "MediaSid", "sid", "media_sid");
  if (typeof sid !== "string" || sid === "") throw bad("Media", "has an item without a Sid");
  const contentType = pick("ContentType", "content_type", "contentType");
  const filename = pick("Filename", "filename");
  const size = pick("Size", "size");
  const sizeNumber = typeof size === "string" ? Number(size) : size;
  return {
    sid,
    contentType: typeof contentType === "string" ? contentType : undefined,
    filename: typeof filename === "string" ? filename : undefined,
    size: typeof sizeNumber === "number" && Number.isFinite(sizeNumber) ? sizeNumber : undefined,
  };
}

function bad(field: string, problem: string): WebhookParseError {
  return new WebhookParseError(`Webhook field ${field} ${problem}.`, { field });
}
