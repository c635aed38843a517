import { sqliteCustomerHandlers } from "./apply-sqlite-customer-write.js";
import { sqliteLedgerHandlers } from "./apply-sqlite-ledger-write.js";
import { leaseOf } from "./core/lease-of.js";
import {
  enqueuedReplyKey,
  inboundDedupeKeys,
  outboxSettlement,
  sentMessageKey,
  settlementNotifies,
} from "./core/outbox-settle.js";
import {
  attemptOfClaim,
  cutTurn,
  expiredLeaseDeadLetter,
  failOutcome,
  holdsLease,
  type LeaseKey,
  lastIndexOf,
  maxTurnMessages,
  mayInterrupt,
  policyOf,
  recordedChecks,
  turnCandidates,
} from "./core/turn-rules.js";
import {
  type CommittedNotice,
  completeNotices,
  ingestNotices,
  interruptNotice,
  outboxNotice,
  turnNotice,
} from "./core/work-notices.js";
import { LeaseLostError } from "./mailbox-errors.js";
import type { HandoffNote, Lease } from "./mailbox-store.js";
import { replyIdFor } from "./reply-id.js";
import { sqliteInboundDeadLetterHandlers } from "./sqlite-inbound-dead-letters.js";
import {
  type ConversationRow,
  type MessageRow,
  type OutboxRow,
  toConversation,
  toOutboxItem,
  turnMessageSids,
} from "./sqlite-rows.js";
import type { SqliteStatements } from "./sqlite-statements.js";
import type {
  AppliedWrite,
  SqliteWrite,
  SqliteWriteResults,
  SqliteWriteSettings,
} from "./sqlite-write.js";

// One handler per write kind, in one table: about 400 lines, kept together because the table
// is the SQLite store's whole write side (the rules themselves live in ./core/).
// How far a claim looks past conversations it cannot take (their settle window still runs):
// it reads the oldest `max * 2 + 8` first, and the whole window only when those did not fill
// it. Each candidate row costs its read (every column) whether taken or not, so reading a
// thousand for a claim of one cost milliseconds per claim once work queued up — just when
// claims must be cheap.
const candidateScan = 1_000;
const firstScan = (max: number) => Math.min(candidateScan, max * 2 + 8);

/** What one handler gets: the statements, the settings, the store time and the notice list. */
interface WriteContext {
  statements: SqliteStatements;
  settings: SqliteWriteSettings;
  at: number;
  /** Hints owed to the listeners once the write commits. */
  notices: CommittedNotice[];
}

type Handler<Kind extends SqliteWrite["kind"]> = (
  context: WriteContext,
  write: Extract<SqliteWrite, { kind: Kind }>,
) => SqliteWriteResults[Kind];

const readConversationRow = (statements: SqliteStatements, sid: string) =>
  statements.conversation.get(sid) as ConversationRow | undefined;

const pendingMessage = (row: MessageRow) => ({
  index: row.message_index,
  ingestedAt: row.ingested_at,
});

/** Fenced writes: throws `LeaseLostError` unless the lease is still held. */
function assertLease(statements: SqliteStatements, lease: LeaseKey): ConversationRow {
  const row = readConversationRow(statements, lease.conversationSid);
  if (row === undefined || !holdsLease(row, lease))
    throw new LeaseLostError(lease.conversationSid, lease.leaseVersion);
  return row;
}

/** The next turn's messages, or none while the settle or burst window holds it back. */
function pickTurn({ statements, settings, at }: WriteContext, conversation: ConversationRow) {
  const pending = (
    statements.pending.all(conversation.conversation_sid, maxTurnMessages) as MessageRow[]
  ).map((row) => ({ row, ...pendingMessage(row) }));
  const candidates = turnCandidates(
    pending,
    policyOf(conversation.policy, settings.defaultPolicy),
    at,
  );
  const checks = recordedChecks(
    candidates,
    conversation.last_processed_index,
    at,
    settings.settleWindowMs,
  );
  const recorded = checks.map(
    ({ above, below }) =>
      (
        statements.recordedIndexes.get({
          sid: conversation.conversation_sid,
          above,
          below,
        }) as { recorded: number }
      ).recorded,
  );
  return cutTurn(candidates, checks, recorded).map((candidate) => candidate.row);
}

/** Leases up to `max` of `candidates` (oldest first): each one's next turn, if it is due. */
function leaseCandidates(
  context: WriteContext,
  candidates: readonly ConversationRow[],
  { workerId, max, leaseMs }: { workerId: string; max: number; leaseMs: number },
): Lease[] {
  const { statements, settings, at } = context;
  const leases: Lease[] = [];
  for (const candidate of candidates) {
    if (leases.length >= max) break;
    const deadReason = expiredLeaseDeadLetter(candidate, settings.maxAttempts);
    if (deadReason !== undefined) {
      statements.deadLetter.run(deadReason, at, at, candidate.conversation_sid);
      continue;
    }
    const turn = pickTurn(context, candidate);
    const first = turn[0];
    if (first === undefined) continue;
    const attempts = attemptOfClaim(
      turnMessageSids(candidate)[0],
      candidate.attempts,
      first.message_sid,
    );
    statements.lease.run({
      sid: candidate.conversation_sid,
      owner: workerId,
      expiresAt: at + leaseMs,
      attempts,
      turn: JSON.stringify(turn.map((message) => message.message_sid)),
      at,
    });
    const conversation = toConversation(
      readConversationRow(statements, candidate.conversation_sid)!,
      settings.defaultPolicy,
    );
    leases.push(
      leaseOf(
        { workerId, at, leaseMs, attempt: attempts },
        turn,
        candidate.last_processed_index,
        conversation,
      ),
    );
  }
  return leases;
}

/**
 * Whether every index between the conversation's last answered one and the message's is
 * recorded (the settle rule's range, counted as `pickTurn` counts it): then the settle window
 * cannot hold the message back. The next message after an answered one needs no count.
 */
function isGapFree(
  statements: SqliteStatements,
  message: { conversationSid: string; index: number },
  lastProcessedIndex: number | null,
): boolean {
  const above = lastProcessedIndex ?? -1;
  if (message.index - 1 <= above) return true;
  const { recorded } = statements.recordedIndexes.get({
    sid: message.conversationSid,
    above,
    below: message.index,
  }) as { recorded: number };
  return recorded === message.index - 1 - above;
}

const handlers: { [Kind in SqliteWrite["kind"]]: Handler<Kind> } = {
  ingest({ statements, settings, at, notices }, write) {
    // Five statements for a new message: each key's INSERT OR IGNORE is its own dedupe check
    // (no read first), then the message check, one conversation upsert and the message.
    const taken: string[] = [];
    const duplicate = () => {
      // The savepoint commits on return, so keys taken for a duplicate are given back here.
      for (const key of taken) statements.deleteKey.run(key);
      return "duplicate" as const;
    };
    for (const key of inboundDedupeKeys(write)) {
      if (statements.insertKey.run(key, at).changes === 0) return duplicate();
      taken.push(key);
    }
    // Keys are collected after their retention but a message may stay longer.
    if (statements.hasMessage.get(write.messageSid) !== undefined) return duplicate();
    const isCustomer = write.role === "customer";
    // State, policy and lease as the ingest found them (the upsert leaves those alone).
    const conversation = statements.ingestConversation.get({
      sid: write.conversationSid,
      serviceSid: write.serviceSid,
      channel: write.channel,
      customerAddress: write.customerAddress,
      proxyAddress: write.proxyAddress,
      index: write.index,
      inboundAt: isCustomer ? write.dateCreated : null,
      at,
    }) as Pick<
      ConversationRow,
      | "state"
      | "policy"
      | "lease_owner"
      | "lease_version"
      | "lease_expires_at"
      | "turn_message_sids"
      | "last_processed_index"
    >;
    const status = !isCustomer
      ? "history"
      : conversation.state === "handoff"
        ? "handoff"
        : "pending";
    statements.insertMessage.run(
      write.messageSid,
      write.conversationSid,
      write.index,
      write.role,
      status,
      write.record,
      at,
      // Out of the claim's walk while the conversation is dead (schema 11's triggers unpark).
      status === "pending" && conversation.state === "dead" ? 1 : 0,
    );
    if (status !== "pending") return "accepted";
    const policy = policyOf(conversation.policy, settings.defaultPolicy);
    const turnId = turnMessageSids(conversation)[0];
    const running = { state: conversation.state, leaseExpiresAt: conversation.lease_expires_at };
    if (
      mayInterrupt(policy, { ...running, turnId }, at) &&
      statements.journalHasTurn.get(write.conversationSid, turnId) === undefined
    ) {
      // Given back uncounted, like a release at shutdown: the combined turn keeps its attempt.
      statements.releaseLease.run(
        at,
        write.conversationSid,
        conversation.lease_version,
        conversation.lease_owner,
      );
      notices.push({
        notice: interruptNotice(write.conversationSid, conversation.lease_version),
      });
    }
    notices.push(
      ...ingestNotices(
        write.conversationSid,
        policy,
        settings.settleWindowMs,
        isGapFree(statements, write, conversation.last_processed_index),
      ),
    );
    return "accepted";
  },

  // PostgreSQL re-states this claim in SQL (claim_turns, postgres-schema.ts migrations 16 and
  // 19): same candidates order, rules and dead letter. Change both; the contract suite checks
  // both.
  claim(context, { workerId, max, leaseMs }) {
    const { statements } = context;
    const first = firstScan(max);
    const scanned = statements.candidates.all(context.at, context.at, first) as ConversationRow[];
    const leases = leaseCandidates(context, scanned, { workerId, max, leaseMs });
    if (leases.length >= max || scanned.length < first) return leases;
    // The oldest could not fill the claim: look further. Those just leased or dead-lettered
    // are no longer candidates; those still settling are asked again, and refused again.
    const further = statements.candidates.all(
      context.at,
      context.at,
      candidateScan,
    ) as ConversationRow[];
    return [
      ...leases,
      ...leaseCandidates(context, further, { workerId, max: max - leases.length, leaseMs }),
    ];
  },

  heartbeat({ statements, at }, { lease, leaseMs }) {
    return (
      statements.heartbeat.run(
        at + leaseMs,
        lease.conversationSid,
        lease.leaseVersion,
        lease.workerId,
      ).changes === 1
    );
  },

  release({ statements, at, notices }, { lease }) {
    const released =
      statements.releaseLease.run(at, lease.conversationSid, lease.leaseVersion, lease.workerId)
        .changes === 1;
    if (released) notices.push({ notice: turnNotice(lease.conversationSid) });
    return released;
  },

  complete({ statements, at, notices }, write) {
    const { lease } = write;
    const row = assertLease(statements, lease);
    for (const message of write.messages) statements.markMessage.run("done", message.messageSid);
    const lastIndex = lastIndexOf(write.messages);
    let seq = row.outbox_seq;
    const replyIds = write.replies.map((reply, position) => {
      seq += 1;
      const replyId = replyIdFor(write.turnId, position);
      statements.insertOutbox.run({
        replyId,
        sid: lease.conversationSid,
        seq,
        turnId: write.turnId,
        position,
        afterIndex: lastIndex,
        channel: row.channel,
        to: row.customer_address,
        from: row.proxy_address,
        reply,
        at,
      });
      return replyId;
    });
    statements.release.run({
      sid: lease.conversationSid,
      state: write.handoff ? "handoff" : "idle",
      lastIndex,
      seq,
      at,
    });
    if (write.handoff) statements.handoffPending.run(lease.conversationSid);
    const pendingLeft = statements.hasPending.get(lease.conversationSid) !== undefined;
    for (const notice of completeNotices(
      lease.conversationSid,
      replyIds.length,
      write.handoff,
      pendingLeft,
    ))
      notices.push({ notice });
    return { replyIds };
  },

  fail({ statements, settings, at }, write) {
    const row = assertLease(statements, write.lease);
    const sid = write.lease.conversationSid;
    const outcome = failOutcome(row.attempts, settings.maxAttempts);
    if (outcome === "dead") statements.deadLetter.run(write.reason, at, at, sid);
    else statements.backoff.run(write.reason, write.retryAt, at, sid);
    return outcome;
  },

  retryDeadLetter({ statements, at, notices }, { conversationSid }) {
    const changed = statements.revive.run(at, conversationSid).changes === 1;
    if (changed) notices.push({ notice: turnNotice(conversationSid) });
    return changed;
  },

  skipDeadLetter({ statements, at, notices }, { conversationSid }) {
    const row = readConversationRow(statements, conversationSid);
    if (row === undefined || row.state !== "dead") return false;
    const skipped: { index: number }[] = [];
    for (const sid of turnMessageSids(row)) {
      const message = statements.message.get(sid) as MessageRow | undefined;
      if (message?.status !== "pending") continue;
      statements.markMessage.run("skipped", sid);
      skipped.push({ index: message.message_index });
    }
    statements.release.run({
      sid: conversationSid,
      state: "idle",
      lastIndex: lastIndexOf(skipped),
      seq: row.outbox_seq,
      at,
    });
    notices.push({ notice: turnNotice(conversationSid) });
    return true;
  },

  claimOutbox({ statements, at }, { workerId, max, leaseMs }) {
    const rows = statements.outboxHeads.all({ at, max }) as OutboxRow[];
    return rows.map((row) => {
      statements.claimOutboxRow.run(workerId, at + leaseMs, row.id);
      return toOutboxItem(statements.outboxRow.get(row.id) as OutboxRow);
    });
  },

  startSendAttempt({ statements, at }, { id, claimVersion, deadline }) {
    return statements.startSendAttempt.run({ deadline, id, claimVersion, at }).changes === 1;
  },

  settleOutbox({ statements, at, notices }, { id, claimVersion, result }) {
    const row = statements.outboxRow.get(id) as OutboxRow | undefined;
    if (row === undefined) return false;
    const settlement = outboxSettlement(row, claimVersion, result);
    if (settlement === "stale") return false;
    if ("sent" in result && settlement === "sent") {
      const index = result.index ?? null;
      statements.settleSent.run(result.messageSid, index, at, row.id);
      // Our own message comes back through onMessageAdded: make that a duplicate, and drop a
      // copy that arrived before this settle so history shows it once. Its index stays
      // recorded on the outbox row (`sent_index`), so the settle rule still sees it.
      statements.insertKey.run(sentMessageKey(result.messageSid), at);
      statements.deleteEcho.run(result.messageSid);
      if (index !== null) statements.touchSentIndex.run(index, row.conversation_sid);
    } else if ("failed" in result) statements.settleFailed.run(result.error, at, row.id);
    else if ("retryAt" in result)
      statements.settleRetry.run({
        error: result.error,
        retryAt: result.retryAt,
        uncounted: result.throttled === true ? 1 : 0,
        outcome: result.outcome ?? "ambiguous",
        id: row.id,
      });
    if (
      settlementNotifies(
        settlement,
        statements.hasOpenReply.get(row.conversation_sid) !== undefined,
      )
    )
      notices.push({ notice: outboxNotice(row.conversation_sid) });
    return true;
  },

  enqueueReply({ statements, at, notices }, write) {
    const { conversationSid, replyId } = write;
    const key = enqueuedReplyKey(replyId);
    if (
      statements.hasKey.get(key) !== undefined ||
      statements.outboxReplyExists.get(replyId) !== undefined
    )
      return "duplicate";
    statements.insertKey.run(key, at);
    statements.insertConversation.run(conversationSid, at, at);
    if (write.known !== undefined)
      statements.fillConversation.run({ sid: conversationSid, ...write.known });
    const row = readConversationRow(statements, conversationSid)!;
    const last = statements.lastAfterIndex.get(conversationSid) as { after_index: number | null };
    const { position } = statements.nextPosition.get(write.turnId) as { position: number };
    const seq = row.outbox_seq + 1;
    statements.insertOutbox.run({
      replyId,
      sid: conversationSid,
      seq,
      turnId: write.turnId,
      position,
      // After everything already answered, so history lists it after those replies.
      afterIndex: last.after_index ?? row.last_processed_index ?? -1,
      channel: row.channel,
      to: row.customer_address,
      from: row.proxy_address,
      reply: write.reply,
      at,
    });
    statements.setOutboxSeq.run(seq, at, conversationSid);
    notices.push({ notice: outboxNotice(conversationSid) });
    return "queued";
  },

  setPolicy({ statements, at, notices }, { conversationSid, policy }) {
    statements.insertConversation.run(conversationSid, at, at);
    statements.setPolicy.run(policy, at, conversationSid);
    notices.push({ notice: turnNotice(conversationSid) });
    return undefined;
  },

  setHandoff({ statements, at, notices }, { conversationSid, on }) {
    statements.insertConversation.run(conversationSid, at, at);
    if (on) {
      statements.handoffOn.run(at, conversationSid);
      statements.handoffPending.run(conversationSid);
    } else {
      statements.handoffOff.run(at, conversationSid);
      notices.push({ notice: turnNotice(conversationSid) });
    }
    return undefined;
  },

  markGone({ statements, at }, { conversationSid, reason }) {
    statements.insertConversation.run(conversationSid, at, at);
    return statements.markGone.run(at, reason, at, conversationSid).changes === 1;
  },

  setMeta({ statements }, { key, value }) {
    statements.setMeta.run(key, value);
    return undefined;
  },

  saveTranscripts({ statements, at }, { messageSid, transcripts }) {
    let stored = 0;
    for (const { mediaIndex, text } of transcripts)
      stored += statements.saveTranscript.run(mediaIndex, text, at, messageSid).changes;
    return stored;
  },

  collectGarbage({ statements, settings, at }, { olderThanMs }) {
    const cutoff = at - olderThanMs;
    const dedupeCutoff = at - Math.max(olderThanMs, settings.dedupeRetentionMs);
    // Receipts as old as the settled replies go with them (not counted in the result).
    statements.gcDeliveries.run(cutoff);
    const messages = statements.gcMessages.run(cutoff).changes;
    return {
      messages,
      outbox: statements.gcOutbox.run(cutoff).changes,
      dedupeKeys: statements.gcKeys.run(dedupeCutoff).changes,
      journal: statements.gcJournal.run(cutoff).changes,
      // After the messages: their transcripts go with them.
      transcripts: statements.gcTranscripts.run().changes,
    };
  },
  ...sqliteLedgerHandlers,
  ...sqliteCustomerHandlers,
  ...sqliteInboundDeadLetterHandlers,

  noteHandoff({ statements, at }, write) {
    statements.noteHandoff.run(
      write.conversationSid,
      write.reason,
      write.source,
      write.summary,
      at,
    );
    return {
      reason: write.reason,
      source: write.source as HandoffNote["source"],
      summary: write.summary,
      startedAt: at,
      releasedAt: null,
      releasedBy: null,
    };
  },

  noteHandoffReleased({ statements, at }, write) {
    return statements.releaseNote.run(at, write.by, write.conversationSid).changes === 1;
  },

  journalRecord({ statements, at }, write) {
    // Checked inside the write transaction: a worker that lost its lease journals nothing.
    assertLease(statements, write.lease);
    statements.journalInsert.run(
      write.lease.conversationSid,
      write.key,
      write.turnId,
      write.name,
      write.value,
      at,
    );
    return undefined;
  },
};

/**
 * Runs one write against a connection inside the caller's transaction, at store time `at`.
 * Throws (e.g. `LeaseLostError`) to have the caller roll this write back alone.
 */
export function applySqliteWrite(
  statements: SqliteStatements,
  settings: SqliteWriteSettings,
  write: SqliteWrite,
  at: number,
): AppliedWrite {
  const notices: CommittedNotice[] = [];
  const handler = handlers[write.kind] as Handler<SqliteWrite["kind"]>;
  const value = handler({ statements, settings, at, notices }, write);
  return { value, notices };
}
