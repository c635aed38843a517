import { afterEach, beforeEach, expect, it } from "vitest";
import { ConfigError } from "../../errors.js";
import { MailboxInputError } from "../mailbox-errors.js";
import {
  type PacedAction as PacingRequest,
  type PostgresPacer,
  type PostgresPacerOptions,
  postgresPacer,
} from "./postgres-pacer.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

/**
 * One clock for every pacer in the test, as NTP-synchronised hosts share one: it moves only
 * when a pacer sleeps (to the end of that sleep), so the grant times are the injected clock's
 * and no assertion depends on wall-clock speed.
 */
function sharedClock(start = 1_700_000_000_000) {
  let time = start;
  return {
    now: () => time,
    async sleep(milliseconds: number, signal?: AbortSignal) {
      const until = time + milliseconds;
      await new Promise((resolve) => setTimeout(resolve, 1));
      signal?.throwIfAborted();
      time = Math.max(time, until);
    },
  };
}

/** The grant times per key, read back from the table itself. */
async function grantsByKey(url: string, schema: string): Promise<Map<string, number[]>> {
  const rows = (
    await adminQuery(
      url,
      `SELECT key, granted_at FROM "${schema}".pacer_grants ORDER BY key, granted_at`,
    )
  ).rows as { key: string; granted_at: number }[];
  const byKey = new Map<string, number[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.granted_at]);
  return byKey;
}

/** The most grants of one key inside any one-second window (sliding) and calendar second. */
function busiest(times: readonly number[]): { sliding: number; bucket: number } {
  let sliding = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1000) start += 1;
    sliding = Math.max(sliding, end - start + 1);
  }
  const buckets = new Map<number, number>();
  for (const time of times) {
    const second = Math.floor(time / 1000);
    buckets.set(second, (buckets.get(second) ?? 0) + 1);
  }
  return { sliding, bucket: Math.max(0, ...buckets.values()) };
}

describeWithPostgres("postgresPacer across instances", (connectionString) => {
  let schema: string;
  let pacers: PostgresPacer[] = [];
  type PacerSettings = Pick<
    PostgresPacerOptions,
    | "conversationActionsPerSecond"
    | "serviceActionsPerSecond"
    | "senderMessagesPerSecond"
    | "now"
    | "sleep"
    | "keepGrantsMs"
  >;
  const open = async (options: PacerSettings = {}) => {
    const pacer = await postgresPacer({ connectionString, schema, poolSize: 4, ...options });
    pacers.push(pacer);
    return pacer;
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const pacer of pacers) await pacer.close();
    pacers = [];
    await dropTestSchema(connectionString, schema);
  });

  it("keeps two instances together under the per-key budget", async () => {
    const clock = sharedClock();
    const [first, second] = [await open(clock), await open(clock)];
    const requests: PacingRequest[] = [
      { scope: "conversation", key: "CH00000000000000000000000000000001" },
      { scope: "conversation", key: "CH00000000000000000000000000000002" },
      { scope: "service", key: "IS00000000000000000000000000000001" },
    ];
    const perInstance = 50;
    const start = clock.now();
    await Promise.all(
      [first, second].flatMap((pacer) =>
        requests.flatMap((request) =>
          Array.from({ length: perInstance }, () => pacer.acquire(request)),
        ),
      ),
    );

    const grants = await grantsByKey(connectionString, schema);
    expect([...grants.keys()].sort()).toEqual(
      requests.map((request) => `${request.scope}:${request.key}`).sort(),
    );
    for (const times of grants.values()) {
      // Every action was granted once, and never more than 30 in any second, together.
      expect(times).toHaveLength(2 * perInstance);
      const { sliding, bucket } = busiest(times);
      expect(sliding).toBeLessThanOrEqual(30);
      expect(bucket).toBeLessThanOrEqual(30);
      // 100 actions at 30/s need more than three seconds of the shared clock.
      expect(times.at(-1)! - start).toBeGreaterThanOrEqual(3000);
    }
  });

  it("honours custom budgets and leaves the sender budget off unless set", async () => {
    const clock = sharedClock();
    const pacer = await open({ ...clock, conversationActionsPerSecond: 5 });
    const request: PacingRequest = { scope: "conversation", key: "CHcustom" };
    await Promise.all(Array.from({ length: 12 }, () => pacer.acquire(request)));
    await pacer.acquire({ scope: "sender", key: "+15550001111" });
    const grants = await grantsByKey(connectionString, schema);
    expect([...grants.keys()]).toEqual(["conversation:CHcustom"]);
    expect(busiest(grants.get("conversation:CHcustom")!).sliding).toBe(5);

    const withSender = await open({ ...clock, senderMessagesPerSecond: 1 });
    await withSender.acquire({ scope: "sender", key: "+15550001111" });
    await withSender.acquire({ scope: "sender", key: "+15550001111" });
    const senderTimes = (await grantsByKey(connectionString, schema)).get("sender:+15550001111")!;
    expect(senderTimes).toHaveLength(2);
    expect(senderTimes[1]! - senderTimes[0]!).toBeGreaterThanOrEqual(1000);
  });

  it("stops waiting when the signal aborts, without taking a slot", async () => {
    const clock = sharedClock();
    const pacer = await open({ ...clock, conversationActionsPerSecond: 1 });
    const request: PacingRequest = { scope: "conversation", key: "CHabort" };
    await pacer.acquire(request);
    const controller = new AbortController();
    const waiting = pacer.acquire(request, controller.signal);
    controller.abort(new Error("caller gave up"));
    await expect(waiting).rejects.toThrow("caller gave up");
    expect((await grantsByKey(connectionString, schema)).get("conversation:CHabort")).toHaveLength(
      1,
    );
  });

  it("rejects malformed, oversized and forged requests before touching the database", async () => {
    const pacer = await open();
    const bad: unknown[] = [
      { scope: "conversation", key: "" },
      { scope: "conversation", key: "x".repeat(257) },
      { scope: "conversation", key: "CH\u0000" },
      { scope: "conversation", key: 42 },
      { scope: "everything", key: "CH1" },
      null,
    ];
    for (const request of bad)
      await expect(pacer.acquire(request as PacingRequest)).rejects.toBeInstanceOf(
        MailboxInputError,
      );
    expect((await grantsByKey(connectionString, schema)).size).toBe(0);
    await expect(open({ conversationActionsPerSecond: -1 })).rejects.toBeInstanceOf(ConfigError);
    await expect(open({ serviceActionsPerSecond: 2.5 })).rejects.toBeInstanceOf(ConfigError);
    await expect(open({ keepGrantsMs: 10 })).rejects.toBeInstanceOf(ConfigError);
  });

  it("sweeps grants older than keepGrantsMs", async () => {
    const clock = sharedClock();
    const pacer = await open({ ...clock, keepGrantsMs: 2000 });
    await pacer.acquire({ scope: "conversation", key: "CHold" });
    await clock.sleep(5000);
    await pacer.acquire({ scope: "conversation", key: "CHnew" });
    // The sweep runs beside the grant; wait for it through the table itself.
    for (let tries = 0; tries < 200; tries++) {
      if (!(await grantsByKey(connectionString, schema)).has("conversation:CHold")) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect([...(await grantsByKey(connectionString, schema)).keys()]).toEqual([
      "conversation:CHnew",
    ]);
  });
});
