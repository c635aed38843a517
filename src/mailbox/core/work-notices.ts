import type { TurnPolicy, WorkNotice } from "../mailbox-store.js";

/**
 * The wake-up hints each write owes the `onWork` listeners once it commits, decided once for
 * both stores. A store delivers `now` notices after the commit (and PostgreSQL also NOTIFYs
 * them to other processes) and `later` ones after `delayMs`.
 */
export interface CommittedNotice {
  notice: WorkNotice;
  /** Deliver this much after the commit instead of at once. */
  delayMs?: number;
}

export const turnNotice = (conversationSid: string): WorkNotice => ({
  kind: "turn",
  conversationSid,
});

/** The conversation's running turn (lease `leaseVersion`) was interrupted: stop it now. */
export const interruptNotice = (conversationSid: string, leaseVersion: number): WorkNotice => ({
  kind: "interrupt",
  conversationSid,
  leaseVersion,
});

export const outboxNotice = (conversationSid: string): WorkNotice => ({
  kind: "outbox",
  conversationSid,
});

/**
 * A pending customer message wakes workers now and again when its settle or burst window ends,
 * because that makes work due with no new write.
 */
export function ingestNotices(
  conversationSid: string,
  policy: TurnPolicy,
  settleWindowMs: number,
): CommittedNotice[] {
  const notice = turnNotice(conversationSid);
  const wait = Math.max(settleWindowMs, policy.mode === "burst" ? policy.windowMs : 0);
  return wait > 0 ? [{ notice }, { notice, delayMs: wait }] : [{ notice }];
}

/**
 * A completed turn: its replies wake the sender; unless a human took the conversation, the
 * next pending message may be due.
 */
export function completeNotices(
  conversationSid: string,
  replies: number,
  handoff: boolean,
): WorkNotice[] {
  const notices: WorkNotice[] = [];
  if (replies > 0) notices.push(outboxNotice(conversationSid));
  if (!handoff) notices.push(turnNotice(conversationSid));
  return notices;
}
