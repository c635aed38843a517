import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import type { IngestResult, MailboxStore, WorkNotice } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
  until,
} from "./test-support/test-database.js";

// The store's connections carry a unique application_name, so `pg_terminate_backend` from
// another connection hits exactly them (the LISTEN connection included) and no other test's.
describeWithPostgres("postgresMailbox after lost connections", (url) => {
  let schema: string;
  const stores: MailboxStore[] = [];
  const withName = (name: string) =>
    `${url}${url.includes("?") ? "&" : "?"}application_name=${name}`;
  const open = async (name: string) => {
    const store = postgresMailbox({
      connectionString: withName(name),
      schema,
      poolSize: 4,
      settleWindowMs: 0,
    });
    stores.push(store);
    await store.start();
    return store;
  };
  /** Terminates every backend of `name`; answers how many there were. */
  const terminate = async (name: string) => {
    const result = await adminQuery(
      url,
      "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1",
      [name],
    );
    return Number(result.rows[0]?.n ?? 0);
  };
  const pendingCount = async () => {
    const result = await adminQuery(
      url,
      `SELECT count(*) AS n FROM ${pg.escapeIdentifier(schema)}.messages WHERE status = 'pending'`,
    );
    return Number(result.rows[0]?.n);
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await dropTestSchema(url, schema);
  });

  it("survives backends terminated mid-run: nothing acknowledged is lost, every turn once, in order", async () => {
    const name = `${schema}_a`;
    const store = await open(name);
    const conversations = Array.from({ length: 12 }, () => fakeSid("CH"));
    const messages = conversations.flatMap((conversationSid) =>
      Array.from({ length: 4 }, (_, index) => inboundMessage({ conversationSid, index })),
    );
    const results: Promise<IngestResult>[] = [];

    // Deterministic part: every connection (idle pool clients, LISTEN) dies between writes.
    results.push(...messages.slice(0, 12).map((message) => store.ingest(message)));
    await Promise.all(results);
    expect(await terminate(name)).toBeGreaterThan(0);
    results.push(...messages.slice(12, 24).map((message) => store.ingest(message)));
    await Promise.all(results);

    // Chaotic part: ingest, claim and complete while a killer terminates the store's backends,
    // hitting statements and commits wherever they are.
    let killing = true;
    let killed = 0;
    const killer = (async () => {
      for (let round = 0; round < 25 && killing; round++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        killed += await terminate(name);
      }
      killing = false;
    })();
    const late = messages.slice(24).map(async (message, position) => {
      await new Promise((resolve) => setTimeout(resolve, position * 3));
      return store.ingest(message);
    });
    results.push(...late);
    let ingesting = true;
    void Promise.allSettled(late).then(() => {
      ingesting = false;
    });
    const answered = new Map<string, number[]>();
    const worker = async (workerId: string) => {
      while (killing || ingesting || (await pendingCount()) > 0) {
        let leases: Awaited<ReturnType<MailboxStore["claim"]>> = [];
        try {
          leases = await store.claim(workerId, 3, 2_000);
        } catch (error) {
          expect(error).toMatchObject({ code: "mailbox_unavailable" });
        }
        if (leases.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        for (const lease of leases) {
          try {
            await store.complete(lease, [{ body: `answer ${lease.messages[0]?.index}` }]);
            const list = answered.get(lease.conversationSid) ?? [];
            list.push(...lease.messages.map((message) => message.index));
            answered.set(lease.conversationSid, list);
          } catch (error) {
            // A commit cut off mid-flight can leave the outcome unknown; the turn then comes
            // back when its lease expires, with the same reply ids.
            expect(error).toMatchObject({ code: expect.stringMatching(/unavailable|lease_lost/) });
          }
        }
      }
    };
    await Promise.all([killer, worker("w1"), worker("w2"), worker("w3")]);
    expect(killed).toBeGreaterThan(0);

    // Every acknowledged message is stored once, and answered once, in index order.
    for (const result of await Promise.all(results))
      expect(["accepted", "duplicate"]).toContain(result);
    for (const conversationSid of conversations) {
      const history = await store.history(conversationSid);
      const inbound = history.filter((entry) => entry.direction === "inbound");
      const outbound = history.flatMap((entry) => (entry.direction === "outbound" ? [entry] : []));
      expect(inbound.map((entry) => [entry.index, entry.status])).toEqual(
        [0, 1, 2, 3].map((index) => [index, "done"]),
      );
      expect(outbound.map((entry) => entry.afterIndex)).toEqual([0, 1, 2, 3]);
      expect(outbound.map((entry) => entry.body)).toEqual([0, 1, 2, 3].map((i) => `answer ${i}`));
      const seen = answered.get(conversationSid) ?? [];
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  });

  it("gets its LISTEN connection back and hears other instances again", async () => {
    const name = `${schema}_b`;
    const listening = await open(name);
    const writer = await open(`${schema}_c`);
    const notices: WorkNotice[] = [];
    listening.onWork((notice) => notices.push(notice));
    expect(await terminate(name)).toBeGreaterThan(0);
    // Notices sent while it reconnects are lost (workers poll); keep writing until one lands.
    const conversationSid = fakeSid("CH");
    let index = 0;
    await until(() => {
      if (notices.length === 0 && index < 500)
        void writer.ingest(inboundMessage({ conversationSid, index: index++ }));
      return notices.length > 0;
    });
    expect(notices[0]).toEqual({ kind: "turn", conversationSid });
    // And its own pool reconnected too.
    expect(await listening.lastIndex(conversationSid)).toBeGreaterThanOrEqual(0);
  });
});
