import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { functionAgent } from "../../src/agents/function-agent.js";
import { postgresMailbox } from "../../src/mailbox/postgres/postgres-mailbox.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
  until,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { sqliteMailbox } from "../../src/mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "../../src/runtime/create-switchboard.js";
import type { LiveEvent } from "../../src/runtime/live-events.js";
import type { RuntimeListedMessage, RuntimeProvider } from "../../src/runtime/runtime-provider.js";
import { inboundMessage } from "../../src/testing/mailbox-contract/contract-fixtures.js";

/** Counts catch-up runs in progress across every instance's provider. */
class CatchUpProbe {
  inside = 0;
  mostAtOnce = 0;
  runs = 0;
  /** When set, a run waits for it inside Twilio's listing. */
  hold: Promise<void> | undefined;

  provider(sent: string[] = []): RuntimeProvider {
    const probe = this;
    let next = 0;
    return {
      async sendMessage(_conversationSid, message) {
        sent.push(message.content ?? "");
        next += 1;
        return { id: `IM${String(next).padStart(32, "0")}` };
      },
      async *listMessages(): AsyncIterable<RuntimeListedMessage> {
        probe.inside += 1;
        probe.runs += 1;
        probe.mostAtOnce = Math.max(probe.mostAtOnce, probe.inside);
        try {
          await (probe.hold ?? new Promise((resolve) => setTimeout(resolve, 15)));
        } finally {
          probe.inside -= 1;
        }
      },
    };
  }
}

/** A customer message from now: catch-up skips conversations idle for days. */
const recentMessage = (conversationSid: string) =>
  inboundMessage({ conversationSid, dateCreated: Date.now(), receivedAt: Date.now() });

const fast = { pollMs: 20, leaseMs: 2000, heartbeatMs: 300, retryBaseMs: 20, drainMs: 1000 };

describeWithPostgres("two runtimes on one PostgreSQL mailbox", (url) => {
  let schema: string;
  let running: Switchboard[] = [];
  const open = async (provider: RuntimeProvider, catchUpIntervalMs = 0) => {
    const mailbox = postgresMailbox({ connectionString: url, schema, poolSize: 4 });
    const switchboard = createSwitchboard({
      // No webhook reaches this test: there is nothing to verify.
      webhook: { verify: false },
      provider,
      mailbox,
      agent: functionAgent(async (turn) => `re: ${turn.text}`),
      workers: fast,
      catchUp: { intervalMs: catchUpIntervalMs },
    });
    running.push(switchboard);
    return switchboard;
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const switchboard of running) await switchboard.close();
    running = [];
    await dropTestSchema(url, schema);
  });

  it("catches up on one instance at a time", async () => {
    const probe = new CatchUpProbe();
    const [first, second] = [await open(probe.provider()), await open(probe.provider())];
    // A known conversation, so a run lists its messages (and we see it inside the listing).
    await first.mailbox.ingest(recentMessage(`CH${"c".repeat(32)}`));

    let release: () => void = () => {};
    probe.hold = new Promise((resolve) => {
      release = resolve;
    });
    const firstRun = first.catchUp();
    await until(() => probe.inside === 1);
    expect(await second.catchUp()).toEqual({ conversations: 0, ingested: 0, ranElsewhere: true });
    expect(probe.runs).toBe(1);
    release();
    probe.hold = undefined;
    expect((await firstRun).ranElsewhere).toBeUndefined();
    expect((await second.catchUp()).ranElsewhere).toBeUndefined();
    expect(probe.runs).toBe(2);
  });

  it("keeps periodic catch-up runs of both instances apart", async () => {
    const probe = new CatchUpProbe();
    const instances = [await open(probe.provider(), 10), await open(probe.provider(), 10)];
    await instances[0]!.mailbox.ingest(recentMessage(`CH${"d".repeat(32)}`));
    await Promise.all(instances.map((instance) => instance.start()));
    await until(() => probe.runs >= 8).catch((error) => {
      throw new Error(`runs ${probe.runs}: ${error}`);
    });
    expect(probe.mostAtOnce).toBe(1);
  });

  it("shows every instance's live events on every instance, in order per instance", async () => {
    const sent: string[] = [];
    const probe = new CatchUpProbe();
    const [first, second] = [await open(probe.provider(sent)), await open(probe.provider(sent))];
    const seen = new Map<Switchboard, LiveEvent[]>([
      [first, []],
      [second, []],
    ]);
    for (const [switchboard, events] of seen)
      switchboard.live.subscribe((event) => events.push(event));

    const conversationSid = `CH${"e".repeat(32)}`;
    // Both listen before either runs a turn: the runtimes start without waiting for catch-up,
    // so the first could publish its first event before the second's mailbox listens.
    await Promise.all([first.mailbox.start?.(), second.mailbox.start?.()]);
    await first.mailbox.ingest(inboundMessage({ conversationSid, body: "hello" }));
    await Promise.all([first.start(), second.start()]);
    await until(() =>
      [...seen.values()].every((events) => events.some((event) => event.name === "reply.sent")),
    );
    await second.handoff(conversationSid, "operator took it");
    await second.release(conversationSid);
    await until(() =>
      [...seen.values()].every((events) =>
        events.some((event) => event.name === "handoff.released"),
      ),
    );

    // Both instances saw the same events: the turn on whichever instance ran it, the
    // operator's handoff from the second.
    const names = (events: LiveEvent[]) =>
      events.filter(
        (event) =>
          "conversationSid" in event.event && event.event.conversationSid === conversationSid,
      );
    const onFirst = names(seen.get(first)!);
    const onSecond = names(seen.get(second)!);
    // The same events on both; the order is kept per instance (across instances it may differ).
    const sorted = (events: LiveEvent[]) => events.map((event) => JSON.stringify(event)).sort();
    expect(sorted(onFirst)).toEqual(sorted(onSecond));
    for (const instance of [first.instanceId, second.instanceId])
      expect(onFirst.filter((event) => event.instance === instance)).toEqual(
        onSecond.filter((event) => event.instance === instance),
      );
    const worker = onFirst.find((event) => event.name === "typing")!.instance;
    expect([first.instanceId, second.instanceId]).toContain(worker);
    const turnEvents = new Set(["typing", "turn.completed"]);
    expect(
      onFirst
        .filter((event) => event.instance === worker && turnEvents.has(event.name))
        .map((event) => event.name),
    ).toEqual(["typing", "turn.completed", "typing"]);
    // Whichever instance's sender delivered the reply, every instance saw it once.
    expect(onFirst.filter((event) => event.name === "reply.sent")).toHaveLength(1);
    // The operator's handoff, its summary for the person, and the hand-back, in that order.
    expect(onFirst.filter((event) => event.instance === second.instanceId).slice(-3)).toMatchObject(
      [
        { name: "handoff", event: { reason: "operator took it", source: "operator" } },
        { name: "handoff.summary", event: { reason: "operator took it", source: "operator" } },
        { name: "handoff.released" },
      ],
    );
    expect(sent).toEqual(["re: hello"]);
  });
});

it("delivers live events in-process with a single-process mailbox (SQLite)", async () => {
  const folder = mkdtempSync(join(tmpdir(), "switchboard-live-"));
  const switchboard = createSwitchboard({
    // No webhook reaches this test: there is nothing to verify.
    webhook: { verify: false },
    provider: new CatchUpProbe().provider(),
    mailbox: sqliteMailbox({ path: join(folder, "mailbox.db") }),
    agent: functionAgent(async () => "hi"),
    workers: fast,
    catchUp: { intervalMs: 0 },
  });
  try {
    const seen: LiveEvent[] = [];
    const unsubscribe = switchboard.live.subscribe((event) => seen.push(event));
    const conversationSid = `CH${"f".repeat(32)}`;
    await switchboard.handoff(conversationSid);
    expect(seen).toEqual([
      {
        name: "handoff",
        event: { conversationSid, reason: "operator", source: "operator" },
        instance: switchboard.instanceId,
      },
      {
        name: "handoff.summary",
        event: {
          conversationSid,
          reason: "operator",
          source: "operator",
          summary: "No questions from the customer yet.",
          since: expect.any(Number),
        },
        instance: switchboard.instanceId,
      },
    ]);
    unsubscribe();
    await switchboard.release(conversationSid);
    expect(seen).toHaveLength(2);
    // Without withLock, catch-up runs in-process only and is never skipped.
    expect((await switchboard.catchUp()).ranElsewhere).toBeUndefined();
  } finally {
    await switchboard.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
