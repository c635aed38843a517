import { ConfigError } from "../errors.js";
import { MailboxInputError } from "./mailbox-errors.js";
import type {
  InboundMessage,
  KnownConversation,
  MailboxOptions,
  OutboundReply,
  OutboxResult,
  StoredTranscript,
  TurnPolicy,
} from "./mailbox-store.js";
import { transcriptLimits } from "./mailbox-store.js";

/** Limits shared by every implementation, so they reject the same input. */
export const mailboxLimits = {
  /** Twilio chat bodies go up to 32 KiB; this leaves room and still bounds a row. */
  bodyLength: 65_536,
  /** Twilio's own limit on message attributes. */
  attributesBytes: 16_384,
  media: 64,
  sidLength: 64,
  textLength: 1_024,
  replies: 100,
  claimMax: 1_000,
  historyLimit: 500,
  goneReasonLength: 1_000,
  /** Conversations `activeConversations` answers per call at most. */
  activeLimit: 10_000,
} as const;

const day = 24 * 60 * 60 * 1000;
/** Dedupe keys live at least this long: Twilio retries and catch-up stay within it. */
export const minimumDedupeRetentionMs = 7 * day;

const channels = new Set(["sms", "whatsapp", "chat"]);
const roles = new Set(["customer", "bot", "human"]);

function fail(field: string, message: string): never {
  throw new MailboxInputError(field, `${field}: ${message}`);
}

function text(field: string, value: unknown, max: number = mailboxLimits.textLength): string {
  if (typeof value !== "string" || value.length === 0) fail(field, "must be a non-empty string");
  if (value.length > max) fail(field, `is longer than ${max} characters`);
  return value;
}

function optionalText(field: string, value: unknown, max?: number): void {
  if (value !== undefined) text(field, value, max);
}

function time(field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    fail(field, "must be a non-negative epoch milliseconds number");
}

/** Throws `MailboxInputError` unless `message` is a well-formed, bounded inbound record. */
export function validateInboundMessage(message: InboundMessage): void {
  if (typeof message !== "object" || message === null) fail("message", "must be an object");
  text("conversationSid", message.conversationSid, mailboxLimits.sidLength);
  optionalText("serviceSid", message.serviceSid, mailboxLimits.sidLength);
  text("messageSid", message.messageSid, mailboxLimits.sidLength);
  if (!Number.isSafeInteger(message.index) || message.index < 0)
    fail("index", "must be a non-negative integer");
  text("author", message.author);
  if (message.body !== null) {
    if (typeof message.body !== "string") fail("body", "must be a string or null");
    if (message.body.length > mailboxLimits.bodyLength)
      fail("body", `is longer than ${mailboxLimits.bodyLength} characters`);
  }
  if (!Array.isArray(message.media)) fail("media", "must be an array");
  if (message.media.length > mailboxLimits.media)
    fail("media", `has more than ${mailboxLimits.media} items`);
  for (const item of message.media) {
    if (typeof item !== "object" || item === null) fail("media", "items must be objects");
    text("media.sid", item.sid, mailboxLimits.sidLength);
    text("media.contentType", item.contentType);
  }
  if (
    typeof message.attributes !== "object" ||
    message.attributes === null ||
    Array.isArray(message.attributes)
  )
    fail("attributes", "must be an object");
  let serialised: string;
  try {
    serialised = JSON.stringify(message.attributes);
  } catch {
    fail("attributes", "must be JSON-serialisable");
  }
  if (Buffer.byteLength(serialised) > mailboxLimits.attributesBytes)
    fail("attributes", `is larger than ${mailboxLimits.attributesBytes} bytes`);
  if (!channels.has(message.channel)) fail("channel", "must be sms, whatsapp or chat");
  text("source", message.source);
  optionalText("participantSid", message.participantSid, mailboxLimits.sidLength);
  time("dateCreated", message.dateCreated);
  optionalText("idempotencyToken", message.idempotencyToken);
  time("receivedAt", message.receivedAt);
  if (!roles.has(message.role)) fail("role", "must be customer, bot or human");
  optionalText("customerAddress", message.customerAddress);
  optionalText("proxyAddress", message.proxyAddress);
}

/** Throws unless `workerId`, `max` and `leaseMs` are usable for a claim. */
export function validateClaim(workerId: string, max: number, leaseMs: number): void {
  text("workerId", workerId);
  if (!Number.isSafeInteger(max) || max < 1 || max > mailboxLimits.claimMax)
    fail("max", `must be an integer from 1 to ${mailboxLimits.claimMax}`);
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) fail("leaseMs", "must be a positive integer");
}

/** Throws unless every reply has a body, media or a template, within bounds. */
export function validateReplies(replies: readonly OutboundReply[]): void {
  if (!Array.isArray(replies)) fail("replies", "must be an array");
  if (replies.length > mailboxLimits.replies)
    fail("replies", `has more than ${mailboxLimits.replies} items`);
  for (const reply of replies) {
    if (typeof reply !== "object" || reply === null) fail("replies", "items must be objects");
    if (reply.body !== null && typeof reply.body !== "string")
      fail("reply.body", "must be a string or null");
    if (reply.body !== null && reply.body.length > mailboxLimits.bodyLength)
      fail("reply.body", `is longer than ${mailboxLimits.bodyLength} characters`);
    if (reply.media !== undefined && !Array.isArray(reply.media))
      fail("reply.media", "must be an array of URLs");
    if (reply.template !== undefined) text("reply.template.contentSid", reply.template.contentSid);
    const empty =
      (reply.body === null || reply.body === "") &&
      (reply.media ?? []).length === 0 &&
      reply.template === undefined;
    if (empty) fail("reply", "needs a body, media or a template");
  }
}

/** Throws unless `enqueueReply`'s arguments are usable: ids within bounds, one valid reply. */
export function validateEnqueuedReply(
  conversationSid: string,
  replyId: string,
  reply: OutboundReply,
  known?: KnownConversation,
): void {
  text("conversationSid", conversationSid, mailboxLimits.sidLength);
  text("replyId", replyId, mailboxLimits.sidLength * 2);
  validateReplies([reply]);
  if (known === undefined) return;
  if (typeof known !== "object" || known === null) fail("known", "must be an object");
  if (known.channel !== "sms" && known.channel !== "whatsapp" && known.channel !== "chat")
    fail("known.channel", 'must be "sms", "whatsapp" or "chat"');
  // As long as an ingested message's addresses may be.
  text("known.customerAddress", known.customerAddress);
  if (known.proxyAddress !== null) optionalText("known.proxyAddress", known.proxyAddress);
}

/** Throws unless a send outcome is well-formed (the fields stores write as numbers). */
export function validateOutboxResult(result: OutboxResult): void {
  if (typeof result !== "object" || result === null) fail("result", "must be an object");
  if ("sent" in result) {
    if (result.index !== undefined && (!Number.isSafeInteger(result.index) || result.index < 0))
      fail("index", "must be a non-negative integer");
  } else if ("retryAt" in result) {
    if (typeof result.retryAt !== "number" || !Number.isFinite(result.retryAt))
      fail("retryAt", "must be epoch ms");
    if (
      result.outcome !== undefined &&
      result.outcome !== "unsent" &&
      result.outcome !== "ambiguous"
    )
      fail("outcome", 'must be "unsent" or "ambiguous"');
  } else if (!("failed" in result)) fail("result", "must be sent, retryAt or failed");
}

/** Throws unless `markGone`'s arguments are usable: a SID within bounds, a short reason. */
export function validateGone(conversationSid: string, reason: string): void {
  text("conversationSid", conversationSid, mailboxLimits.sidLength);
  text("reason", reason, mailboxLimits.goneReasonLength);
}

/** The history limit with its default (50); throws unless it is an integer from 1 to 500. */
export function validateHistoryLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > mailboxLimits.historyLimit)
    fail("limit", `must be an integer from 1 to ${mailboxLimits.historyLimit}`);
  return limit;
}

/** Throws unless `limit` is a list limit from 1 to `activeLimit`. */
function validateListLimit(limit: unknown): asserts limit is number {
  if (
    typeof limit !== "number" ||
    !Number.isSafeInteger(limit) ||
    limit < 1 ||
    limit > mailboxLimits.activeLimit
  )
    fail("limit", `must be an integer from 1 to ${mailboxLimits.activeLimit}`);
}

/** `deadLetters`' options: the row limit, or null for every dead letter. */
export function validateDeadLetterLimit(options: unknown): number | null {
  if (options === undefined) return null;
  if (typeof options !== "object" || options === null) fail("options", "must be an object");
  const { limit } = options as { limit?: unknown };
  if (limit === undefined) return null;
  validateListLimit(limit);
  return limit;
}

/** `activeConversations`' arguments: a finite time and a limit from 1 to `activeLimit`. */
export function validateActiveQuery(since: unknown, limit: unknown, options?: unknown): void {
  if (options !== undefined && (typeof options !== "object" || options === null))
    fail("options", "must be an object");
  const includeGone = (options as { includeGone?: unknown } | undefined)?.includeGone;
  if (includeGone !== undefined && typeof includeGone !== "boolean")
    fail("includeGone", "must be a boolean");
  if (typeof since !== "number" || !Number.isFinite(since))
    fail("since", "must be a finite time in epoch ms");
  validateListLimit(limit);
}

/** Throws unless `policy` is a valid turn policy. */
export function validatePolicy(policy: TurnPolicy): void {
  if (policy?.mode === "queue" || policy?.mode === "interrupt") return;
  if (policy?.mode === "burst") {
    if (!Number.isSafeInteger(policy.windowMs) || policy.windowMs < 0)
      fail("policy.windowMs", "must be a non-negative integer");
    return;
  }
  fail("policy", 'must be { mode: "queue" }, { mode: "burst", windowMs } or { mode: "interrupt" }');
}

/** `MailboxOptions` with defaults applied; throws `ConfigError` naming a bad option. */
export interface ResolvedMailboxOptions {
  now: () => number;
  settleWindowMs: number;
  maxAttempts: number;
  defaultPolicy: TurnPolicy;
  dedupeRetentionMs: number;
}

export function resolveMailboxOptions(options: MailboxOptions): ResolvedMailboxOptions {
  const settleWindowMs = options.settleWindowMs ?? 150;
  if (!Number.isSafeInteger(settleWindowMs) || settleWindowMs < 0)
    throw new ConfigError("settleWindowMs", "settleWindowMs must be a non-negative integer (ms).");
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)
    throw new ConfigError("maxAttempts", "maxAttempts must be a positive integer.");
  const dedupeRetentionMs = options.dedupeRetentionMs ?? minimumDedupeRetentionMs;
  if (!Number.isFinite(dedupeRetentionMs) || dedupeRetentionMs < minimumDedupeRetentionMs)
    throw new ConfigError(
      "dedupeRetentionMs",
      "dedupeRetentionMs must be at least 7 days: Twilio redeliveries and catch-up rely on it.",
    );
  const defaultPolicy = options.defaultPolicy ?? { mode: "queue" };
  try {
    validatePolicy(defaultPolicy);
  } catch (error) {
    throw new ConfigError("defaultPolicy", (error as Error).message, { cause: error });
  }
  return {
    now: options.now ?? Date.now,
    settleWindowMs,
    maxAttempts,
    defaultPolicy,
    dedupeRetentionMs,
  };
}

/**
 * Checks `saveTranscripts` input (see `transcriptLimits`) and returns a copy, so a caller
 * changing its array later cannot change what is written.
 */
export function validateTranscripts(
  messageSid: unknown,
  transcripts: unknown,
): { messageSid: string; transcripts: StoredTranscript[] } {
  const sid = text("messageSid", messageSid, mailboxLimits.sidLength);
  if (!Array.isArray(transcripts)) fail("transcripts", "must be an array");
  if (transcripts.length > transcriptLimits.perCall)
    fail("transcripts", `holds more than ${transcriptLimits.perCall} entries`);
  const copied = transcripts.map((entry: unknown, position) => {
    const field = `transcripts[${position}]`;
    if (typeof entry !== "object" || entry === null) fail(field, "must be an object");
    const { mediaIndex, text: value } = entry as Record<string, unknown>;
    if (
      typeof mediaIndex !== "number" ||
      !Number.isInteger(mediaIndex) ||
      mediaIndex < 0 ||
      mediaIndex > transcriptLimits.maxMediaIndex
    )
      fail(`${field}.mediaIndex`, `must be an integer from 0 to ${transcriptLimits.maxMediaIndex}`);
    return { mediaIndex, text: text(`${field}.text`, value, transcriptLimits.maxTextLength) };
  });
  return { messageSid: sid, transcripts: copied };
}

/** `indexGap`'s arguments: a conversation SID and two whole indexes, `above < below`. */
export function validateIndexRange(conversationSid: unknown, above: unknown, below: unknown): void {
  if (
    typeof conversationSid !== "string" ||
    conversationSid.length === 0 ||
    conversationSid.length > 256
  )
    throw new MailboxInputError("conversationSid", "indexGap: conversationSid must be a SID");
  for (const [name, value] of [
    ["above", above],
    ["below", below],
  ] as const)
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < -1)
      throw new MailboxInputError(
        name,
        `indexGap: ${name} must be a whole number, -1 or more; got ${String(value)}`,
      );
  if ((above as number) >= (below as number))
    throw new MailboxInputError("below", "indexGap: below must be greater than above");
}
