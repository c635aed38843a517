import type { OutboxResult, OutboxStatus } from "../mailbox-store.js";

/**
 * What `settleOutbox` does with a row, decided once for both stores:
 * - `already-sent`: a `sent` outcome for a row already sent — nothing to write, answer true;
 * - `sent`: record it even from a sender whose claim expired (it is a fact);
 * - `stale`: a retry or failure from a claim that is no longer current — write nothing;
 * - `failed` / `retry`: write it (only `failed` unblocks the next reply, so only it notifies).
 */
export type OutboxSettlement = "already-sent" | "sent" | "stale" | "failed" | "retry";

export function outboxSettlement(
  row: { status: OutboxStatus; claim_version: number },
  claimVersion: number,
  result: OutboxResult,
): OutboxSettlement {
  if ("sent" in result) return row.status === "sent" ? "already-sent" : "sent";
  if (row.status !== "sending" || row.claim_version !== claimVersion) return "stale";
  return "failed" in result ? "failed" : "retry";
}

/**
 * Settlements that may have unblocked the conversation's next reply. `openLeft`: whether the
 * conversation still has an unsettled reply; a store that knows it has none (SQLite reads it
 * in the commit) passes false: nothing was unblocked, and a claim would find nothing.
 */
export function settlementNotifies(settlement: OutboxSettlement, openLeft = true): boolean {
  return openLeft && (settlement === "sent" || settlement === "failed");
}

/**
 * The dedupe key that makes our own sent message, coming back through the webhook, a
 * duplicate instead of a second history row.
 */
export const sentMessageKey = (messageSid: string): string => `sid:${messageSid}`;

/** Permanent like message dedupe: the key outlives the outbox row's garbage collection. */
export const enqueuedReplyKey = (replyId: string): string => `reply:${replyId}`;

/** A message's permanent dedupe keys, token first (retries share it), then its SID. */
export function inboundDedupeKeys(message: {
  messageSid: string;
  idempotencyToken?: string | null | undefined;
}): string[] {
  const sid = `sid:${message.messageSid}`;
  return message.idempotencyToken === undefined || message.idempotencyToken === null
    ? [sid]
    : [`token:${message.idempotencyToken}`, sid];
}
