import type { TwilioEventType } from "./event-types.js";
import { computeTwilioSignature } from "./verify-signature.js";

/** Fixed SIDs so fixtures are reproducible; shaped like real ones (prefix + 32 hex). */
export const fixtureSids = {
  account: "AC00000000000000000000000000000000",
  service: "IS00000000000000000000000000000000",
  conversation: "CH00000000000000000000000000000001",
  message: "IM00000000000000000000000000000002",
  participant: "MB00000000000000000000000000000003",
  messagingService: "MG00000000000000000000000000000004",
  receipt: "DY00000000000000000000000000000005",
  user: "US00000000000000000000000000000006",
  role: "RL00000000000000000000000000000007",
  channelMessage: "SM00000000000000000000000000000008",
  media: "ME00000000000000000000000000000009",
} as const;

const customer = "+15551230001";
const sender = "+15017122661";

const common = {
  AccountSid: fixtureSids.account,
  ChatServiceSid: fixtureSids.service,
  RetryCount: "0",
};

const message = {
  ConversationSid: fixtureSids.conversation,
  MessagingServiceSid: fixtureSids.messagingService,
  Source: "SMS",
  Author: customer,
  ParticipantSid: fixtureSids.participant,
  Body: "Hi, what are your opening hours?",
  Attributes: "{}",
  DateCreated: "2026-05-18T13:42:17.312Z",
};

const conversation = {
  ConversationSid: fixtureSids.conversation,
  MessagingServiceSid: fixtureSids.messagingService,
  FriendlyName: "Customer +1555",
  Attributes: "{}",
  State: "active",
  Source: "SMS",
  DateCreated: "2026-05-18T13:42:16.901Z",
  "MessagingBinding.Address": customer,
  "MessagingBinding.ProxyAddress": sender,
};

const participant = {
  ConversationSid: fixtureSids.conversation,
  Source: "API",
  Attributes: "{}",
  "MessagingBinding.Address": customer,
  "MessagingBinding.ProxyAddress": sender,
  DateCreated: "2026-05-18T13:42:16.955Z",
};

const user = {
  UserSid: fixtureSids.user,
  Identity: "agent@example.com",
  FriendlyName: "Agent",
  Attributes: "{}",
  RoleSid: fixtureSids.role,
  Source: "API",
  DateCreated: "2026-05-18T13:40:00.000Z",
};

const updated = { DateUpdated: "2026-05-18T13:45:00.120Z" };
const posted = { MessageSid: fixtureSids.message, Index: "4" };

/**
 * Form parameters of one Conversations webhook, shaped like Twilio's (every value a string,
 * nested fields flattened to dotted keys), for tests and the emulator. Overrides replace or
 * add fields; an override of `undefined` removes one.
 */
export function webhookFixture(
  eventType: TwilioEventType,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const fields: Record<string, string> = {
    ...common,
    EventType: eventType,
    ...fieldsOf(eventType),
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete fields[name];
    else fields[name] = value;
  }
  return fields;
}

function fieldsOf(eventType: TwilioEventType): Record<string, string> {
  switch (eventType) {
    case "onMessageAdd":
      return message;
    case "onMessageAdded":
      return { ...message, ...posted };
    case "onMessageUpdate":
    case "onMessageUpdated":
    case "onMessageRemove":
    case "onMessageRemoved":
      return { ...message, ...posted, ...updated };
    case "onConversationAdd": {
      const { ConversationSid: _omitted, ...fields } = conversation;
      return fields;
    }
    case "onConversationAdded":
      return conversation;
    case "onConversationUpdate":
    case "onConversationUpdated":
    case "onConversationRemove":
    case "onConversationRemoved":
      return { ...conversation, ...updated };
    case "onConversationStateUpdated":
      return {
        ConversationSid: fixtureSids.conversation,
        MessagingServiceSid: fixtureSids.messagingService,
        StateFrom: "active",
        StateTo: "inactive",
        Reason: "TIMER",
        StateUpdated: "2026-05-18T14:42:17.000Z",
        Source: "API",
      };
    case "onParticipantAdd":
      return participant;
    case "onParticipantAdded":
      return { ...participant, ParticipantSid: fixtureSids.participant };
    case "onParticipantUpdate":
    case "onParticipantUpdated":
    case "onParticipantRemove":
    case "onParticipantRemoved":
      return { ...participant, ParticipantSid: fixtureSids.participant, ...updated };
    case "onDeliveryUpdated":
      return {
        ConversationSid: fixtureSids.conversation,
        MessageSid: fixtureSids.message,
        DeliveryReceiptSid: fixtureSids.receipt,
        ChannelMessageSid: fixtureSids.channelMessage,
        ParticipantSid: fixtureSids.participant,
        Status: "delivered",
        DateCreated: "2026-05-18T13:42:18.000Z",
        DateUpdated: "2026-05-18T13:42:19.500Z",
      };
    case "onUserAdded":
      return user;
    case "onUserUpdate":
    case "onUserUpdated":
      return { ...user, ...updated, IsOnline: "true", IsNotifiable: "false" };
  }
}

/** Encodes fields as Twilio posts them: `application/x-www-form-urlencoded`. */
export function encodeWebhookForm(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(fields).toString();
}

/** A request as Twilio would send it, ready for `fetch(request.url, request)`. */
export interface SignedWebhookRequest {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

/**
 * A signed Conversations webhook for tests: the fixture for `eventType` (with overrides),
 * form-encoded and signed with `authToken` over `url`, exactly as Twilio signs it.
 */
export function signedWebhookRequest(options: {
  url: string;
  authToken: string;
  eventType?: TwilioEventType;
  fields?: Readonly<Record<string, string | undefined>>;
  idempotencyToken?: string;
}): SignedWebhookRequest {
  const fields = webhookFixture(options.eventType ?? "onMessageAdded", options.fields);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    "x-twilio-signature": computeTwilioSignature(options.authToken, options.url, fields),
  };
  if (options.idempotencyToken !== undefined)
    headers["i-twilio-idempotency-token"] = options.idempotencyToken;
  return { url: options.url, method: "POST", headers, body: encodeWebhookForm(fields) };
}
