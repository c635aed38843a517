import type { FailOutcome, TurnPolicy } from "../mailbox-store.js";

/**
 * The turn rules of `MailboxStore.claim`, `fail` and the fenced writes, as pure functions over
 * what a store has recorded. The SQLite store reads rows, asks these, and writes the answer.
 * PostgreSQL RE-STATES the claim's rules in SQL — isClaimable, expiredLeaseDeadLetter,
 * policyOf, turnCandidates, recordedChecks, cutTurn, attemptOfClaim — in its `claim_turns`
 * function (postgres-schema.ts, migration 16), so a claim is one round trip that reads only
 * ready rows; and holdsLease in `complete_turn` (migration 15). Change a rule here, change it
 * there too: the store contract suite (src/testing/mailbox-contract) runs the same cases on
 * both stores and is what keeps them agreeing.
 */

/** Most messages one burst turn carries. */
export const maxTurnMessages = 100;

/** What the rules need of a pending message. */
export interface PendingMessage {
  /** Twilio's `Index`. */
  index: number;
  /** When the store accepted it (store clock). */
  ingestedAt: number;
}

/** What the rules need of a conversation row. */
export interface TurnState {
  state: string;
  pendingCount: number;
  nextAttemptAt: number | null;
  leaseExpiresAt: number | null;
  attempts: number;
}

/**
 * Whether a conversation's next turn may be claimed at `at`: it has pending messages and is
 * `idle`, `backoff` past its `nextAttemptAt`, or `leased` with an expired lease.
 */
export function isClaimable(conversation: TurnState, at: number): boolean {
  if (conversation.pendingCount === 0) return false;
  return (
    conversation.state === "idle" ||
    (conversation.state === "backoff" && (conversation.nextAttemptAt ?? 0) <= at) ||
    (conversation.state === "leased" && (conversation.leaseExpiresAt ?? 0) <= at)
  );
}

/**
 * The dead-letter reason for a claimable conversation whose expired lease already used every
 * attempt (a turn that keeps killing its worker must not loop forever), else undefined.
 */
export function expiredLeaseDeadLetter(
  conversation: Pick<TurnState, "state" | "attempts">,
  maxAttempts: number,
): string | undefined {
  if (conversation.state !== "leased" || conversation.attempts < maxAttempts) return undefined;
  return `the lease expired ${conversation.attempts} times without the turn completing`;
}

/**
 * The attempt number of a claim: one more than the recorded attempts when the turn starts at
 * the same message as the last claimed turn, else 1 — a different first message (a late lower
 * index) is a new turn, and its attempts restart.
 */
export function attemptOfClaim(
  previousTurnFirstSid: string | undefined,
  recordedAttempts: number,
  firstSid: string,
): number {
  return previousTurnFirstSid === firstSid ? recordedAttempts + 1 : 1;
}

/** Where a failed attempt goes: dead once the turn has used `maxAttempts` claims. */
export function failOutcome(attempts: number, maxAttempts: number): FailOutcome {
  return attempts >= maxAttempts ? "dead" : "backoff";
}

/** A message leased after a higher index was answered missed the settle window: `late`. */
export function isLate(index: number, lastProcessedIndex: number | null): boolean {
  return index < (lastProcessedIndex ?? -1);
}

/** The conversation's stored policy (JSON), or the store's default when it never had one. */
export function policyOf(stored: string | null, defaultPolicy: TurnPolicy): TurnPolicy {
  return stored === null ? defaultPolicy : (JSON.parse(stored) as TurnPolicy);
}

/**
 * The messages that may make up the next turn, before the settle rule: the lowest pending one
 * for `queue`; every pending one (up to the cap) for `interrupt`, which never waits; for `burst`, none until `windowMs` after the first was ingested, then those
 * ingested in `[first, first + windowMs)`. The window is half-open, so a message ingested
 * exactly at its end starts the next turn and the turn's content is fixed once it is due. It
 * stops, not skips: a lower index ingested after the window must not be answered after higher
 * ones taken now (it would come out of order, wrongly marked late).
 */
export function turnCandidates<Message extends PendingMessage>(
  pending: readonly Message[],
  policy: TurnPolicy,
  at: number,
): Message[] {
  const first = pending[0];
  if (first === undefined) return [];
  if (policy.mode === "queue") return [first];
  if (policy.mode === "interrupt") return pending.slice(0, maxTurnMessages);
  const windowEnd = first.ingestedAt + policy.windowMs;
  if (at < windowEnd) return [];
  const candidates: Message[] = [first];
  for (const message of pending.slice(1, maxTurnMessages)) {
    if (message.ingestedAt >= windowEnd) break;
    candidates.push(message);
  }
  return candidates;
}

/** One index range the store must count before a candidate may join the turn. */
export interface RecordedCheck {
  /** The candidate's position in the turn candidates. */
  position: number;
  /** Count the recorded indexes strictly between these two. */
  above: number;
  below: number;
}

/**
 * The settle rule documented on `MailboxStore.claim`: a candidate is settled when every index
 * between `above` (the last processed index, or the turn's previous message, which is answered
 * with it) and its own is recorded — trivially so for an empty range — or when it has waited
 * `settleWindowMs`. Answers the ranges the store must count; the others are settled already.
 */
export function recordedChecks(
  candidates: readonly PendingMessage[],
  lastProcessedIndex: number | null,
  at: number,
  settleWindowMs: number,
): RecordedCheck[] {
  const lastProcessed = lastProcessedIndex ?? -1;
  const checks: RecordedCheck[] = [];
  candidates.forEach((message, position) => {
    const previous = candidates[position - 1];
    const above = Math.max(lastProcessed, previous?.index ?? -1);
    if (message.index - 1 <= above || at - message.ingestedAt >= settleWindowMs) return;
    checks.push({ position, above, below: message.index });
  });
  return checks;
}

/**
 * The turn: the candidates up to (not including) the first whose range is not fully recorded.
 * `recorded[n]` is the count the store found for `checks[n]`. A turn never skips a pending
 * lower index, so an unsettled candidate ends it; an unsettled first candidate means no turn.
 */
export function cutTurn<Message extends PendingMessage>(
  candidates: readonly Message[],
  checks: readonly RecordedCheck[],
  recorded: readonly number[],
): Message[] {
  let end = candidates.length;
  checks.forEach((check, position) => {
    const complete = recorded[position] === check.below - 1 - check.above;
    if (!complete && check.position < end) end = check.position;
  });
  return candidates.slice(0, end);
}

/** What identifies a lease for fenced writes. */
export interface LeaseKey {
  conversationSid: string;
  leaseVersion: number;
  workerId: string;
}

/**
 * Lease fencing: the conversation is still leased by this worker at this version. Any claim or
 * handoff since changes the version, so a worker that lost its lease writes nothing.
 */
export function holdsLease(
  row: { state: string; lease_version: number; lease_owner: string | null } | undefined,
  lease: LeaseKey,
): boolean {
  return (
    row !== undefined &&
    row.state === "leased" &&
    row.lease_version === lease.leaseVersion &&
    row.lease_owner === lease.workerId
  );
}

/** The highest index of a turn's messages, -1 for none: the new last processed index. */
export function lastIndexOf(messages: readonly { index: number }[]): number {
  let last = -1;
  for (const message of messages) last = Math.max(last, message.index);
  return last;
}

/** What the interrupt rule needs of the conversation a customer message was just stored in. */
export interface RunningTurn {
  state: string;
  leaseExpiresAt: number | null;
  /** The running turn's id (its first message), or undefined when none was claimed. */
  turnId: string | undefined;
}

/**
 * The first half of the interrupt rule: whether a customer message stored at `at` may
 * interrupt the conversation's running turn — the policy is `interrupt` and a live lease is
 * held (an expired one is a crashed worker's: its next claim counts as an attempt). The second
 * half is the store's: it interrupts only when the running turn has journaled no step. A
 * journaled step may have had an effect the customer should hear about, so that turn runs to
 * its end and the new message waits. The store checks inside the ingest transaction,
 * serialised with `journalRecord` on the conversation (SQLite's single writer, PostgreSQL's
 * row lock), so a step is either journaled before the interrupt or refused after it.
 */
export function mayInterrupt(policy: TurnPolicy, running: RunningTurn, at: number): boolean {
  if (policy.mode !== "interrupt" || running.state !== "leased") return false;
  return running.turnId !== undefined && (running.leaseExpiresAt ?? 0) > at;
}
