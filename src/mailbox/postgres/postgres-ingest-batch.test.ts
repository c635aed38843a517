import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
  until,
} from "./test-support/test-database.js";

// The one-round-trip ingest (migration 9's function), its coalesced NOTIFY, and the
// statement-by-statement fallback that isolates a message the database refuses.
describeWithPostgres("postgresMailbox batched ingest", (url) => {
  let schema: string;
  let stores: MailboxStore[] = [];
  let listener: pg.Client | undefined;
  const open = async () => {
    const store = postgresMailbox({ connectionString: url, schema, poolSize: 6 });
    await store.start();
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    await listener?.end();
    listener = undefined;
    for (const store of stores) await store.close();
    stores = [];
    await dropTestSchema(url, schema);
  });

  it("wakes another instance for every conversation of a batch with a few NOTIFYs", async () => {
    const [writer, other] = [await open(), await open()];
    listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on("notification", (message) => payloads.push(message.payload ?? ""));
    await listener.query(`LISTEN ${pg.escapeIdentifier(`switchboard_work_${schema}`)}`);
    const woken = new Set<string>();
    other.onWork((notice) => {
      if (notice.kind === "turn") woken.add(notice.conversationSid);
    });

    const conversations = Array.from({ length: 150 }, () => fakeSid("CH"));
    const results = await Promise.all(
      conversations.map((conversationSid) => writer.ingest(inboundMessage({ conversationSid }))),
    );
    expect(results.every((result) => result === "accepted")).toBe(true);
    await until(() => woken.size === conversations.length);
    expect([...woken].sort()).toEqual([...conversations].sort());
    // 150 wake-ups in a handful of notifications (a batch's SIDs share ~7 KB payloads), not 150.
    await until(() => payloads.length > 0);
    expect(payloads.length).toBeLessThanOrEqual(6);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8_000);
  });

  it("publishes a burst of live events in a few NOTIFYs, each delivered once and in order", async () => {
    const [writer, other] = [await open(), await open()];
    listener = new pg.Client({ connectionString: url });
    await listener.connect();
    let notifications = 0;
    listener.on("notification", () => {
      notifications += 1;
    });
    await listener.query(`LISTEN ${pg.escapeIdentifier(`switchboard_events_${schema}`)}`);
    const seen: string[] = [];
    other.subscribe!("live", (payload) => seen.push(payload));
    const local: string[] = [];
    writer.subscribe!("live", (payload) => local.push(payload));
    const sent = Array.from({ length: 100 }, (_, n) => `event-${n}-${"x".repeat(200)}`);
    await Promise.all(sent.map((payload) => writer.publish!("live", payload)));
    await until(() => seen.length === sent.length);
    expect(seen).toEqual(sent);
    expect(local).toEqual(sent);
    // ~21 KB of events: a few payloads of at most ~7 KB, not 100.
    expect(notifications).toBeLessThanOrEqual(8);
  });

  it("rejects only the message the database refuses; the rest of its batch commits", async () => {
    const store = await open();
    // Sabotage: a constraint the validation cannot know about, so the batch function fails
    // and the statement-by-statement path has to find the culprit.
    await adminQuery(
      url,
      `ALTER TABLE ${pg.escapeIdentifier(schema)}.messages
        ADD CONSTRAINT no_poison CHECK (record NOT LIKE '%poison%')`,
    );
    const conversationSid = fakeSid("CH");
    const messages = Array.from({ length: 12 }, (_, index) =>
      inboundMessage({
        conversationSid,
        index,
        idempotencyToken: `refusal-test-${index}`,
        body: index === 5 ? "poison" : `fine ${index}`,
      }),
    );
    const settled = await Promise.allSettled(messages.map((message) => store.ingest(message)));
    expect(settled.map((result) => result.status)).toEqual(
      messages.map((_, index) => (index === 5 ? "rejected" : "fulfilled")),
    );
    const history = await store.history(conversationSid, { limit: 50 });
    expect(history).toHaveLength(11);
    // The refused message left no dedupe key behind: once allowed, it is accepted.
    await adminQuery(
      url,
      `ALTER TABLE ${pg.escapeIdentifier(schema)}.messages DROP CONSTRAINT no_poison`,
    );
    expect(await store.ingest(messages[5]!)).toBe("accepted");
    expect(await store.ingest(messages[6]!)).toBe("duplicate");
  });

  it("takes each message once when two instances ingest the same copies at once", async () => {
    const [first, second] = [await open(), await open()];
    const conversations = Array.from({ length: 20 }, () => fakeSid("CH"));
    const messages = conversations.flatMap((conversationSid) =>
      Array.from({ length: 5 }, (_, index) =>
        inboundMessage({ conversationSid, index, idempotencyToken: `${conversationSid}-${index}` }),
      ),
    );
    // Twilio retrying into another instance: every message reaches both, in opposite orders.
    const results = await Promise.all([
      ...messages.map((message) => first.ingest(message)),
      ...[...messages].reverse().map((message) => second.ingest(message)),
    ]);
    expect(results.filter((result) => result === "accepted")).toHaveLength(messages.length);
    for (const conversationSid of conversations)
      expect(await first.history(conversationSid)).toHaveLength(5);
  });
});
