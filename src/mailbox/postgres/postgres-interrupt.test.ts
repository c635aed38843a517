import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore, WorkNotice } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import { postgresMigrations } from "./postgres-schema.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
  until,
} from "./test-support/test-database.js";

const leaseMs = 30_000;

// Two stores on one schema stand for two instances: the interrupt is written by the instance
// that received the customer's message, the turn runs on the other.
describeWithPostgres("postgresMailbox interrupt policy across instances", (url) => {
  let schema: string;
  let stores: MailboxStore[] = [];
  const open = async () => {
    const store = postgresMailbox({
      connectionString: url,
      schema,
      poolSize: 4,
      defaultPolicy: { mode: "interrupt" },
    });
    await store.start();
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    stores = [];
    await dropTestSchema(url, schema);
  });

  it("tells the instance running the turn, through its work notices", async () => {
    const [runner, receiver] = [await open(), await open()];
    const conversationSid = fakeSid("CH");
    const seen: WorkNotice[] = [];
    runner.onWork((notice) => {
      if (notice.conversationSid === conversationSid) seen.push(notice);
    });
    await receiver.ingest(inboundMessage({ conversationSid, index: 0 }));
    const [running] = await runner.claim("worker-a", 1, leaseMs);
    expect(running?.conversation.policy).toEqual({ mode: "interrupt" });
    await receiver.ingest(inboundMessage({ conversationSid, index: 1 }));
    await until(() => seen.some((notice) => notice.kind === "interrupt"));
    expect(seen.filter((notice) => notice.kind === "interrupt")).toHaveLength(1);
    expect(await runner.heartbeat(running!)).toBe(false);
    const [combined] = await receiver.claim("worker-b", 1, leaseMs);
    expect(combined?.messages.map((message) => message.index)).toEqual([0, 1]);
    expect(combined?.turnId).toBe(running!.turnId);
  });

  it("either journals the step or interrupts, never both, when they race", async () => {
    const [runner, receiver] = [await open(), await open()];
    const sids = Array.from({ length: 12 }, () => fakeSid("CH"));
    for (const conversationSid of sids)
      await receiver.ingest(inboundMessage({ conversationSid, index: 0 }));
    const leases = await runner.claim("worker-a", sids.length, leaseMs);
    expect(leases).toHaveLength(sids.length);
    const outcomes = await Promise.all(
      leases.map(async (running) => {
        const key = `${running.turnId}/tool/0/0`;
        const [journaled, ingested] = await Promise.allSettled([
          runner.journalRecord(running, key, { name: "book", value: 1 }),
          receiver.ingest(inboundMessage({ conversationSid: running.conversationSid, index: 1 })),
        ]);
        expect(ingested.status).toBe("fulfilled");
        const alive = await runner.heartbeat(running);
        const recorded = await runner.journalGet(running, key);
        return { journaled: journaled.status === "fulfilled", alive, recorded };
      }),
    );
    for (const outcome of outcomes) {
      // Journaled first: the turn keeps its lease. Interrupted first: nothing was journaled.
      expect(outcome.alive).toBe(outcome.journaled);
      expect(outcome.recorded !== undefined).toBe(outcome.journaled);
    }
  });

  it("drops forged and malformed work notifications", async () => {
    const store = await open();
    const seen: WorkNotice[] = [];
    store.onWork((notice) => seen.push(notice));
    const channel = `switchboard_work_${schema}`;
    for (const garbage of [
      "not json",
      JSON.stringify({ kind: "interrupt", leaseVersion: 3 }),
      // An interrupt must name the lease it took away: without it no run can be told apart.
      JSON.stringify({ kind: "interrupt", conversationSid: "CH1", from: "elsewhere" }),
      JSON.stringify({ kind: "interrupt", conversationSid: "CH1", leaseVersion: "3" }),
      JSON.stringify({ kind: "interrupt", conversationSid: "CH1", leaseVersion: 1.5 }),
      JSON.stringify({ kind: "explode", conversationSid: "CH1" }),
    ])
      await adminQuery(url, "SELECT pg_notify($1, $2)", [channel, garbage]);
    await adminQuery(url, "SELECT pg_notify($1, $2)", [
      channel,
      JSON.stringify({ kind: "interrupt", conversationSid: "CH2", leaseVersion: 4, from: "x" }),
    ]);
    await until(() => seen.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Well-formed, it is delivered (a forged one too: the turn worker gives the turn back).
    expect(seen).toEqual([{ kind: "interrupt", conversationSid: "CH2", leaseVersion: 4 }]);
  });

  it("migrates a schema whose policy CHECK predates interrupt, and re-runs harmlessly", async () => {
    const store = await open();
    const name = pg.escapeIdentifier(schema);
    // As version 8 left it: the first schema's CHECK allowed queue and burst only.
    await adminQuery(
      url,
      `ALTER TABLE ${name}.conversations DROP CONSTRAINT conversations_policy_mode_check;
       ALTER TABLE ${name}.conversations ADD CONSTRAINT conversations_policy_mode_check
         CHECK (policy_mode IN ('queue', 'burst'));
       DELETE FROM ${name}.schema_migrations WHERE version >= 9`,
    );
    await expect(store.setPolicy(fakeSid("CH"), { mode: "interrupt" })).rejects.toThrow();
    await store.close();
    stores = [];
    const migrated = await open();
    const conversationSid = fakeSid("CH");
    await migrated.setPolicy(conversationSid, { mode: "interrupt" });
    expect((await migrated.conversation(conversationSid))?.policy).toEqual({ mode: "interrupt" });
    await adminQuery(
      url,
      `SET search_path TO ${name}; ${postgresMigrations.find((sql) => sql.includes("'interrupt'"))}`,
    );
    await expect(
      adminQuery(url, `UPDATE ${name}.conversations SET policy_mode = 'lifo'`),
    ).rejects.toThrow(/policy_mode_check/);
  });
});
