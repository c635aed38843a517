import { randomBytes } from "node:crypto";
import { Socket } from "node:net";
import pg from "pg";
import { describe } from "vitest";

/**
 * Test support (not shipped in the public surface): which PostgreSQL the tests use.
 * `SWITCHBOARD_TEST_DATABASE_URL` when set (CI sets it; unreachable then means the suites
 * FAIL). Unset: the local default if something listens on 127.0.0.1:5432, else the suites are
 * skipped with a note.
 */
const localUrl = "postgres://postgres@127.0.0.1:5432/test";

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

const configured = process.env.SWITCHBOARD_TEST_DATABASE_URL;

/** The URL of the test database, or undefined when PostgreSQL suites must be skipped. */
export const testDatabaseUrl: string | undefined =
  configured !== undefined && configured !== ""
    ? configured
    : (await listening("127.0.0.1", 5432))
      ? localUrl
      : undefined;

/** `describe` when a test database is available, else `describe.skip` plus a console note. */
export function describeWithPostgres(name: string, body: (url: string) => void): void {
  const url = testDatabaseUrl;
  if (url === undefined) {
    console.warn(
      `Skipping "${name}": no PostgreSQL. Set SWITCHBOARD_TEST_DATABASE_URL or run one on 127.0.0.1:5432.`,
    );
    describe.skip(name, () => {});
    return;
  }
  describe(name, () => body(url));
}

/** A fresh schema name, so parallel test files and runs never share tables. */
export function testSchemaName(): string {
  return `sb_test_${randomBytes(8).toString("hex")}`;
}

/** Runs one statement on a short-lived connection of its own (setup, cleanup, sabotage). */
export async function adminQuery(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropTestSchema(url: string, schema: string): Promise<void> {
  await adminQuery(url, `DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

/** Waits until `condition` holds, checking every few ms; fails after 10 s. */
export async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 10_000) throw new Error("condition not met within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
