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
import { createVisitorTokens } from "../../src/webchat/visitor-token.js";
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
  const folders: string[] = [];
  const emulators: Emulator[] = [];
  /** A working folder of its own per instance, as on separate machines (no shared files). */
  const machine = () => {
    const folder = mkdtempSync(join(tmpdir(), "switchboard-serve-pg-machine-"));
    folders.push(folder);
    return folder;
  };
  /** Twilio settings that pass validation; the runs using them fail before reaching Twilio. */
  const unusedTwilio = {
    TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "0".repeat(32),
    TWILIO_CONVERSATIONS_SERVICE_SID: `IS${"0".repeat(32)}`,
    SWITCHBOARD_TWILIO_EMULATOR_URL: "http://127.0.0.1:9",
    LOG_LEVEL: "warn",
  };

  beforeAll(requireBuiltCli);
  beforeAll(async () => {
    await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
    cwd = mkdtempSync(join(tmpdir(), "switchboard-serve-pg-"));
  });
  afterAll(async () => {
    killChildren();
    await emulator?.close();
    for (const other of emulators) await other.close();
    if (cwd !== undefined) rmSync(cwd, { recursive: true, force: true });
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    await adminQuery(
      adminUrl,
      `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`,
    );
  });

  it("with SWITCHBOARD_DATABASE_MIGRATE=false, refuses an unmigrated database and creates nothing", async () => {
    const serve = runCli(["serve", "--port", "0", "--host", "127.0.0.1"], {
      cwd: machine(),
      env: {
        ...unusedTwilio,
        DATABASE_URL: databaseUrl,
        SWITCHBOARD_DATABASE_MIGRATE: "false",
        DATABASE_POOL_SIZE: "2",
      },
    });
    expect(await serve.exited).toBe(1);
    expect(serve.stderr()).toMatch(
      /mailbox schema "switchboard" .* is at version 0, but this switchboard needs version \d+\. Run `switchboard migrate`/,
    );
    const schemas = await adminQuery(
      databaseUrl,
      "SELECT count(*)::int AS count FROM pg_namespace WHERE nspname = 'switchboard'",
    );
    expect(schemas.rows[0].count).toBe(0);
  }, 30_000);

  it.each([
    [
      { DATABASE_POOL_SIZE: "0" },
      /DATABASE_POOL_SIZE must be a whole number of connections from 1 to 1000/,
    ],
    [{ SWITCHBOARD_DATABASE_MIGRATE: "nope" }, /SWITCHBOARD_DATABASE_MIGRATE must be "true"/],
    [
      { SWITCHBOARD_WEBCHAT_SECRET: "too-short" },
      /SWITCHBOARD_WEBCHAT_SECRET must be at least 32 bytes, got 9/,
    ],
  ])(
    "exits 1 with a clear message on a malformed setting (%j)",
    async (setting, problem) => {
      const serve = runCli(["serve", "--port", "0", "--host", "127.0.0.1"], {
        cwd: machine(),
        env: { ...unusedTwilio, DATABASE_URL: databaseUrl, ...setting },
      });
      expect(await serve.exited).toBe(1);
      expect(serve.stderr()).toMatch(problem);
      expect(serve.stderr()).not.toContain("too-short");
    },
    30_000,
  );

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

  it("keeps a web chat visitor signed in across instances on different machines", async () => {
    // Instance A takes the session and the message; B holds the visitor's event stream. Each
    // has its own folder (no shared key file): the key comes from the shared mailbox. B starts
    // with migrations off and a small pool, on the schema A's run left current.
    const [portA, portB] = [await freePort(), await freePort()];
    const twilio = await startEmulator({
      webhookUrl: `http://127.0.0.1:${portA}/twilio/webhook`,
    });
    emulators.push(twilio);
    const env = {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_CONVERSATIONS_SERVICE_SID: twilio.serviceSid,
      SWITCHBOARD_TWILIO_EMULATOR_URL: twilio.url,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
    };
    const start = (port: number, extra: NodeJS.ProcessEnv) =>
      runCli(["serve", "--port", String(port), "--host", "127.0.0.1"], {
        cwd: machine(),
        env: { ...env, ...extra },
      });
    const [a, b] = [
      start(portA, {}),
      start(portB, { SWITCHBOARD_DATABASE_MIGRATE: "false", DATABASE_POOL_SIZE: "3" }),
    ];
    await Promise.all([a.printed(/Press Ctrl\+C/), b.printed(/Press Ctrl\+C/)]);

    const session = await fetch(`http://127.0.0.1:${portA}/webchat/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(session.status).toBe(201);
    const { token } = (await session.json()) as { token: string };

    const stream = await fetch(
      `http://127.0.0.1:${portB}/webchat/stream?ticket=${
        (
          (await (
            await fetch(`http://127.0.0.1:${portB}/webchat/stream-ticket`, {
              method: "POST",
              headers: { authorization: `Bearer ${token}` },
            })
          ).json()) as { ticket: string }
        ).ticket
      }`,
    );
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const sent = await fetch(`http://127.0.0.1:${portA}/webchat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: "Where are you located?" }),
    });
    expect(sent.status).toBe(202);

    let seen = "";
    const deadline = Date.now() + 30_000;
    while (!/14 Quay Street/.test(seen) && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen += chunk.value;
    }
    await reader.cancel();
    expect(seen).toMatch(/event: message\n/);
    expect(seen).toMatch(/14 Quay Street/);

    const keys = await adminQuery(
      databaseUrl,
      "SELECT count(*)::int AS count FROM switchboard.meta WHERE key = 'webchat-secret'",
    );
    expect(keys.rows[0].count).toBe(1);

    // SWITCHBOARD_WEBCHAT_SECRET wins over the mailbox's key: C's tokens are signed with it,
    // so A (on the mailbox's key) refuses them.
    const secret = randomBytes(32).toString("hex");
    const portC = await freePort();
    const c = start(portC, { SWITCHBOARD_WEBCHAT_SECRET: secret });
    await c.printed(/Press Ctrl\+C/);
    const fromC = await fetch(`http://127.0.0.1:${portC}/webchat/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(fromC.status).toBe(201);
    const tokenC = ((await fromC.json()) as { token: string }).token;
    expect(createVisitorTokens({ secret }).verify(tokenC).identity).toMatch(/^visitor-/);
    const refused = await fetch(`http://127.0.0.1:${portA}/webchat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokenC}` },
      body: JSON.stringify({ text: "hello" }),
    });
    expect(refused.status).toBe(401);

    expect(await a.stop("SIGTERM")).toBe(0);
    expect(await b.stop("SIGTERM")).toBe(0);
    expect(await c.stop("SIGTERM")).toBe(0);
  }, 60_000);
});
