import { createServer, type Server } from "node:net";
import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../testing/mailbox-contract/contract-fixtures.js";
import type { MailboxStore } from "../mailbox-store.js";
import { postgresMailbox } from "./postgres-mailbox.js";
import { migratePostgres, postgresMigrations } from "./postgres-schema.js";
import {
  adminQuery,
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "./test-support/test-database.js";

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeWithPostgres("postgresMailbox: opening, configuration and migrations", (url) => {
  let schema: string;
  const opened: MailboxStore[] = [];
  const open = async (options: Partial<Parameters<typeof postgresMailbox>[0]> = {}) => {
    const store = postgresMailbox({
      connectionString: url,
      schema,
      poolSize: 2,
      ...options,
    } as Parameters<typeof postgresMailbox>[0]);
    opened.push(store);
    await store.start();
    return store;
  };
  /** What a factory call threw: options are refused at construction, before connecting. */
  const refusal = (make: () => unknown): unknown => {
    try {
      make();
    } catch (error) {
      return error;
    }
    throw new Error("the options were accepted");
  };

  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await dropTestSchema(url, schema);
  });

  it("fails fast on an unreachable database, naming host, port and database but never the password", async () => {
    const port = await closedPort();
    const error = await postgresMailbox({
      connectionString: `postgres://operator:hunter2-secret@127.0.0.1:${port}/orders`,
    })
      .start()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "mailbox_open_failed" });
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toContain('database "orders"');
    expect(message).toMatch(/pg_isready -h 127\.0\.0\.1 -p \d+ -d orders/);
    expect(message).not.toContain("hunter2");
    expect(JSON.stringify(error)).not.toContain("hunter2");
    expect((error as { location: string }).location).not.toContain("hunter2");
  });

  it("fails fast on a database that does not exist", async () => {
    const missing = url.replace(/\/[^/?]+(\?|$)/, "/switchboard_no_such_database$1");
    await expect(postgresMailbox({ connectionString: missing }).start()).rejects.toThrow(
      /switchboard_no_such_database.*does not exist/s,
    );
  });

  it("passes TLS settings through: ssl and sslmode reach the driver", async () => {
    // The local test server has no TLS, so requiring it must fail (and say so), while
    // sslmode=disable connects: both prove the setting reached the connection.
    const supportsTls = await adminQuery(url, "SHOW ssl").then(
      (result) => result.rows[0]?.ssl === "on",
    );
    if (supportsTls) {
      await expect(open({ ssl: { rejectUnauthorized: false } })).resolves.toBeDefined();
      return;
    }
    await expect(open({ ssl: true })).rejects.toThrow(/SSL/);
    const separator = url.includes("?") ? "&" : "?";
    await expect(
      postgresMailbox({
        connectionString: `${url}${separator}sslmode=verify-full`,
        schema,
      }).start(),
    ).rejects.toThrow(/SSL/);
    const plain = await open({ connectionString: `${url}${separator}sslmode=disable` });
    expect(await plain.ingest(inboundMessage())).toBe("accepted");
  });

  it("rejects bad options, naming the option", async () => {
    expect(refusal(() => postgresMailbox({} as never))).toMatchObject({
      code: "invalid_config",
      option: "connectionString",
    });
    expect(
      refusal(() => postgresMailbox({ connectionString: url, pool: new pg.Pool() } as never)),
    ).toMatchObject({ option: "connectionString" });
    expect(refusal(() => postgresMailbox({ connectionString: "mysql://x" }))).toMatchObject({
      option: "connectionString",
    });
    expect(refusal(() => postgresMailbox({ connectionString: url, poolSize: 0 }))).toMatchObject({
      option: "poolSize",
    });
    for (const bad of ["Public", "x;drop", "", "a".repeat(64), "1abc"])
      expect(refusal(() => postgresMailbox({ connectionString: url, schema: bad }))).toMatchObject({
        option: "schema",
      });
    expect(
      refusal(() => postgresMailbox({ connectionString: url, groupCommitWindowMs: 5_000 })),
    ).toMatchObject({ option: "groupCommitWindowMs" });
    expect(
      refusal(() => postgresMailbox({ connectionString: url, dedupeRetentionMs: 1 })),
    ).toMatchObject({ option: "dedupeRetentionMs" });
    expect(refusal(() => postgresMailbox({ pool: {} as never }))).toMatchObject({
      option: "pool",
    });
  });

  it("is a synchronous factory: it connects at start or on first use, and a failed start can be retried", async () => {
    const store = postgresMailbox({ connectionString: url, schema, poolSize: 2 });
    opened.push(store);
    expect(typeof (store as unknown as { then?: unknown }).then).toBe("undefined");
    // First use opens it: no start needed.
    expect(await store.ingest(inboundMessage())).toBe("accepted");
    await store.start();
    expect(await store.knownConversations()).toHaveLength(1);

    const port = await closedPort();
    const unreachable = postgresMailbox({
      connectionString: `postgres://switchboard@127.0.0.1:${port}/orders`,
      connectTimeoutMs: 1_000,
    });
    await expect(unreachable.start()).rejects.toMatchObject({ code: "mailbox_open_failed" });
    await expect(unreachable.ingest(inboundMessage())).rejects.toMatchObject({
      code: "mailbox_open_failed",
    });
    await unreachable.close();
    await expect(unreachable.start()).rejects.toMatchObject({ code: "mailbox_closed" });
  });

  it("uses a pool it is given and leaves it open on close", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const store = await open({ pool, connectionString: undefined, poolSize: undefined });
      expect(await store.ingest(inboundMessage())).toBe("accepted");
      await store.close();
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it("applies migrations once, records them, and tells concurrent starters apart", async () => {
    const reports = await Promise.all([
      migratePostgres({ connectionString: url, schema }),
      migratePostgres({ connectionString: url, schema }),
    ]);
    // The advisory lock serialises them: one applied everything, the other nothing.
    expect(reports.map((report) => report.applied.length).sort()).toEqual([
      0,
      postgresMigrations.length,
    ]);
    expect(reports.every((report) => report.version === postgresMigrations.length)).toBe(true);
    const store = await open({ migrate: false });
    expect(await store.ingest(inboundMessage())).toBe("accepted");
    const versions = await adminQuery(
      url,
      `SELECT version FROM ${pg.escapeIdentifier(schema)}.schema_migrations ORDER BY version`,
    );
    expect(versions.rows).toEqual(
      postgresMigrations.map((_, position) => ({ version: position + 1 })),
    );
  });

  it("refuses a schema that is not migrated when migrate is false, and one that is newer", async () => {
    await expect(open({ migrate: false })).rejects.toThrow(/version 0.*switchboard migrate/s);
    await migratePostgres({ connectionString: url, schema });
    await adminQuery(
      url,
      `INSERT INTO ${pg.escapeIdentifier(schema)}.schema_migrations (version) VALUES ($1)`,
      [postgresMigrations.length + 1],
    );
    await expect(open()).rejects.toMatchObject({ code: "mailbox_open_failed" });
    await expect(open()).rejects.toThrow(/newer than this switchboard understands/);
    await expect(open({ migrate: false })).rejects.toThrow(/switchboard migrate/);
  });

  it("keeps separate mailboxes in separate schemas of one database", async () => {
    const other = testSchemaName();
    try {
      const first = await open();
      const second = await open({ schema: other });
      const message = inboundMessage({ conversationSid: fakeSid("CH") });
      expect(await first.ingest(message)).toBe("accepted");
      expect(await second.ingest(message)).toBe("accepted");
      expect(await second.knownConversations()).toEqual([message.conversationSid]);
    } finally {
      for (const store of opened.splice(0)) await store.close();
      await dropTestSchema(url, other);
    }
  });

  it("rejects text PostgreSQL cannot store faithfully, writing nothing", async () => {
    const store = await open();
    const bad = [
      inboundMessage({ conversationSid: "CH\u0000nul" }),
      inboundMessage({ messageSid: "IM\uD800lone" }),
      inboundMessage({ idempotencyToken: "token\uDC00" }),
      inboundMessage({ customerAddress: "+1555\u0000" }),
    ];
    for (const message of bad)
      await expect(store.ingest(message)).rejects.toMatchObject({ code: "invalid_mailbox_input" });
    await expect(store.claim("worker\u0000", 1, 1_000)).rejects.toMatchObject({
      code: "invalid_mailbox_input",
    });
    await expect(store.setMeta("key", "value\u0000")).rejects.toMatchObject({
      code: "invalid_mailbox_input",
    });
    expect(await store.knownConversations()).toEqual([]);
    // Bodies and attributes are stored as JSON, where NUL and lone surrogates are escaped.
    const odd = inboundMessage({ body: "a\u0000b\uD800", attributes: { note: "\u0000" } });
    expect(await store.ingest(odd)).toBe("accepted");
    const [entry] = await store.history(odd.conversationSid);
    expect(entry).toMatchObject({ body: "a\u0000b\uD800", attributes: { note: "\u0000" } });
    // Forged leases with the wrong types or unstorable text are simply not held.
    const [lease] = await store.claim("worker", 1, 1_000);
    expect(await store.heartbeat({ ...lease!, leaseVersion: "1" as never })).toBe(false);
    expect(await store.heartbeat({ ...lease!, workerId: "worker\u0000" })).toBe(false);
    for (const forged of [
      { ...lease!, conversationSid: "CH\u0000" },
      { ...lease!, turnId: 7 as never },
      { ...lease!, messages: [{ messageSid: "IM\uD800" }] as never },
      null as never,
    ]) {
      await expect(store.complete(forged, [{ body: "x" }])).rejects.toMatchObject({
        code: "lease_lost",
      });
      await expect(store.fail(forged, "x", 0)).rejects.toMatchObject({ code: "lease_lost" });
    }
    expect(await store.heartbeat(lease!)).toBe(true);
    // A failure reason is free text: repaired, not refused.
    expect(await store.fail(lease!, "bad \u0000 byte", 0)).toBe("backoff");
  });

  it("commits concurrent ingests together, and one failing input loses none of the others", async () => {
    const store = await open();
    const conversationSid = fakeSid("CH");
    const messages = Array.from({ length: 30 }, (_, index) =>
      inboundMessage({ conversationSid, index }),
    );
    await Promise.all(messages.map((message) => store.ingest(message)));
    const table = `${pg.escapeIdentifier(schema)}.messages`;
    // Rows written by one transaction share its id (xmin): all 30 were one commit.
    const commits = await adminQuery(url, `SELECT count(DISTINCT xmin::text) AS n FROM ${table}`);
    expect(Number(commits.rows[0]?.n)).toBe(1);

    // A constraint only the database knows makes one input of the next batch fail.
    await adminQuery(
      url,
      `ALTER TABLE ${table} ADD CONSTRAINT no_poison CHECK (record NOT LIKE '%poison%')`,
    );
    const batch = Array.from({ length: 10 }, (_, index) =>
      inboundMessage({ conversationSid, index: 100 + index, body: index === 4 ? "poison" : "ok" }),
    );
    const results = await Promise.allSettled(batch.map((message) => store.ingest(message)));
    expect(results.map((result) => result.status)).toEqual(
      batch.map((_, index) => (index === 4 ? "rejected" : "fulfilled")),
    );
    const history = await store.history(conversationSid, { limit: 500 });
    expect(history).toHaveLength(39);
    expect(history.some((entry) => entry.body === "poison")).toBe(false);
    // Its savepoint was rolled back, dedupe keys included: once allowed, it is accepted.
    await adminQuery(url, `ALTER TABLE ${table} DROP CONSTRAINT no_poison`);
    expect(await store.ingest(batch[4]!)).toBe("accepted");
  });
});
