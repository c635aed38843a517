/**
 * The mailbox contract: durable storage and scheduling between the webhook and the agent.
 *
 * This file is the specification every implementation (SQLite, PostgreSQL) follows and the
 * contract suite in `switchboard/testing` checks. Nothing here is storage-specific: every
 * method is async, times are epoch milliseconds read from the store's injectable clock, and
 * the exclusion rules are phrased per conversation so PostgreSQL can implement them with
 * `SELECT … FOR UPDATE SKIP LOCKED` on conversation rows and SQLite with its single writer.
 *
 * Lifecycle of one customer message:
 *
 * ```
 * ingest ─▶ pending ─claim─▶ leased turn ─complete─▶ done + replies in the outbox
 *                               │  └─fail─▶ backoff (conversation blocked) ─▶ … ─▶ dead letter
 *                               ├─lease expires (worker crashed)─▶ claimable again
 *                               └─release (shutdown)─▶ claimable again, attempt not counted
 * outbox: pending ─claimOutbox─▶ sending ─settleOutbox─▶ sent | pending (retry) | failed
 *         (rows come from complete, or from enqueueReply for replies outside a turn)
 * ```
 *
 * Over 400 lines on purpose: it is a specification, more than half comments, and splitting
 * it would scatter the contract the stores and the contract suite are checked against.
 */

import type { Channel } from "../channel/channel.js";
import type {
  CustomerHistoryEntry,
  CustomerRecord,
  MailboxCustomers,
} from "./mailbox-customers.js";

export type {
  CustomerAddress,
  CustomerAddressKind,
  CustomerAddressRecord,
  CustomerDeleted,
  CustomerHandoffHolder,
  CustomerHistoryEntry,
  CustomerLinkOutcome,
  CustomerLinkSource,
  CustomerRecord,
  CustomerSummary,
  MailboxCustomers,
} from "./mailbox-customers.js";

/** The channel a conversation reaches the customer on: the one `Channel` type. */
export type MailboxChannel = Channel;

/** A conversation's channel and addresses as a sender knows them (see `enqueueReply`). */
export interface KnownConversation {
  channel: MailboxChannel;
  /** The customer's address on that channel (`+1555…`, `whatsapp:+1555…`). */
  customerAddress: string;
  /** Our address in the conversation, when known. */
  proxyAddress?: string | null | undefined;
}

/**
 * Who wrote a message. Only `customer` messages start turns; `bot` (our own sends seen
 * again through the webhook, or other automated participants) and `human` (an operator
 * writing in the conversation) are recorded for history and never answered.
 */
export type MessageRole = "customer" | "bot" | "human";

/** One media attachment as Twilio describes it (the bytes stay with Twilio). */
export interface MailboxMedia {
  sid: string;
  contentType: string;
  filename?: string | null;
  size?: number | null;
}

/**
 * A message as received from a webhook (or a catch-up listing), ready to be stored.
 * Validated on ingest: malformed or oversized records are rejected with
 * `MailboxInputError` and nothing is written.
 */
export interface InboundMessage {
  conversationSid: string;
  serviceSid?: string;
  /** Twilio's message SID (`IM…`); the permanent dedupe key. */
  messageSid: string;
  /** Twilio's `Index`: arrival order within the conversation; may skip numbers. */
  index: number;
  author: string;
  /** `null` for a media-only message. At most 64 KiB (UTF-16 code units). */
  body: string | null;
  media: readonly MailboxMedia[];
  /** Parsed `Attributes` JSON; at most 16 KiB once serialised. */
  attributes: Readonly<Record<string, unknown>>;
  channel: MailboxChannel;
  /** Twilio's `Source` (`SMS`, `WHATSAPP`, `SDK`, `API`, …), kept as sent. */
  source: string;
  participantSid?: string;
  /** Twilio's `DateCreated`, epoch ms. */
  dateCreated: number;
  /**
   * The `I-Twilio-Idempotency-Token` header. Webhook retries carry the same token, so it is a
   * second permanent dedupe key next to `messageSid`.
   */
  idempotencyToken?: string;
  /** When the webhook reached us, epoch ms (informational; scheduling uses the store clock). */
  receivedAt: number;
  role: MessageRole;
  /**
   * The customer's address on SMS/WhatsApp (`+1555…`, `whatsapp:+1555…`) or chat identity.
   * The latest non-empty value is kept on the conversation and copied into outbox rows.
   */
  customerAddress?: string;
  /** Our Twilio number / sender on SMS/WhatsApp, kept like `customerAddress`. */
  proxyAddress?: string;
  /**
   * Set by the runtime when consent means the agent must not answer: `keyword` — the message
   * is a consent keyword (STOP, START, HELP, a WhatsApp opt-out phrase), handled without the
   * agent; `opted-out` — the customer had opted out when it arrived. Stored as data with the
   * message (history shows it); the turn worker completes such messages without an answer.
   */
  consentMark?: "keyword" | "opted-out";
}

/** The answer of `ingest`. `duplicate`: already stored (same SID or idempotency token). */
export type IngestResult = "accepted" | "duplicate";

/**
 * Where a stored inbound message stands:
 * - `pending`: a customer message waiting for its turn;
 * - `done`: answered (its turn completed);
 * - `skipped`: an operator skipped it from a dead letter;
 * - `history`: a bot/human message, recorded only;
 * - `handoff`: a customer message received (or pending) while a human had the conversation.
 */
export type InboundStatus = "pending" | "done" | "skipped" | "history" | "handoff";

/** An inbound message as stored. */
export interface StoredInboundMessage extends InboundMessage {
  status: InboundStatus;
  /** When the store accepted it (store clock). The settle window counts from here. */
  ingestedAt: number;
}

/**
 * How a conversation's pending messages are cut into turns. Per conversation via
 * `setPolicy`; new conversations use the store's `defaultPolicy` (default `queue`).
 * - `queue`: one message per turn, strictly in `Index` order.
 * - `burst`: the turn waits until `windowMs` after the first pending message was ingested,
 *   then carries the pending messages ingested in `[first, first + windowMs)`, answered
 *   together: in `Index` order, at most 100, stopping before the first one that is not
 *   settled or was ingested after the window — a turn never skips a pending lower index.
 * - `interrupt`: a turn carries every pending message (in `Index` order, at most 100, cut by
 *   the settle rule like `burst`) without waiting. A customer message ingested while a turn
 *   runs interrupts it — the lease is given back uncounted in the ingest's transaction, so the
 *   running worker is fenced out (its reply, journal writes and heartbeats are refused), an
 *   `interrupt` notice tells it to stop, and the next claim answers the old and new messages
 *   together under the same turn id — unless the running turn has journaled a step
 *   (`journalRecord`): then it may have had an effect, so it runs on and the new message
 *   waits for the next turn, as with `queue`.
 */
export type TurnPolicy =
  | { mode: "queue" }
  | { mode: "burst"; windowMs: number }
  | { mode: "interrupt" };

/**
 * A conversation's scheduling state:
 * - `idle`: nothing running (it may have pending messages not yet due);
 * - `leased`: a worker holds the turn (`leaseExpiresAt` in the future, or expired and
 *   reclaimable);
 * - `backoff`: the last attempt failed; blocked until `nextAttemptAt`;
 * - `dead`: attempts exhausted; blocked until an operator retries or skips (`lastError` says why);
 * - `handoff`: a human has it; messages are recorded, no turns run.
 */
export type ConversationState = "idle" | "leased" | "backoff" | "dead" | "handoff";

/** One conversation's row. */
export interface ConversationRecord {
  conversationSid: string;
  serviceSid: string | null;
  /** `null` until the first message arrives (a row can be created by `setHandoff`). */
  channel: MailboxChannel | null;
  customerAddress: string | null;
  proxyAddress: string | null;
  state: ConversationState;
  policy: TurnPolicy;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  /** Fencing token: incremented on every claim (and when a handoff takes a running turn away). */
  leaseVersion: number;
  nextAttemptAt: number | null;
  /** Claims of the current turn so far; reset when a turn completes or is retried/skipped. */
  attempts: number;
  lastError: string | null;
  /** Highest `Index` whose turn completed or was skipped; `null` before the first. */
  lastProcessedIndex: number | null;
  /** Highest `Index` recorded, any role, including our sent replies; `null` if none. */
  lastIndex: number | null;
  /** `dateCreated` of the latest customer message: the WhatsApp 24-hour window starts here. */
  lastInboundAt: number | null;
  /** Number of customer messages waiting for a turn. */
  pendingCount: number;
  /**
   * When Twilio was found not to have the conversation any more (store clock), or `null`.
   * Set once by `markGone`; see there. Catch-up skips a gone conversation, the console shows
   * it as gone and refuses replies in it.
   */
  goneAt: number | null;
  /** Why it was marked gone (what Twilio answered), or `null`. */
  goneReason: string | null;
}

/** What {@link MailboxStore.stats} counts. */
export interface MailboxStats {
  /** Customer messages waiting for a turn, over every conversation (`pendingCount` summed). */
  pendingMessages: number;
  /** Dead-lettered conversations (`deadLetters().length`). */
  deadLetters: number;
}

/** A message handed out in a lease. */
export interface LeasedMessage extends StoredInboundMessage {
  /**
   * True when the message arrived after a higher `Index` was already answered (it missed the
   * settle window). It is still delivered — never dropped — and the runtime may word the
   * answer accordingly.
   */
  late: boolean;
}

/**
 * One turn handed to one worker. Holding it means no other worker runs this conversation
 * until the lease is completed, failed, or expires. Every write made with it is fenced by
 * `leaseVersion`: once someone else claimed the conversation, `complete`/`fail` throw
 * `LeaseLostError` and write nothing, and `heartbeat` answers false.
 */
export interface Lease {
  conversationSid: string;
  workerId: string;
  leaseVersion: number;
  /** When the lease expires unless extended by `heartbeat` (store clock). */
  expiresAt: number;
  /** The lease duration asked for in `claim`; `heartbeat` extends by this much. */
  leaseMs: number;
  /**
   * Stable identity of the turn: the `messageSid` of its first message. A turn re-run after a
   * crash has the same id, so its replies get the same `replyId`s.
   */
  turnId: string;
  /** 1 for the first try of this turn, 2 for the first retry, … */
  attempt: number;
  /** The messages of this turn in `Index` order; one for `queue`, one or more for `burst`. */
  messages: readonly LeasedMessage[];
  conversation: ConversationRecord;
}

/** A reply the agent produced, already shaped for the channel (one row per message sent). */
export interface OutboundReply {
  body: string | null;
  /** Public media URLs. */
  media?: readonly string[];
  /** A Content API template, e.g. WhatsApp outside the 24-hour window. */
  template?: { contentSid: string; variables: Readonly<Record<string, string>> };
  /** Extra message attributes; the runtime adds the reply id to them when sending. */
  attributes?: Readonly<Record<string, unknown>>;
}

/** Options of `complete`. */
export interface CompleteOptions {
  /** Hand the conversation to a human in the same transaction (the agent asked for it). */
  handoff?: boolean;
}

/** What `complete` wrote. */
export interface CompletedTurn {
  /** Reply ids in reply order; deterministic: `replyIdFor(lease.turnId, position)`. */
  replyIds: string[];
}

/** Where a failed turn went: retried later, or dead-lettered. */
export type FailOutcome = "backoff" | "dead";

/** A conversation blocked after exhausting its attempts. */
export interface DeadLetter {
  conversationSid: string;
  reason: string;
  attempts: number;
  /** When it was dead-lettered (store clock). */
  deadAt: number;
  /** The messages of the failing turn, which `skipDeadLetter` marks skipped. */
  messageSids: string[];
}

/** Where an outbox row stands. `failed` is terminal and, like `sent`, unblocks later replies. */
export type OutboxStatus = "pending" | "sending" | "sent" | "failed";

/**
 * One reply claimed for sending. At most one row per conversation is `sending` at a time,
 * and reply n+1 of a conversation is never claimed before reply n is settled.
 */
export interface OutboxItem {
  /** Storage id; pass the item back to `settleOutbox`. */
  id: number;
  /** Deterministic per turn and position; the runtime stores it in the message attributes
   * so an ambiguous send can be checked before sending again. */
  replyId: string;
  conversationSid: string;
  turnId: string;
  position: number;
  channel: MailboxChannel | null;
  to: string | null;
  from: string | null;
  body: string | null;
  media: readonly string[];
  template: { contentSid: string; variables: Readonly<Record<string, string>> } | null;
  attributes: Readonly<Record<string, unknown>>;
  /**
   * 1 on the first claim; above 1 the previous try may have reached Twilio. Claims that ended
   * in a throttled retry (see `OutboxResult`) are not counted: the claim after one has the
   * same number.
   */
  attempt: number;
  /** The error of the previous try, if any. */
  lastError: string | null;
  /**
   * True when the previous claim of this row was settled as a throttled retry (Twilio
   * answered 429, so that try created nothing). False after any other outcome, and after a
   * claim that expired (a crashed sender's try may have reached Twilio).
   */
  lastErrorThrottled: boolean;
  /**
   * Tries of this reply refused with a 429 so far (they are not counted in `attempt`): the
   * sender's backoff when Twilio names no `Retry-After`.
   */
  throttledCount: number;
  /** What the last settled retry said of its try; null before the first. See `SendTryOutcome`. */
  lastOutcome: SendTryOutcome | null;
  /**
   * The reconcile state: true when an earlier try may have reached Twilio and nobody has
   * looked since — the last retry was settled `ambiguous`, or the previous claim expired (a
   * crashed sender). The sender then lists the conversation's recent messages for `replyId`
   * before sending again. Cleared by a settle with outcome `unsent`, and by `sent`.
   */
  mustReconcile: boolean;
  workerId: string;
  /** Fencing for `settleOutbox`: incremented on every claim of this row. */
  claimVersion: number;
  expiresAt: number;
}

/**
 * What one try of a reply is known to have done: `unsent` — it certainly created nothing (a
 * 429, an open circuit, a refusal, or an earlier try looked up and not found); `ambiguous` —
 * it may have created the message (a timeout, a 5xx, a reset, an unknown error).
 */
export type SendTryOutcome = "unsent" | "ambiguous";

/**
 * The outcome of one send attempt.
 * - `sent`: Twilio created the message. `index`, when known, is its `Index` in the
 *   conversation: the store keeps it on the outbox row, so the settle rule of `claim` counts
 *   that index as recorded (our own sends fire no webhook, and the echo is not stored as an
 *   inbound row) and the customer's next message is not held for the settle window.
 * - `retryAt`: try again then. With `throttled: true` the try was refused unprocessed (a
 *   429): it does not count as an attempt, so the next claim has the same `attempt` number
 *   and `lastErrorThrottled` set, and `throttledCount` grows by one. `outcome` (default
 *   `ambiguous`: when nothing is known the next try looks first) sets `lastOutcome` and
 *   `mustReconcile`.
 * - `failed`: give up; terminal.
 */
export type OutboxResult =
  | { sent: true; messageSid: string; index?: number }
  | { retryAt: number; error: string; throttled?: boolean; outcome?: SendTryOutcome }
  | { failed: true; error: string };

/** One line of a conversation's history, inbound or outbound. */
export type HistoryEntry =
  | ({ direction: "inbound" } & StoredInboundMessage)
  | {
      direction: "outbound";
      replyId: string;
      turnId: string;
      /** The `Index` of the last message of the turn this answers. */
      afterIndex: number;
      body: string | null;
      media: readonly string[];
      template: { contentSid: string; variables: Readonly<Record<string, string>> } | null;
      /**
       * The reply's attributes as completed (without the reply id the sender adds): e.g.
       * `switchboardSms` `{ encoding, segments }` on SMS, `switchboardChoices` on web chat.
       */
      attributes: Readonly<Record<string, unknown>>;
      status: OutboxStatus;
      messageSid: string | null;
      createdAt: number;
      /** Send attempts so far (throttled tries not counted); what a retrying reply shows. */
      attempts?: number;
      /** The error of the last failed try, or why the reply was given up; null if none. */
      lastError?: string | null;
    };

/**
 * A wake-up hint: something may be claimable now. Workers still poll as a fallback.
 * `interrupt`: the conversation's running turn — the lease at `leaseVersion` — was interrupted
 * by a newer customer message (policy `interrupt`); the worker holding that lease should abort
 * it at once (the lease is gone, so a worker that misses the hint finds out at its next
 * heartbeat). It also means `turn`: the combined turn is claimable.
 */
export interface WorkNotice {
  kind: "turn" | "outbox" | "interrupt";
  conversationSid: string;
  /** With `interrupt`: the version of the lease taken away. */
  leaseVersion?: number;
}

/**
 * Why and since when a person has a conversation, and what they should know: written by the
 * runtime on every handoff (agent, keyword, operator), read by the console and the waiting
 * queue. At most one per conversation: a later handoff replaces it.
 */
export interface HandoffNote {
  reason: string;
  /** Who handed off: the agent, a handoff keyword, or an operator. */
  source: "agent" | "keyword" | "operator";
  /** A short summary for the person taking over (at most 2,000 characters). */
  summary: string;
  /** When the handoff was noted (store clock): the waiting queue's age counts from here. */
  startedAt: number;
  /** When the conversation went back to the bot (store clock); null while a person has it. */
  releasedAt: number | null;
  /** Who gave it back: an operator, or the hand-back timeout nobody beat. */
  releasedBy: "operator" | "timeout" | null;
}

/** What `turnContext` reads. */
export interface TurnContextOptions {
  /** Entries of the conversation's own history, as `history`'s `limit`. */
  historyLimit: number;
  /** Entries of the customer's other conversations, as `customerHistory`'s `limit`; 0: none. */
  customerHistoryLimit?: number;
  /** Addresses whose consent records to read (at most 100). */
  consentAddresses?: readonly string[];
}

/** The answer of `turnContext`: each part as its own method answers it. */
export interface TurnContext {
  history: HistoryEntry[];
  customer: CustomerRecord | null;
  /** The customer's other conversations' recent entries; `[]` without a customer. */
  customerHistory: CustomerHistoryEntry[];
  handoffNote: HandoffNote | null;
  /** The records found, one per address that has one. */
  consent: ConsentRecord[];
}

/** Options of `MailboxStore.activeConversations`. */
export interface ActiveConversationsOptions {
  /** Answer conversations marked gone too. Default false (catch-up never lists them). */
  includeGone?: boolean;
}

/** One conversation in the "waiting for a person" queue. */
export interface WaitingConversation extends HandoffNote {
  conversationSid: string;
}

/** Counts removed by `collectGarbage`. */
export interface GarbageCollected {
  messages: number;
  outbox: number;
  dedupeKeys: number;
  /** Tool journal rows of turns that are no longer pending. */
  journal: number;
  /** Voice-note transcripts whose message was removed (now or earlier). */
  transcripts: number;
}

/** One stored transcript of a message's media item (see `saveTranscripts`). */
export interface StoredTranscript {
  /** The media item's position in the message's `media` (0-based). */
  mediaIndex: number;
  text: string;
}

/** The most transcripts one `saveTranscripts` call takes, and the longest one, in characters. */
export const transcriptLimits = { perCall: 20, maxMediaIndex: 99, maxTextLength: 20_000 } as const;

/**
 * One journaled step of a turn (a tool call's result, a model step): `name` says what ran,
 * `value` is its result, stored as JSON (at most 256 KiB serialised).
 */
export interface JournaledStep {
  name: string;
  value: unknown;
}

/** Options every implementation accepts (plus its own, such as a path or a pool). */
export interface MailboxOptions {
  /** The clock, epoch ms. Default `Date.now`. Tests pass a controllable one. */
  now?: () => number;
  /**
   * How long a message with a missing index below it waits for a lower index to arrive
   * before it is handed out anyway. Default 150 ms. See `claim` for the exact rule.
   */
  settleWindowMs?: number;
  /** Claims of one turn before it is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Policy of conversations that never had `setPolicy`. Default `{ mode: "queue" }`. */
  defaultPolicy?: TurnPolicy;
  /** How long dedupe keys are kept. Default and minimum: 7 days. */
  dedupeRetentionMs?: number;
}

/**
 * Durable storage and scheduling for inbound messages, turns and outbound replies.
 *
 * Guarantees (each checked by the contract suite):
 * - durability: a resolved `ingest`, `complete`, `fail` or `settleOutbox` survives a crash;
 * - dedupe: a message is accepted once, ever (by SID and by idempotency token), even when
 *   duplicates arrive concurrently and after its row was garbage-collected (≥ 7 days);
 * - exclusion: at most one live lease per conversation; many conversations in parallel;
 * - order: turns of a conversation are handed out in `Index` order, one at a time;
 * - fencing: a worker that lost its lease cannot write the turn's outcome;
 * - progress: failures back off and dead-letter; other conversations are never blocked;
 * - recovery: the turn and send leases of a store that is gone (closed, or its process
 *   killed) are taken over within seconds, not after their lease: a SQLite file has one
 *   live owner (a second is refused) and its next owner releases them at open; PostgreSQL
 *   instances keep liveness rows and release the leases of an instance whose row lapsed.
 *   A taken-over lease counts as a try, like an expired one (a send looks before resending).
 */
export interface MailboxStore extends MailboxLedger, MailboxCustomers, MailboxInboundDeadLetters {
  /**
   * Stores one message; resolves once it is durable (committed with a full sync), which is
   * when the webhook may answer 200. Concurrent calls share one transaction (group commit).
   * `duplicate` when its `messageSid` or `idempotencyToken` was seen before; nothing changes.
   * Customer messages become `pending` (or `handoff` while a human has the conversation);
   * bot/human messages are recorded as `history`. Throws `MailboxInputError` for malformed
   * or oversized input, writing nothing.
   */
  ingest(message: InboundMessage): Promise<IngestResult>;

  /**
   * Leases up to `max` conversations whose next turn is due, one lease per conversation.
   * A conversation is eligible when it has pending messages, is `idle`, `backoff` past its
   * `nextAttemptAt`, or `leased` with an expired lease (a crashed worker), and is not
   * `dead` or `handoff`. Each claim increments `leaseVersion` and `attempts` (`release` gives
   * the attempt back); an expired lease whose turn already used `maxAttempts` is
   * dead-lettered instead of handed out again.
   *
   * Order and the settle window: the turn always starts at the lowest pending `Index`
   * (never at arrival order). Twilio's indexes may skip numbers, so a gap does not prove a
   * message is missing; the rule is: the lowest pending message is handed out when
   * (a) every index between the conversation's last processed index (or -1 before the
   * first) and its own, both excluded, is recorded — as a stored message of any role and
   * status, or as one of our sent replies settled with its `index` — which includes the
   * empty range (index 0, or the last processed index is `index - 1` or above), or
   * (b) it has been in the mailbox for `settleWindowMs`. Until then the whole conversation
   * waits. A recorded `index - 1` alone is not enough: the customer's earlier messages may
   * still be in flight while our reply took the index just below theirs. So a real gap
   * (Twilio skipped a number, or its record was garbage-collected) costs the settle window
   * once. A lower index arriving after that is still delivered next, marked `late`. In a
   * `burst` turn each further message is checked the same way from the turn's previous
   * message, which is answered with it.
   */
  claim(workerId: string, max: number, leaseMs: number): Promise<Lease[]>;

  /** Extends the lease by `lease.leaseMs` from now. False when fenced out (re-claimed, failed,
   * completed or taken by a handoff); the worker must then abandon the turn. */
  heartbeat(lease: Lease): Promise<boolean>;

  /**
   * Gives the turn back unfinished (a worker shutting down): the conversation is claimable
   * again at once and the attempt is not counted — the next claim of the same turn has the
   * same `attempt` number, so a deploy during a turn's last attempt does not dead-letter it.
   * Fenced like `heartbeat`: false (and nothing written) when the lease is no longer held.
   */
  release(lease: Lease): Promise<boolean>;

  /**
   * In one transaction: marks the turn's messages done, appends `replies` to the outbox with
   * `replyIdFor(turnId, position)` ids, resets attempts, releases the lease (and hands off if
   * asked). Throws `LeaseLostError` and writes nothing when fenced out. Because this is
   * atomic, a turn whose replies are in the outbox is never handed out again.
   */
  complete(
    lease: Lease,
    replies: readonly OutboundReply[],
    options?: CompleteOptions,
  ): Promise<CompletedTurn>;

  /**
   * Releases the lease after a failed attempt. The conversation stays blocked (its messages
   * pending) until `retryAt`; when the turn has used `maxAttempts` it becomes a dead letter
   * with `error` as the reason. Throws `LeaseLostError` when fenced out.
   */
  fail(lease: Lease, error: string, retryAt: number): Promise<FailOutcome>;

  /**
   * The tool journal, read side: the step recorded under `key` in the lease's conversation,
   * or `undefined` when none was. Not fenced (reading cannot repeat an effect), so a worker
   * that re-runs a turn after a crash, a retry or a lost lease replays what the earlier run
   * recorded. The value comes back as it went through JSON.
   */
  journalGet(lease: Lease, key: string): Promise<JournaledStep | undefined>;

  /**
   * The tool journal, write side: records a completed step under `key` (keys start with the
   * turn id, so they are unique per turn across its re-runs) before the agent's model sees
   * the result. Durable when it resolves. Fenced like `complete`: throws `LeaseLostError`
   * and writes nothing once the lease is no longer held, so a worker that lost its lease
   * cannot journal (its agent then stops the turn). A key recorded before keeps its first
   * value. Rows are removed by `collectGarbage` once their turn is no longer pending and
   * they are older than `olderThanMs`. Throws `MailboxInputError` for an empty or overlong
   * key (over 512 characters), a missing name, or a value that is not JSON or is too large.
   */
  journalRecord(lease: Lease, key: string, step: JournaledStep): Promise<void>;

  /**
   * Dead-lettered conversations, oldest first; with `limit` (1 to 10,000), only that many of
   * them (the console lists its page's worth however many a long outage left). Throws
   * `MailboxInputError` for options that are not an object or a limit out of range.
   */
  deadLetters(options?: { limit?: number }): Promise<DeadLetter[]>;

  /**
   * Counts for operations, from one aggregate query whatever the number of conversations:
   * a metrics scrape must not cost a query per conversation. Cheap enough to call on every
   * scrape; never part of a transaction.
   */
  stats(): Promise<MailboxStats>;
  /** Unblocks a dead conversation: its turn runs again from attempt 1. False if not dead. */
  retryDeadLetter(conversationSid: string): Promise<boolean>;
  /** Marks the dead turn's messages `skipped` and lets the conversation go on. False if not dead. */
  skipDeadLetter(conversationSid: string): Promise<boolean>;

  /**
   * Claims up to `max` replies to send: per conversation only its oldest unsettled reply,
   * when it is `pending` and due, or `sending` with an expired claim (a crashed sender; its
   * `attempt` > 1 tells the runtime to look for the reply id before resending).
   */
  claimOutbox(workerId: string, max: number, leaseMs: number): Promise<OutboxItem[]>;
  /**
   * Records that a send request of this claim is about to leave, and that it may land at
   * Twilio until `deadline` (store clock: the attempt's start plus the provider's bounded
   * request time and a margin). The claim's lease is extended to `deadline` if it ends
   * sooner. Resolves false, writing nothing, when the claim is no longer this item's (another
   * claim took the row, it was settled) or its lease has run out or was released (its
   * instance's liveness lapsed): the caller must then not send. A release because the
   * owner's liveness lapsed leaves a row with an attempt in flight leased until its deadline,
   * so no one looks for the reply (and resends) while the lapsed owner's request may still
   * land; a row only claimed is taken at once. Optional: without it a lapsed owner's sends are
   * taken at once.
   */
  startSendAttempt?(item: OutboxItem, deadline: number): Promise<boolean>;

  /**
   * Records a send outcome. `sent` is a fact and is always recorded (even from a sender whose
   * claim expired); it also registers `messageSid` as a dedupe key so our own message coming
   * back through the webhook is not stored twice. `retryAt`/`failed` apply only if
   * `item.claimVersion` is still current; answers false otherwise.
   */
  settleOutbox(item: OutboxItem, result: OutboxResult): Promise<boolean>;

  /**
   * Appends one reply outside a turn (e.g. the WhatsApp template after a 63016 delivery
   * failure) to the conversation's outbox, after every reply already there, so it goes out
   * in order with the outbox's durability and ambiguous-send reconciliation. Idempotent by
   * `replyId` (unique across the store): `duplicate` when that id was enqueued or completed
   * before, even concurrently; nothing changes then. Its `turnId` in history is `replyId` up
   * to its last `.` (so `<turnId>.template` belongs to that turn). Resolves once durable.
   * Throws `MailboxInputError` for an empty reply id or reply. `known`: what the caller knows
   * of a conversation the mailbox may have seen no message in yet (one it opened itself to
   * text a number): it fills in only what the mailbox does not know, so the conversation is
   * listed with its channel and customer, and the reply addressed, before anyone writes back.
   */
  enqueueReply(
    conversationSid: string,
    replyId: string,
    reply: OutboundReply,
    known?: KnownConversation,
  ): Promise<"queued" | "duplicate">;

  /**
   * The most recent `limit` (default 50, at most 500) entries of a conversation, oldest first:
   * inbound messages of every role by `Index`, each reply right after the turn it answers.
   * Another `limit` rejects with `MailboxInputError`; an unknown conversation gives `[]`.
   */
  history(conversationSid: string, options?: { limit?: number }): Promise<HistoryEntry[]>;

  /** The conversation's row, or null if never seen. */
  conversation(conversationSid: string): Promise<ConversationRecord | null> /**
   * Everything a turn reads before its agent runs, as one consistent read: the conversation's
   * `history` (`historyLimit`), `customerOfConversation`, that customer's `customerHistory`
   * with the conversation left out (`customerHistoryLimit` entries; 0 or absent: none), the
   * `handoffNote`, and the `consent` record of each of `consentAddresses` (those with one).
   * Each part equals what its own method answers. Optional: the runtime composes the separate
   * calls when a store lacks it; PostgreSQL answers it in one round trip instead of six.
   * Malformed input rejects with `MailboxInputError`, as the separate methods would.
   */;
  turnContext?(conversationSid: string, options: TurnContextOptions): Promise<TurnContext>;

  /** Sets how pending messages are cut into turns (creates the row if needed). */
  setPolicy(conversationSid: string, policy: TurnPolicy): Promise<void>;
  /**
   * On: a human has the conversation — pending messages become `handoff`, a running turn is
   * fenced out, new customer messages are recorded without turns. Off: back to `idle`;
   * the next customer message starts a turn. Replies already in the outbox are still sent.
   */
  setHandoff(conversationSid: string, on: boolean): Promise<void>;

  /**
   * Records that Twilio no longer has the conversation (it answered 404: a user deleted it in
   * the Twilio console, or the dev emulator lost its state), with `reason` (at most 1000
   * characters; what Twilio said). Once only: the first call sets `goneAt` and `goneReason`
   * and answers true; later calls change nothing and answer false, so whoever gets true
   * reports it and nobody repeats it. Creates the row if the mailbox never saw the
   * conversation. Gone is final, like closed: Twilio never reuses a conversation SID. It does
   * not change scheduling or the outbox: pending work still runs, and sends to the
   * conversation fail (the runtime settles them `failed` on Twilio's 404). A column of the
   * conversation's row, so it costs nothing per conversation beyond that row. Throws
   * `MailboxInputError` for an empty SID or an empty or oversized reason, writing nothing.
   */
  markGone(conversationSid: string, reason: string): Promise<boolean>;
  /**
   * Notes why a person has the conversation (see {@link HandoffNote}), replacing an earlier
   * note; `startedAt` is the store's now. Independent of `setHandoff` and `complete`, which
   * change the state: the runtime writes the note right after them. Throws
   * `MailboxInputError` for an empty reason, an unknown source or an overlong summary.
   */
  noteHandoff(
    conversationSid: string,
    note: Pick<HandoffNote, "reason" | "source" | "summary">,
  ): Promise<HandoffNote>;
  /** The conversation's latest handoff note, or null when it never had one. */
  handoffNote(conversationSid: string): Promise<HandoffNote | null>;
  /**
   * Notes that the conversation went back to the bot (`releasedAt` is the store's now), so
   * its next turn can tell the agent what happened meanwhile. False when it has no note.
   */
  noteHandoffReleased(conversationSid: string, by: "operator" | "timeout"): Promise<boolean>;
  /**
   * The "waiting for a person" queue: conversations in `handoff` state with their notes,
   * longest waiting first, at most `limit` (default 100, at most 1000).
   */
  waitingForPerson(options?: { limit?: number }): Promise<WaitingConversation[]>;

  /** Highest `Index` recorded for a conversation (any role), for catch-up; null if none. */
  lastIndex(conversationSid: string): Promise<number | null>;
  /**
   * What the mailbox knows of the indexes strictly between `above` and `below`: `recorded`,
   * how many distinct ones are recorded — as stored messages of any role or as our sent
   * replies' indexes, the count the settle rule of `claim` makes — and `sending`, how many
   * of the conversation's replies are being sent right now (each may already hold an index
   * at Twilio that is not recorded yet). `recorded + sending < below - above - 1` means
   * messages are missing there: the runtime lists the conversation at once instead of
   * waiting out the settle window. Optional: without it the runtime compares `lastIndex`.
   */
  indexGap?(
    conversationSid: string,
    above: number,
    below: number,
  ): Promise<{ recorded: number; sending: number }>;
  /**
   * The conversations with activity since `since` (epoch ms, store clock): a customer message
   * (`lastInboundAt`) at or after it, or — for one with no customer message yet, such as a
   * conversation we opened — a row created at or after it. Most recent activity first (ties
   * by SID), at most `limit` (an integer from 1 to {@link mailboxLimits}`.activeLimit`), never
   * a conversation marked gone. Read through an index on that activity, so catch-up costs
   * the same whatever the number of conversations ever seen. Rejects with
   * `MailboxInputError` for a `since` that is not a finite number or a `limit` out of range.
   * Optional: without it catch-up reads every known conversation's row. With `includeGone`,
   * conversations marked gone are answered too (the operator console still lists them).
   */
  activeConversations?(
    since: number,
    limit: number,
    options?: ActiveConversationsOptions,
  ): Promise<ConversationRecord[]>;
  /** Every conversation the mailbox has a row for. */
  knownConversations(): Promise<string[]>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * Stores the transcripts of an inbound message's voice notes (written by the runtime from
   * `Reply.transcripts` during the turn). Each belongs to the message's row: a message the
   * mailbox does not hold stores nothing (resolves 0), and when `collectGarbage` removes
   * the message its transcripts go with it, so they never outlive the history they explain.
   * A transcript for a position already stored replaces it (a re-run turn writes the same
   * values again). Resolves the number stored. Rejects with `MailboxInputError`
   * (`invalid_mailbox_input`) for more than {@link transcriptLimits}`.perCall` entries, a
   * position that is not an integer in 0…`maxMediaIndex`, or text that is empty or longer
   * than `maxTextLength`.
   */
  saveTranscripts(messageSid: string, transcripts: readonly StoredTranscript[]): Promise<number>;
  /** A message's stored transcripts, by media position (empty when none). */
  transcripts(messageSid: string): Promise<StoredTranscript[]>;

  /** Calls `listener` after commits that may have made work claimable. Returns unsubscribe. */
  onWork(listener: (notice: WorkNotice) => void): () => void;

  /**
   * Removes non-pending inbound rows ingested more than `olderThanMs` ago, settled outbox
   * rows settled more than `olderThanMs` ago, and tool journal rows recorded more than
   * `olderThanMs` ago whose turn is no longer pending (a turn that still waits — in backoff or
   * a dead letter — keeps its journal, so its retry replays it), and the transcripts of every
   * message no longer held. Dedupe keys are kept for
   * `max(olderThanMs, dedupeRetentionMs)`, so a redelivery within 7 days is still a duplicate.
   */
  collectGarbage(options: { olderThanMs: number }): Promise<GarbageCollected>;

  /**
   * Optional, for stores shared by several processes: runs `work` while holding the named
   * lock across every process on the same store (PostgreSQL: a session advisory lock), so
   * periodic jobs such as catch-up run on one instance at a time. Resolves
   * `{ acquired: false }` at once, without running `work`, when another holder has it.
   * Stores without it are used by one process; the runtime then serialises in-process.
   */
  withLock?<T>(name: string, work: () => Promise<T>): Promise<LockOutcome<T>>;

  /**
   * Optional: sends `payload` (at most {@link maxPublishBytes} bytes of UTF-8) to every
   * `subscribe`r of `channel` in every process sharing the store (PostgreSQL: `NOTIFY`),
   * including this one. Live hints, not storage: a subscriber that is reconnecting misses
   * them. The runtime publishes its live events through it (see `switchboard.live`).
   */
  publish?(channel: string, payload: string): Promise<void>;

  /** Optional, with `publish`: calls `listener` for every payload published on `channel`. */
  subscribe?(channel: string, listener: (payload: string) => void): () => void;

  /**
   * Optional, for stores that connect to a server (PostgreSQL): connects and prepares the
   * storage, rejecting with `MailboxOpenError` when it cannot. Idempotent. Such stores also
   * open on first use, so this only makes a bad database fail early: `createSwitchboard`
   * calls it at `start()`. Stores that open at construction (SQLite) leave it out.
   */
  start?(): Promise<void>;

  /** Waits for queued writes, then closes. Later calls reject with `MailboxClosedError`. */
  close(): Promise<void>;
}

/** The answer of `withLock`: the work's value, or that another process holds the lock. */
export type LockOutcome<T> = { acquired: true; value: T } | { acquired: false };

/** The largest `publish` payload in bytes (PostgreSQL's NOTIFY limit, less an envelope). */
export const maxPublishBytes = 7_000;

/**
 * Where an outbound message stands at Twilio and beyond, from delivery receipts
 * (`onDeliveryUpdated` or the receipts REST resource): `queued` until the first receipt,
 * then `sent` → `delivered` → `read`, or `failed`/`undelivered` with Twilio's error code.
 */
export type DeliveryStatus = "queued" | "sent" | "delivered" | "read" | "failed" | "undelivered";

/** One delivery receipt, as `recordDelivery` takes it. */
export interface DeliveryUpdate {
  /** Our message's SID (`IM…`), the key of its delivery status. */
  messageSid: string;
  conversationSid: string;
  status: DeliveryStatus;
  /** Twilio's error code on `failed`/`undelivered`; null otherwise. */
  errorCode: number | null;
  /** The channel the receipt is about, when known. */
  channel?: MailboxChannel | null;
  /** Twilio's `DateUpdated` of the receipt, epoch ms (the receive time when it had none). */
  updatedAt: number;
}

/** A message's delivery status as stored. */
export interface DeliveryRecord {
  messageSid: string;
  conversationSid: string;
  status: DeliveryStatus;
  errorCode: number | null;
  channel: MailboxChannel | null;
  /** The `updatedAt` of the receipt that set `status`. */
  updatedAt: number;
  /** When the store last changed this record (store clock). */
  recordedAt: number;
}

/**
 * What `recordDelivery` did: `changed` is false for a duplicate or a receipt that would move
 * the status backwards (it arrived out of order); `record` is the status as stored after it.
 */
export interface DeliveryRecordOutcome {
  changed: boolean;
  record: DeliveryRecord;
}

/** Whether a customer address may be messaged. */
export type ConsentState = "opted-out" | "opted-in";

/**
 * Why consent changed: a consent `keyword` from the customer (SMS STOP/START, a configured
 * WhatsApp phrase), a `twilio-21610` (Twilio refused a send: the number opted out with
 * Twilio), or an `operator` action.
 */
export type ConsentReason = "keyword" | "twilio-21610" | "operator";

/** One change of the consent ledger, as `setConsent` takes it. */
export interface ConsentChange {
  /** The customer address exactly as Twilio names it (`+1555…`, `whatsapp:+1555…`). */
  address: string;
  state: ConsentState;
  reason: ConsentReason;
  /** A few words for people, e.g. the keyword sent or the operator's name. At most 200. */
  detail?: string | null;
}

/** An address's consent as stored. */
export interface ConsentRecord {
  address: string;
  state: ConsentState;
  reason: ConsentReason;
  detail: string | null;
  /** When it last changed (store clock). */
  changedAt: number;
}

/**
 * Delivery status and consent: the ledger the runtime keeps after a send. Part of every
 * `MailboxStore` (declared apart so the scheduling contract above stays readable).
 */
export interface MailboxLedger {
  /**
   * Stores a receipt's status for `messageSid`, durably. A status never moves backwards:
   * `queued` < `sent` < `delivered` = `failed` = `undelivered` < `read` (a read message was
   * received whatever an earlier receipt said; of two terminal statuses the first stays), so
   * duplicates and receipts arriving out of order leave the right final status — the rule is
   * `deliveryAdvances` in the mailbox core. Throws `MailboxInputError` for malformed input.
   */
  recordDelivery(update: DeliveryUpdate): Promise<DeliveryRecordOutcome>;
  /** The delivery records of a conversation's messages, most recent first, at most 500. */
  deliveries(conversationSid: string): Promise<DeliveryRecord[]>;
  /**
   * Records the consent of one customer address — per address, not per conversation: an
   * opt-out covers every conversation with that address. The latest change wins. Resolves
   * with the record as stored once durable. Throws `MailboxInputError` for malformed input.
   */
  setConsent(change: ConsentChange): Promise<ConsentRecord>;
  /** The address's consent, or null when it never changed (the customer may be messaged). */
  consent(address: string): Promise<ConsentRecord | null>;
}

/**
 * A correctly signed inbound message the mailbox refused for good (`ingest` threw
 * `MailboxInputError`: a body over the limit, attributes too large, text PostgreSQL cannot
 * hold…). Only a summary is kept — never the body, the attributes or a full phone number —
 * so a hostile sender cannot fill the database through it.
 */
export interface InboundDeadLetter {
  conversationSid: string;
  messageSid: string;
  /** The author, masked by the caller (`+1555•••0001`); at most 64 characters. */
  author: string;
  /** The field the mailbox refused, e.g. `body` or `attributes` (at most 64 characters). */
  field: string;
  /** Why, in words (at most 500 characters). */
  reason: string;
  /** The refused message's body length in characters (0 when it had none). */
  bodyLength: number;
  /** When it was first recorded (store clock). */
  recordedAt: number;
}

/** What `recordInboundDeadLetter` takes: everything but the store's time. */
export type InboundDeadLetterInput = Omit<InboundDeadLetter, "recordedAt">;

/**
 * Messages that can never be stored, kept visible instead of lost. Part of every
 * `MailboxStore` (declared apart, like the ledger).
 */
export interface MailboxInboundDeadLetters {
  /**
   * Records a summary of a message `ingest` refused for good, durably. Once per message
   * SID: resolves `true` when new, `false` when that SID is already recorded (Twilio retried,
   * or catch-up met the message again). Bounded: only the most recent
   * `inboundDeadLetterLimits.kept` (1000) are kept, the oldest dropped on insert. Throws
   * `MailboxInputError` for malformed input, writing nothing.
   */
  recordInboundDeadLetter(letter: InboundDeadLetterInput): Promise<boolean>;
  /** The recorded letters, most recent first: at most `limit` (1 to 1000, default 100). */
  inboundDeadLetters(options?: { limit?: number }): Promise<InboundDeadLetter[]>;
}
