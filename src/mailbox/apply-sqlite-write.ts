import { LeaseLostError } from "./mailbox-errors.js";
import type {
  CompletedTurn,
  FailOutcome,
  GarbageCollected,
  IngestResult,
  Lease,
  LeasedMessage,
  MailboxChannel,
  MessageRole,
  OutboxItem,
  OutboxResult,
  TurnPolicy,
  WorkNotice,
} from "./mailbox-store.js";
import { replyIdFor } from "./reply-id.js";
import {
  type ConversationRow,
  type MessageRow,
  type OutboxRow,
  toConversation,
  toOutboxItem,
  toStoredMessage,
} from "./sqlite-rows.js";
import type { SqliteStatements } from "./sqlite-statements.js";

/** Identifies a lease for the fenced writes (`complete`, `fail`). */
export interface LeaseKey {
  conversationSid: string;
  leaseVersion: number;
  workerId: string;
}

/**
 * Every write of the SQLite mailbox as plain data, so it can be handed to the writer thread
 * (structured clone) as well as run in this one. Validation happens before a write is built.
 */
export type SqliteWrite =
  | {
      kind: "ingest";
      messageSid: string;
      idempotencyToken: string | null;
      conversationSid: string;
      index: number;
      role: MessageRole;
      serviceSid: string | null;
      channel: MailboxChannel;
      customerAddress: string | null;
      proxyAddress: string | null;
      dateCreated: number;
      /** The whole `InboundMessage` as JSON, serialised by the caller's thread. */
      record: string;
    }
  | { kind: "claim"; workerId: string; max: number; leaseMs: number }
  | { kind: "heartbeat"; lease: LeaseKey; leaseMs: number }
  | { kind: "release"; lease: LeaseKey }
  | {
      kind: "complete";
      lease: LeaseKey;
      turnId: string;
      messages: { messageSid: string; index: number }[];
      /** Replies already serialised with `serialiseReply`. */
      replies: string[];
      handoff: boolean;
    }
  | { kind: "fail"; lease: LeaseKey; reason: string; retryAt: number }
  | { kind: "retryDeadLetter"; conversationSid: string }
  | { kind: "skipDeadLetter"; conversationSid: string }
  | { kind: "claimOutbox"; workerId: string; max: number; leaseMs: number }
  | { kind: "settleOutbox"; id: number; claimVersion: number; result: OutboxResult }
  | {
      kind: "enqueueReply";
      conversationSid: string;
      replyId: string;
      turnId: string;
      /** Serialised with `serialiseReply`. */
      reply: string;
    }
  | { kind: "setPolicy"; conversationSid: string; policy: string }
  | { kind: "setHandoff"; conversationSid: string; on: boolean }
  | { kind: "setMeta"; key: string; value: string }
  | { kind: "collectGarbage"; olderThanMs: number };

/** What each kind of write resolves to. */
export interface SqliteWriteResults {
  ingest: IngestResult;
  claim: Lease[];
  heartbeat: boolean;
  release: boolean;
  complete: CompletedTurn;
  fail: FailOutcome;
  retryDeadLetter: boolean;
  skipDeadLetter: boolean;
  claimOutbox: OutboxItem[];
  settleOutbox: boolean;
  enqueueReply: "queued" | "duplicate";
  setPolicy: undefined;
  setHandoff: undefined;
  setMeta: undefined;
  collectGarbage: GarbageCollected;
}

/** A wake-up hint to send once the write is committed, now or after `delayMs`. */
export interface CommittedNotice {
  notice: WorkNotice;
  delayMs?: number;
}

/** The result of one write and the hints it owes the listeners after its commit. */
export interface AppliedWrite {
  value: SqliteWriteResults[SqliteWrite["kind"]];
  notices: CommittedNotice[];
}

/** The store settings writes depend on (everything but the clock, which stays with the caller). */
export interface SqliteWriteSettings {
  settleWindowMs: number;
  maxAttempts: number;
  defaultPolicy: TurnPolicy;
  dedupeRetentionMs: number;
}

const maxBatchMessages = 100;
const candidateScan = 1_000;

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
  const { settleWindowMs, maxAttempts, defaultPolicy, dedupeRetentionMs } = settings;
  const notices: CommittedNotice[] = [];
  const done = (value: AppliedWrite["value"]): AppliedWrite => ({ value, notices });
  const readConversationRow = (sid: string) =>
    statements.conversation.get(sid) as ConversationRow | undefined;
  const policyOf = (policy: string | null): TurnPolicy =>
    policy === null ? defaultPolicy : (JSON.parse(policy) as TurnPolicy);
  const assertLease = (lease: LeaseKey): ConversationRow => {
    const row = readConversationRow(lease.conversationSid);
    if (
      row === undefined ||
      row.state !== "leased" ||
      row.lease_version !== lease.leaseVersion ||
      row.lease_owner !== lease.workerId
    )
      throw new LeaseLostError(lease.conversationSid, lease.leaseVersion);
    return row;
  };
  /**
   * The settle rule documented on `MailboxStore.claim`: every index between `above` (the
   * conversation's last processed index, or a message of the same turn handed out before
   * this one) and the message is recorded, or the message has waited the settle window.
   */
  const isSettled = (message: MessageRow, above: number) => {
    const below = message.message_index;
    if (below - 1 <= above || at - message.ingested_at >= settleWindowMs) return true;
    const { recorded } = statements.recordedIndexes.get({
      sid: message.conversation_sid,
      above,
      below,
    }) as { recorded: number };
    return recorded === below - 1 - above;
  };
  const pickTurn = (conversation: ConversationRow): MessageRow[] => {
    const pending = statements.pending.all(
      conversation.conversation_sid,
      maxBatchMessages,
    ) as MessageRow[];
    const first = pending[0];
    const lastProcessed = conversation.last_processed_index ?? -1;
    if (first === undefined || !isSettled(first, lastProcessed)) return [];
    const policy = policyOf(conversation.policy);
    if (policy.mode === "queue") return [first];
    const windowEnd = first.ingested_at + policy.windowMs;
    if (at < windowEnd) return [];
    // The window is half-open, [first, first + windowMs): a message ingested exactly at its
    // end starts the next turn, so the turn's content is fixed once it is due.
    const batch: MessageRow[] = [first];
    for (const message of pending.slice(1)) {
      // Stop, not skip: a lower index ingested after the window must not be answered after
      // higher ones taken now (it would come out of order, wrongly marked late).
      if (message.ingested_at >= windowEnd) break;
      // The batch's previous message is answered in this same turn, so only the indexes
      // above it (and above the last processed one) must be recorded.
      const previous = batch[batch.length - 1]!;
      if (!isSettled(message, Math.max(lastProcessed, previous.message_index))) break;
      batch.push(message);
    }
    return batch;
  };

  switch (write.kind) {
    case "ingest": {
      const keys = [`sid:${write.messageSid}`];
      if (write.idempotencyToken !== null) keys.push(`token:${write.idempotencyToken}`);
      for (const key of keys)
        if (statements.hasKey.get(key) !== undefined) return done("duplicate");
      if (statements.hasMessage.get(write.messageSid) !== undefined) return done("duplicate");
      for (const key of keys) statements.insertKey.run(key, at);
      statements.insertConversation.run(write.conversationSid, at, at);
      // Only state and policy matter here: the full row's pending count is not worth its scan.
      const conversation = statements.conversationState.get(write.conversationSid) as Pick<
        ConversationRow,
        "state" | "policy"
      >;
      const isCustomer = write.role === "customer";
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
      );
      statements.touchConversation.run({
        sid: write.conversationSid,
        serviceSid: write.serviceSid,
        channel: write.channel,
        customerAddress: write.customerAddress,
        proxyAddress: write.proxyAddress,
        index: write.index,
        inboundAt: isCustomer ? write.dateCreated : null,
        at,
      });
      if (status === "pending") {
        const notice: WorkNotice = { kind: "turn", conversationSid: write.conversationSid };
        const policy = policyOf(conversation.policy);
        const wait = Math.max(settleWindowMs, policy.mode === "burst" ? policy.windowMs : 0);
        notices.push({ notice });
        // Settle and burst windows make work due later with no new write: wake workers then.
        if (wait > 0) notices.push({ notice, delayMs: wait });
      }
      return done("accepted");
    }

    case "claim": {
      const { workerId, max, leaseMs } = write;
      const leases: Lease[] = [];
      const candidates = statements.candidates.all(at, at, candidateScan) as ConversationRow[];
      for (const candidate of candidates) {
        if (leases.length >= max) break;
        if (candidate.state === "leased" && candidate.attempts >= maxAttempts) {
          // A turn that keeps killing its worker must not loop forever (invariant 6).
          statements.deadLetter.run(
            `the lease expired ${candidate.attempts} times without the turn completing`,
            at,
            at,
            candidate.conversation_sid,
          );
          continue;
        }
        const turn = pickTurn(candidate);
        const first = turn[0];
        if (first === undefined) continue;
        const sids = turn.map((message) => message.message_sid);
        // A different first message (a late lower index) is a new turn: its attempts restart.
        const previous =
          candidate.turn_message_sids === null
            ? undefined
            : (JSON.parse(candidate.turn_message_sids) as string[])[0];
        const attempts = previous === first.message_sid ? candidate.attempts + 1 : 1;
        statements.lease.run({
          sid: candidate.conversation_sid,
          owner: workerId,
          expiresAt: at + leaseMs,
          attempts,
          turn: JSON.stringify(sids),
          at,
        });
        const conversation = toConversation(
          readConversationRow(candidate.conversation_sid)!,
          defaultPolicy,
        );
        const lastProcessed = candidate.last_processed_index ?? -1;
        const messages: LeasedMessage[] = turn.map((row) => ({
          ...toStoredMessage(row),
          late: row.message_index < lastProcessed,
        }));
        leases.push({
          conversationSid: candidate.conversation_sid,
          workerId,
          leaseVersion: conversation.leaseVersion,
          expiresAt: at + leaseMs,
          leaseMs,
          turnId: first.message_sid,
          attempt: attempts,
          messages,
          conversation,
        });
      }
      return done(leases);
    }

    case "heartbeat": {
      const { lease } = write;
      const result = statements.heartbeat.run(
        at + write.leaseMs,
        lease.conversationSid,
        lease.leaseVersion,
        lease.workerId,
      );
      return done(result.changes === 1);
    }

    case "release": {
      const { lease } = write;
      const released =
        statements.releaseLease.run(at, lease.conversationSid, lease.leaseVersion, lease.workerId)
          .changes === 1;
      if (released)
        notices.push({ notice: { kind: "turn", conversationSid: lease.conversationSid } });
      return done(released);
    }

    case "complete": {
      const { lease } = write;
      const row = assertLease(lease);
      let lastIndex = -1;
      for (const message of write.messages) {
        statements.markMessage.run("done", message.messageSid);
        lastIndex = Math.max(lastIndex, message.index);
      }
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
      if (replyIds.length > 0)
        notices.push({ notice: { kind: "outbox", conversationSid: lease.conversationSid } });
      if (!write.handoff)
        notices.push({ notice: { kind: "turn", conversationSid: lease.conversationSid } });
      return done({ replyIds });
    }

    case "fail": {
      const row = assertLease(write.lease);
      const sid = write.lease.conversationSid;
      if (row.attempts >= maxAttempts) {
        statements.deadLetter.run(write.reason, at, at, sid);
        return done("dead");
      }
      statements.backoff.run(write.reason, write.retryAt, at, sid);
      return done("backoff");
    }

    case "retryDeadLetter": {
      const { conversationSid } = write;
      const changed = statements.revive.run(at, conversationSid).changes === 1;
      if (changed) notices.push({ notice: { kind: "turn", conversationSid } });
      return done(changed);
    }

    case "skipDeadLetter": {
      const { conversationSid } = write;
      const row = readConversationRow(conversationSid);
      if (row === undefined || row.state !== "dead") return done(false);
      const sids =
        row.turn_message_sids === null ? [] : (JSON.parse(row.turn_message_sids) as string[]);
      let lastIndex = -1;
      for (const sid of sids) {
        const message = statements.message.get(sid) as MessageRow | undefined;
        if (message?.status !== "pending") continue;
        statements.markMessage.run("skipped", sid);
        lastIndex = Math.max(lastIndex, message.message_index);
      }
      statements.release.run({
        sid: conversationSid,
        state: "idle",
        lastIndex,
        seq: row.outbox_seq,
        at,
      });
      notices.push({ notice: { kind: "turn", conversationSid } });
      return done(true);
    }

    case "claimOutbox": {
      const rows = statements.outboxHeads.all(at, at, write.max) as OutboxRow[];
      return done(
        rows.map((row) => {
          statements.claimOutboxRow.run(write.workerId, at + write.leaseMs, row.id);
          return toOutboxItem(statements.outboxRow.get(row.id) as OutboxRow);
        }),
      );
    }

    case "settleOutbox": {
      const { result } = write;
      const row = statements.outboxRow.get(write.id) as OutboxRow | undefined;
      if (row === undefined) return done(false);
      const notice: CommittedNotice = {
        notice: { kind: "outbox", conversationSid: row.conversation_sid },
      };
      if ("sent" in result) {
        if (row.status === "sent") return done(true);
        const index = result.index ?? null;
        statements.settleSent.run(result.messageSid, index, at, row.id);
        // Our own message comes back through onMessageAdded: make that a duplicate, and
        // drop a copy that arrived before this settle so history shows it once. Its index
        // stays recorded on the outbox row (`sent_index`), so the settle rule still sees it.
        statements.insertKey.run(`sid:${result.messageSid}`, at);
        statements.deleteEcho.run(result.messageSid);
        if (index !== null) statements.touchSentIndex.run(index, row.conversation_sid);
        notices.push(notice);
        return done(true);
      }
      if (row.status !== "sending" || row.claim_version !== write.claimVersion) return done(false);
      if ("failed" in result) {
        statements.settleFailed.run(result.error, at, row.id);
        notices.push(notice);
      } else {
        statements.settleRetry.run({
          error: result.error,
          retryAt: result.retryAt,
          uncounted: result.throttled === true ? 1 : 0,
          id: row.id,
        });
      }
      return done(true);
    }

    case "enqueueReply": {
      const { conversationSid, replyId } = write;
      // Permanent like message dedupe: the key outlives the row's garbage collection.
      const key = `reply:${replyId}`;
      if (
        statements.hasKey.get(key) !== undefined ||
        statements.outboxReplyExists.get(replyId) !== undefined
      )
        return done("duplicate");
      statements.insertKey.run(key, at);
      statements.insertConversation.run(conversationSid, at, at);
      const row = readConversationRow(conversationSid)!;
      const last = statements.lastAfterIndex.get(conversationSid) as {
        after_index: number | null;
      };
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
      notices.push({ notice: { kind: "outbox", conversationSid } });
      return done("queued");
    }

    case "setPolicy": {
      const { conversationSid } = write;
      statements.insertConversation.run(conversationSid, at, at);
      statements.setPolicy.run(write.policy, at, conversationSid);
      notices.push({ notice: { kind: "turn", conversationSid } });
      return done(undefined);
    }

    case "setHandoff": {
      const { conversationSid } = write;
      statements.insertConversation.run(conversationSid, at, at);
      if (write.on) {
        statements.handoffOn.run(at, conversationSid);
        statements.handoffPending.run(conversationSid);
      } else {
        statements.handoffOff.run(at, conversationSid);
        notices.push({ notice: { kind: "turn", conversationSid } });
      }
      return done(undefined);
    }

    case "setMeta":
      statements.setMeta.run(write.key, write.value);
      return done(undefined);

    case "collectGarbage": {
      const cutoff = at - write.olderThanMs;
      const dedupeCutoff = at - Math.max(write.olderThanMs, dedupeRetentionMs);
      return done({
        messages: statements.gcMessages.run(cutoff).changes,
        outbox: statements.gcOutbox.run(cutoff).changes,
        dedupeKeys: statements.gcKeys.run(dedupeCutoff).changes,
      });
    }
  }
}
