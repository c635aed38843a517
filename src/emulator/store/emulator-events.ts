import type {
  ActionSource,
  ConversationRecord,
  ConversationState,
  MessageRecord,
  ParticipantRecord,
  ReceiptRecord,
  UserRecord,
} from "./records.js";

/**
 * Pre-events: fired before a change is applied; a hook may reject or modify it. The names
 * are exactly the webhook filters in Twilio's OpenAPI file (users have no add/remove
 * pre-events and no removal event at all).
 */
export type EmulatorPreEventType =
  | "onConversationAdd"
  | "onConversationUpdate"
  | "onConversationRemove"
  | "onParticipantAdd"
  | "onParticipantUpdate"
  | "onParticipantRemove"
  | "onMessageAdd"
  | "onMessageUpdate"
  | "onMessageRemove"
  | "onUserUpdate";

/** Post-events: fired after a change is applied. */
export type EmulatorPostEventType =
  | "onConversationAdded"
  | "onConversationUpdated"
  | "onConversationRemoved"
  | "onConversationStateUpdated"
  | "onParticipantAdded"
  | "onParticipantUpdated"
  | "onParticipantRemoved"
  | "onMessageAdded"
  | "onMessageUpdated"
  | "onMessageRemoved"
  | "onDeliveryUpdated"
  | "onUserAdded"
  | "onUserUpdated";

/**
 * One state change, as the webhook layer needs it. Records are the stored objects (after
 * the change for post-events; the current one, if any, for pre-events). For pre-events
 * `changes` holds the proposed values in Twilio's snake_case names.
 */
export interface EmulatorEvent<Type extends string = EmulatorPreEventType | EmulatorPostEventType> {
  type: Type;
  accountSid: string;
  serviceSid: string;
  conversationSid: string | null;
  source: ActionSource;
  /** Chat identity of the acting SDK client, when `source` is `SDK`. */
  clientIdentity?: string;
  /** REST actions fire webhooks only when the request had `X-Twilio-Webhook-Enabled: true`. */
  webhookEnabled: boolean;
  conversation?: ConversationRecord;
  participant?: ParticipantRecord;
  message?: MessageRecord;
  receipt?: ReceiptRecord;
  user?: UserRecord;
  /** For `onConversationStateUpdated`. */
  stateChange?: { from: ConversationState; to: ConversationState; reason: StateChangeReason };
  /** Proposed values (pre-events) or the values that changed (update post-events). */
  changes?: Record<string, unknown>;
}

/** Why a conversation changed state: a REST update, one of its timers, or a new message. */
export type StateChangeReason = "API" | "TIMER" | "EVENT";

/** A pre-event hook's answer: reject with a response, proceed with changes, or proceed. */
export type PreEventOutcome =
  | { reject: { status: number; body?: unknown } }
  | { modify: Record<string, unknown> }
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: hooks may simply return nothing
  | void;

/**
 * The sink every state change goes through. `pre` is awaited before the change; `post` is
 * called after it and not awaited (Twilio answers the REST call before delivering
 * webhooks), so a slow sink never delays a response; a failing one is ignored.
 */
export interface EmulatorEvents {
  pre(event: EmulatorEvent<EmulatorPreEventType>): Promise<PreEventOutcome>;
  post(event: EmulatorEvent<EmulatorPostEventType>): void | Promise<void>;
}

/** The default sink: no webhooks. */
export const noEmulatorEvents: EmulatorEvents = {
  pre: async () => undefined,
  post: () => undefined,
};

/** Who is acting and whether webhooks fire for it. */
export interface ActionOrigin {
  source: ActionSource;
  webhookEnabled: boolean;
  clientIdentity?: string;
}
