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
 * because that makes work due with no new write. `gapFree`: every index between the last
 * answered one and the message's is recorded, so the settle window cannot hold it back; a
 * store that checked (SQLite, in the ingest's commit) passes true, and spares the workers a
 * claim at the window's end that would find nothing.
 */
export function ingestNotices(
  conversationSid: string,
  policy: TurnPolicy,
  settleWindowMs: number,
  gapFree = false,
): CommittedNotice[] {
  const notice = turnNotice(conversationSid);
  const wait = Math.max(
    gapFree ? 0 : settleWindowMs,
    policy.mode === "burst" ? policy.windowMs : 0,
  );
  return wait > 0 ? [{ notice }, { notice, delayMs: wait }] : [{ notice }];
}

/**
 * A completed turn: its replies wake the sender; unless a human took the conversation, the
 * next pending message may be due. `pendingLeft`: whether messages still wait in the
 * conversation (those that arrived during the turn); a store that knows none do (SQLite reads
 * it in the commit) passes false, and spares the workers a claim that would find nothing.
 */
export function completeNotices(
  conversationSid: string,
  replies: number,
  handoff: boolean,
  pendingLeft = true,
): WorkNotice[] {
  const notices: WorkNotice[] = [];
  if (replies > 0) notices.push(outboxNotice(conversationSid));
  if (!handoff && pendingLeft) notices.push(turnNotice(conversationSid));
  return notices;
}
