import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithPostgres } from "../../src/mailbox/postgres/test-support/test-database.js";
import { killChildren, requireBuiltCli, runCli } from "./run-cli.js";

/** `switchboard migrate` against the real PostgreSQL server: applies, then finds it current. */
describeWithPostgres("switchboard migrate", (database) => {
  const schema = `e2e_migrate_${randomBytes(4).toString("hex")}`;

  beforeAll(requireBuiltCli);
  afterAll(async () => {
    killChildren();
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  });

  it("applies the migrations once; a second run changes nothing", async () => {
    const first = runCli(["migrate", "--database", database, "--schema", schema]);
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toMatch(new RegExp(`schema ${schema}: applied \\d`));
    const second = runCli(["migrate", "--schema", schema], { env: { DATABASE_URL: database } });
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toMatch(/is current \(version \d+\)/);
  });

  it("needs a database, and says SQLite has nothing to migrate", async () => {
    const missing = runCli(["migrate"]);
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toMatch(/DATABASE_URL/);
    const sqlite = runCli(["migrate", "--database", "sqlite:.switchboard/mailbox.db"]);
    expect(await sqlite.exited).toBe(0);
    expect(sqlite.stdout()).toMatch(/nothing to migrate/);
    const unreachable = runCli(["migrate", "--database", "postgres://postgres@127.0.0.1:1/test"]);
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.stderr()).toMatch(/switchboard migrate: /);
  });
});
