import { expect, it } from "vitest";
import {
  fakeSid,
  inboundMessage,
  textReply,
} from "../../testing/mailbox-contract/contract-fixtures.js";
import { freshStorePerTest } from "./test-support/fresh-store.js";
import { rowsReadBy } from "./test-support/rows-read.js";
import { describeWithPostgres } from "./test-support/test-database.js";

// The outbox claim must cost what it claims, not what is waiting. On a fresh schema (no
// statistics yet) the cached plan of the earlier statement rescanned every open reply for
// each due one: 1-1.2 s per claim at 2,000 open replies under load. The rows it reads are
// counted from PostgreSQL's own per-transaction statistics, so the test needs no timing.
describeWithPostgres("postgresMailbox: the outbox claim reads only what it takes", (url) => {
  const fresh = freshStorePerTest(url);

  /** Outbox rows read by one claim of `max`, in a transaction rolled back afterwards. */
  async function rowsReadByClaim(max: number): Promise<{ claimed: number; read: number }> {
    const at = Date.now();
    const { rows, read } = await rowsReadBy(fresh.client, fresh.schema, "outbox", () =>
      fresh.client.query(
        `SELECT * FROM "${fresh.schema}".claim_outbox($1, $2, 'probe', $3, 'probe-instance')`,
        [at, max, at + 30_000],
      ),
    );
    return { claimed: rows, read };
  }

  /** `conversations` conversations with three open replies each; none claimed yet. */
  async function openReplies(conversations: number): Promise<void> {
    for (let n = 0; n < conversations; n++)
      await fresh.store.ingest(inboundMessage({ conversationSid: fakeSid("CH"), index: 0 }));
    const leases = await fresh.store.claim("worker-a", conversations, 30_000);
    expect(leases).toHaveLength(conversations);
    for (const lease of leases)
      await fresh.store.complete(lease, [textReply("one"), textReply("two"), textReply("three")]);
  }

  it("stops after its heads however many replies are open", async () => {
    // The generic plan is the one a busy instance runs (after five custom ones); a fresh
    // schema's missing statistics are what made the earlier one rescan.
    await fresh.client.query("SET plan_cache_mode = force_generic_plan");
    await openReplies(50);
    const few = await rowsReadByClaim(4);
    // The same on a second schema ten times the size (one claim each: a rolled-back claim
    // leaves dead index entries the next walk would read).
    await fresh.renew();
    await openReplies(500);
    const many = await rowsReadByClaim(4);
    expect([few.claimed, many.claimed]).toEqual([4, 4]);
    // Four heads, each with its index probe: 1,500 open replies cost what 150 did (the plan
    // that rescanned the open rows per due row read hundreds of thousands here).
    expect(few.read).toBeLessThan(40);
    expect(many.read).toBeLessThanOrEqual(few.read + 4);
  });

  it("skips the replies held behind heads that wait for their retry (a Twilio outage)", async () => {
    await fresh.client.query("SET plan_cache_mode = force_generic_plan");
    // The plan a grown table gets (a tiny one is read whole, whatever is held).
    await fresh.client.query("SET enable_seqscan = off");
    /** `conversations` with three replies each, every head back from a failed try. */
    const outage = async (conversations: number) => {
      await openReplies(conversations);
      const heads = await fresh.store.claimOutbox("sender", conversations, 30_000);
      expect(heads).toHaveLength(conversations);
      for (const head of heads)
        await fresh.store.settleOutbox(head, {
          retryAt: Date.now() + 3_600_000,
          error: "Twilio 503",
        });
      // One conversation that can be answered.
      await fresh.store.ingest(inboundMessage({ conversationSid: fakeSid("CH"), index: 0 }));
      const [lease] = await fresh.store.claim("worker-a", 1, 30_000);
      await fresh.store.complete(lease!, [textReply("fresh")]);
      await fresh.client.query(`VACUUM "${fresh.schema}".outbox`);
    };
    await outage(20);
    const few = await rowsReadByClaim(4);
    await fresh.renew();
    await outage(200);
    const many = await rowsReadByClaim(4);
    expect([few.claimed, many.claimed]).toEqual([1, 1]);
    // Walking the held replies read two rows per conversation in backoff (400 here).
    expect(few.read).toBeLessThan(10);
    expect(many.read).toBeLessThanOrEqual(few.read + 4);
  });
});
