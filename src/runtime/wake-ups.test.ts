import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import type { InboundMessage, MailboxStore } from "../mailbox/mailbox-store.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { inboundMessage } from "../testing/mailbox-contract/contract-fixtures.js";
import { createSwitchboard, type Switchboard } from "./create-switchboard.js";

/**
 * The workers claim when told there is work (the mailbox's notices) and, after a turn or a
 * send, only when their last claim was cut short by capacity. With polling out of the
 * picture (a minute), every message must still be answered, and a claim that finds nothing
 * is the exception: each costs a store round trip (a statement on PostgreSQL).
 */
let directory: string | undefined;
let running: Switchboard | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

const sidOf = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(32, "0")}`;

function message(conversation: number, index: number): InboundMessage {
  const address = `+1555000${String(conversation).padStart(4, "0")}`;
  return inboundMessage({
    conversationSid: sidOf("CH", conversation),
    messageSid: sidOf("IM", conversation * 1000 + index),
    index,
    author: address,
    customerAddress: address,
    body: `question ${index}`,
    dateCreated: Date.now(),
    receivedAt: Date.now(),
  });
}

/** Counts the claims a mailbox answers, and those that found nothing. */
function countClaims(mailbox: MailboxStore) {
  const counts = { turns: 0, emptyTurns: 0, sends: 0, emptySends: 0 };
  const claim = mailbox.claim.bind(mailbox);
  const claimOutbox = mailbox.claimOutbox.bind(mailbox);
  mailbox.claim = async (...args) => {
    const leases = await claim(...args);
    counts.turns += 1;
    if (leases.length === 0) counts.emptyTurns += 1;
    return leases;
  };
  mailbox.claimOutbox = async (...args) => {
    const items = await claimOutbox(...args);
    counts.sends += 1;
    if (items.length === 0) counts.emptySends += 1;
    return items;
  };
  return counts;
}

async function start(options: { concurrency: number; failFirst?: boolean }) {
  directory = mkdtempSync(join(tmpdir(), "switchboard-wake-ups-"));
  const mailbox = sqliteMailbox({ path: join(directory, "mailbox.db") });
  const counts = countClaims(mailbox);
  const sent: string[] = [];
  let calls = 0;
  const switchboard = createSwitchboard({
    webhook: { verify: false },
    provider: {
      async sendMessage(_conversation, outgoing) {
        sent.push(outgoing.content ?? "");
        return { id: sidOf("IM", 900_000 + sent.length) };
      },
      async *listMessages() {},
    },
    mailbox,
    agent: functionAgent(async (turn) => {
      calls += 1;
      if (options.failFirst === true && calls === 1) throw new Error("model hiccup");
      return `answer to ${turn.text}`;
    }),
    workers: {
      pollMs: 60_000,
      concurrency: options.concurrency,
      sendConcurrency: options.concurrency,
      retryBaseMs: 20,
    },
    catchUp: { intervalMs: 0 },
    slowTurn: false,
  });
  running = switchboard;
  await switchboard.start();
  return { mailbox, counts, sent };
}

describe("work loop wake-ups", () => {
  it("answers a burst beyond the workers' capacity without polling", async () => {
    const { mailbox, sent } = await start({ concurrency: 2 });
    await Promise.all(Array.from({ length: 12 }, (_, n) => mailbox.ingest(message(n + 1, 0))));
    await vi.waitFor(() => expect(sent).toHaveLength(12), { timeout: 10_000 });
  });

  it("claims nothing needlessly for messages answered one after another", async () => {
    const { mailbox, counts, sent } = await start({ concurrency: 4 });
    for (let index = 0; index < 6; index++) {
      await mailbox.ingest(message(1, index));
      await vi.waitFor(() => expect(sent).toHaveLength(index + 1), { timeout: 10_000 });
    }
    // Let any stray wake-up land before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The one empty claim each loop may make is its first tick, at start.
    expect(counts.emptyTurns).toBeLessThanOrEqual(1);
    expect(counts.emptySends).toBeLessThanOrEqual(1);
    expect(counts.turns - counts.emptyTurns).toBe(6);
    expect(counts.sends - counts.emptySends).toBe(6);
  });

  it("claims a failed turn again when its retry is due, without polling", async () => {
    const { mailbox, sent } = await start({ concurrency: 2, failFirst: true });
    await mailbox.ingest(message(1, 0));
    await vi.waitFor(() => expect(sent).toEqual(["answer to question 0"]), { timeout: 5_000 });
  });
});
