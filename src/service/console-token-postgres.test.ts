import { afterEach, beforeEach, expect, it } from "vitest";
import type { MailboxStore } from "../mailbox/mailbox-store.js";
import { postgresMailbox } from "../mailbox/postgres/postgres-mailbox.js";
import {
  describeWithPostgres,
  dropTestSchema,
  testSchemaName,
} from "../mailbox/postgres/test-support/test-database.js";
import { consoleTokenMetaKey, resolveConsoleToken } from "./console-token.js";

/** On PostgreSQL the generated console token lives in the shared database, created once. */
describeWithPostgres("resolveConsoleToken on a shared PostgreSQL mailbox", (url) => {
  let schema: string;
  const opened: MailboxStore[] = [];
  const open = async () => {
    const store = await postgresMailbox({
      connectionString: url,
      schema,
      poolSize: 2,
    } as Parameters<typeof postgresMailbox>[0]);
    opened.push(store);
    return store;
  };
  beforeEach(() => {
    schema = testSchemaName();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await dropTestSchema(url, schema);
  });

  it("two instances starting together agree on one token; only one generated it", async () => {
    const [first, second] = [await open(), await open()];
    const database = { kind: "postgres", connectionString: url } as const;
    const [a, b] = await Promise.all([
      resolveConsoleToken(undefined, database, first),
      resolveConsoleToken(undefined, database, second),
    ]);
    expect(a.token).toBe(b.token);
    expect([a.generated, b.generated].filter(Boolean)).toHaveLength(1);
    expect(await first.getMeta(consoleTokenMetaKey)).toBe(a.token);
    const later = await resolveConsoleToken(undefined, database, second);
    expect(later).toMatchObject({ token: a.token, generated: false });
  });
});
