import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import {
  adminQuery,
  describeWithPostgres,
} from "../../src/mailbox/postgres/test-support/test-database.js";
import { freePort, killChildren, requireBuiltCli, runCli, waitFor } from "./run-cli.js";

/**
 * `switchboard serve --database postgres://…`: the PostgreSQL mailbox, and Twilio pacing
 * shared through the database (grants land in the mailbox schema's pacer table), in a
 * database of its own so nothing is shared with other runs.
 */
describeWithPostgres("switchboard serve on PostgreSQL", (adminUrl) => {
  const databaseName = `sb_serve_${randomBytes(6).toString("hex")}`;
  const databaseUrl = (() => {
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    return url.toString();
  })();
  let emulator: Emulator;
  let cwd: string;

  beforeAll(requireBuiltCli);
  beforeAll(async () => {
    await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
    cwd = mkdtempSync(join(tmpdir(), "switchboard-serve-pg-"));
  });
  afterAll(async () => {
    killChildren();
    await emulator?.close();
    if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
    await adminQuery(
      adminUrl,
      `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`,
    );
  });

  it("answers a customer with the mailbox and the Twilio budget in PostgreSQL", async () => {
    const port = await freePort();
    emulator = await startEmulator({ webhookUrl: `http://127.0.0.1:${port}/twilio/webhook` });
    const serve = runCli(
      ["serve", "--port", String(port), "--host", "127.0.0.1", "--database", databaseUrl],
      {
        cwd,
        env: {
          TWILIO_ACCOUNT_SID: emulator.accountSid,
          TWILIO_AUTH_TOKEN: emulator.authToken,
          TWILIO_CONVERSATIONS_SERVICE_SID: emulator.serviceSid,
          SWITCHBOARD_TWILIO_EMULATOR_URL: emulator.url,
          LOG_LEVEL: "warn",
        },
      },
    );
    await serve.printed(/Press Ctrl\+C/);

    const customer = emulator.customer({ channel: "sms", address: "+15551230077" });
    const { conversationSid } = await customer.send("Where are you located?");
    const answered = await waitFor(
      async () => customer.messages(),
      (messages) => messages.length > 0,
    );
    expect(answered[0]!.body).toMatch(/14 Quay Street/);

    const stored = await adminQuery(
      databaseUrl,
      "SELECT count(*)::int AS count FROM switchboard.conversations WHERE conversation_sid = $1",
      [conversationSid],
    );
    expect(stored.rows[0].count).toBe(1);
    const grants = await adminQuery(
      databaseUrl,
      "SELECT count(*)::int AS count FROM switchboard.pacer_grants",
    );
    expect(grants.rows[0].count).toBeGreaterThan(0);
    expect(await serve.stop("SIGTERM")).toBe(0);
  }, 60_000);
});
