import { EventEmitter } from "node:events";
import type {
  ConsentReason,
  ConsentState,
  DeliveryStatus,
  MailboxChannel,
} from "../mailbox/mailbox-store.js";

/** What the switchboard tells the app, by event name. */
export interface SwitchboardEventMap {
  /** A webhook or catch-up stored a new message. */
  "message.ingested": {
    conversationSid: string;
    messageSid: string;
    role: string;
    via: "webhook" | "catch-up";
  };
  /**
   * A webhook brought a message the mailbox already had (Twilio retried it, or catch-up
   * stored it first): nothing was stored or answered again. Webhooks only: catch-up re-reads
   * recent messages on every run, and those repeats are expected.
   */
  "message.duplicate": {
    conversationSid: string;
    messageSid: string;
    via: "webhook";
  };
  /**
   * A correctly signed message the mailbox refused for good (too large, malformed): kept as
   * an inbound dead letter (`mailbox.inboundDeadLetters()`), never answered. Once per SID.
   */
  "message.refused": {
    conversationSid: string;
    messageSid: string;
    /** The field the mailbox refused, e.g. `body`. */
    field: string;
    via: "webhook" | "catch-up";
  };
  /**
   * The agent is working on a conversation (`on: true` when a turn starts, `false` when it
   * ends, however it ends): what a web chat shows as "typing…".
   */
  typing: { conversationSid: string; on: boolean };
  /** A turn completed (its replies are durably in the outbox). */
  "turn.completed": { conversationSid: string; turnId: string; replies: number };
  /**
   * A newer customer message interrupted the running turn (policy `interrupt`): it sent
   * nothing, and its messages are answered together with the new ones in the next turn.
   */
  "turn.interrupted": { conversationSid: string; turnId: string };
  /** A turn failed and will be retried at `retryAt`. */
  "turn.failed": { conversationSid: string; turnId: string; error: string; retryAt: number };
  /** A turn exhausted its attempts; the conversation waits for `retryDeadLetter`/`skipDeadLetter`. */
  "dead-letter": { conversationSid: string; turnId: string; reason: string };
  /** A person has the conversation; auto-replies stop until `release`. */
  handoff: { conversationSid: string; reason: string; source: "agent" | "keyword" | "operator" };
  /**
   * Right after every `handoff`, once its summary is made: what an application that hands
   * off to its own helpdesk forwards. `summary` (at most 600 characters) is the agent's own,
   * else its `summarizeForHandoff`, else an extractive one; it is also kept in the mailbox
   * (`handoffNote`) and shown at the top of the conversation in the console. `since` is when
   * the conversation went to a person (epoch ms, store clock).
   */
  "handoff.summary": {
    conversationSid: string;
    reason: string;
    source: "agent" | "keyword" | "operator";
    summary: string;
    since: number;
  };
  /** The conversation is back with the agent. */
  "handoff.released": { conversationSid: string };
  /** A reply reached Twilio. */
  "reply.sent": {
    conversationSid: string;
    replyId: string;
    messageSid: string;
    reconciled: boolean;
    /** SMS only: the body's encoding and segment count, as recorded when it was shaped. */
    sms?: SmsSegmentCount;
  };
  /** A reply could not be sent and was given up (`reason` says why). */
  "reply.failed": { conversationSid: string; replyId: string; reason: string };
  /** A WhatsApp template went out instead of free text. */
  "whatsapp.template": {
    conversationSid: string;
    reason: "window-closed" | "63016";
    messageSid?: string;
  };
  /**
   * Twilio no longer has the conversation (it answered 404: deleted in the Twilio console, or
   * the dev emulator lost it). Emitted once, when the mailbox first marks it gone.
   */
  "conversation.gone": { conversationSid: string; reason: string };
  /**
   * A delivery receipt moved one of our messages forward (duplicates and receipts arriving
   * out of order are not reported). `errorCode` is Twilio's on `failed`/`undelivered`.
   */
  "delivery.updated": {
    conversationSid: string;
    messageSid: string;
    status: DeliveryStatus;
    errorCode: number | null;
    channel: MailboxChannel | null;
  };
  /** A customer address opted out or back in (`reason`: keyword, Twilio's 21610, operator). */
  "consent.changed": {
    address: string;
    conversationSid: string | null;
    state: ConsentState;
    reason: ConsentReason;
  };
  /** Catch-up stored messages whose webhooks never arrived. */
  "catch-up": { conversations: number; ingested: number };
  /** A background loop hit an unexpected error (it keeps running). */
  error: { where: string; error: unknown };
}

export type SwitchboardEventName = keyof SwitchboardEventMap;

/** An SMS body's encoding and the segments it costs. */
export interface SmsSegmentCount {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
}

/** What the app sees of the events: subscribe, never emit. */
export interface SwitchboardEventSource {
  /** Calls `listener` for every `name` event; returns the unsubscribe function. */
  on<Name extends SwitchboardEventName>(
    name: Name,
    listener: (event: SwitchboardEventMap[Name]) => void,
  ): () => void;
  /** Like `on`, for the next event only. */
  once<Name extends SwitchboardEventName>(
    name: Name,
    listener: (event: SwitchboardEventMap[Name]) => void,
  ): () => void;
}

/** A typed event emitter; listener errors never reach the runtime loops. */
export class SwitchboardEvents implements SwitchboardEventSource {
  readonly #emitter = new EventEmitter();

  on<Name extends SwitchboardEventName>(
    name: Name,
    listener: (event: SwitchboardEventMap[Name]) => void,
  ): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  once<Name extends SwitchboardEventName>(
    name: Name,
    listener: (event: SwitchboardEventMap[Name]) => void,
  ): () => void {
    this.#emitter.once(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  emit<Name extends SwitchboardEventName>(name: Name, event: SwitchboardEventMap[Name]): void {
    for (const listener of this.#emitter.listeners(name)) {
      try {
        (listener as (value: SwitchboardEventMap[Name]) => void)(event);
      } catch {
        // An app listener's bug must not stop a worker.
      }
    }
  }
}
