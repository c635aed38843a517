import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore, TurnPolicy, WorkNotice } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
  until,
} from "./test-support/test-database.js";

// The one-round-trip ingest (migration 13's function), its coalesced NOTIFY, and the
// statement-by-statement fallback that isolates a message the database refuses.
describeWithPostgres("postgresMailbox batched ingest", (url) => {
  let schema: string;
  let stores: MailboxStore[] = [];
  let listener: pg.Client | undefined;
  // A policy and a group-commit window for the interrupt cases (the window keeps their
  // messages in one batch).
  const open = async (defaultPolicy?: TurnPolicy) => {
    const store = postgresMailbox({
      connectionString: url,
      schema,
      poolSize: 6,
      ...(defaultPolicy === undefined ? {} : { defaultPolicy, groupCommitWindowMs: 20 }),
    });
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

  // The interrupt rule runs inside the batch function (one trip) and in the fallback: the same
  // outcome either way. The poisoned copy makes the function fail so the fallback runs.
  for (const path of ["one-trip function", "statement-by-statement fallback"] as const)
    it(`interrupts only a step-less running turn, once, naming its lease (${path})`, async () => {
      const [runner, receiver] = [
        await open({ mode: "interrupt" }),
        await open({ mode: "interrupt" }),
      ];
      listener = new pg.Client({ connectionString: url });
      await listener.connect();
      const payloads: string[] = [];
      listener.on("notification", (message) => payloads.push(message.payload ?? ""));
      await listener.query(`LISTEN ${pg.escapeIdentifier(`switchboard_work_${schema}`)}`);
      const heard: WorkNotice[] = [];
      runner.onWork((notice) => {
        if (notice.kind === "interrupt") heard.push(notice);
      });
      const [stepless, journaled, queued] = [fakeSid("CH"), fakeSid("CH"), fakeSid("CH")];
      await receiver.setPolicy(queued, { mode: "queue" });
      for (const conversationSid of [stepless, journaled, queued])
        await receiver.ingest(inboundMessage({ conversationSid, index: 0 }));
      const leases = await runner.claim("worker-a", 3, 30_000);
      expect(leases).toHaveLength(3);
      const leaseOf = (sid: string) => leases.find((lease) => lease.conversationSid === sid)!;
      await runner.journalRecord(leaseOf(journaled), `${leaseOf(journaled).turnId}/tool/0/0`, {
        name: "book",
        value: 1,
      });
      if (path === "statement-by-statement fallback")
        await adminQuery(
          url,
          `ALTER TABLE ${pg.escapeIdentifier(schema)}.messages
            ADD CONSTRAINT no_poison CHECK (record NOT LIKE '%poison%')`,
        );
      // One batch: two new messages for the step-less turn (the second finds it released),
      // one each for the others, and the poisoned copy when the fallback is under test.
      const settled = await Promise.allSettled([
        receiver.ingest(inboundMessage({ conversationSid: stepless, index: 1 })),
        receiver.ingest(inboundMessage({ conversationSid: stepless, index: 2 })),
        receiver.ingest(inboundMessage({ conversationSid: journaled, index: 1 })),
        receiver.ingest(inboundMessage({ conversationSid: queued, index: 1 })),
        ...(path === "statement-by-statement fallback"
          ? [receiver.ingest(inboundMessage({ conversationSid: fakeSid("CH"), body: "poison" }))]
          : []),
      ]);
      expect(settled.slice(0, 4).map((result) => result.status)).toEqual(
        Array(4).fill("fulfilled"),
      );
      if (path === "statement-by-statement fallback") expect(settled[4]?.status).toBe("rejected");
      const version = leaseOf(stepless).leaseVersion;
      await until(() => heard.length > 0);
      expect(heard).toEqual([
        { kind: "interrupt", conversationSid: stepless, leaseVersion: version },
      ]);
      // The runner's LISTEN and this one hear the same NOTIFY, not necessarily at once.
      await until(() => payloads.some((payload) => payload.includes('"interrupt"')));
      const interrupts = payloads
        .map((payload) => JSON.parse(payload) as { kind: string })
        .filter((payload) => payload.kind === "interrupt");
      expect(interrupts).toHaveLength(1);
      expect(interrupts[0]).toMatchObject({ conversationSid: stepless, leaseVersion: version });
      expect(await runner.heartbeat(leaseOf(stepless))).toBe(false);
      expect(await runner.heartbeat(leaseOf(journaled))).toBe(true);
      expect(await runner.heartbeat(leaseOf(queued))).toBe(true);
      // Given back uncounted: the combined turn keeps the interrupted one's id and attempt.
      const [combined] = await receiver.claim("worker-b", 3, 30_000);
      expect(combined?.conversationSid).toBe(stepless);
      expect(combined?.turnId).toBe(leaseOf(stepless).turnId);
      expect(combined?.attempt).toBe(leaseOf(stepless).attempt);
      expect(combined?.messages.map((message) => message.index)).toEqual([0, 1, 2]);
    });
});
