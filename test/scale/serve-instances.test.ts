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
import {
  type CliProcess,
  freePort,
  killChildren,
  requireBuiltCli,
  runCli,
  waitFor,
} from "../e2e/run-cli.js";
import { startRoundRobinProxy } from "./round-robin-proxy.js";

/**
 * `switchboard serve` itself on several instances (multi-instance.test.ts drives
 * `createSwitchboard` directly, so it never runs serve's wiring: the shared pacer, the live
 * fan-out to the faces, the web chat key). Three `serve` processes, each in a folder of its
 * own as on separate machines, share a fresh database behind a round-robin proxy that is the
 * webhook URL; SMS customers are answered once each, and a web chat visitor whose stream is
 * held by one instance sees the reply to a message another instance took.
 */
describeWithPostgres("switchboard serve on three instances", (adminUrl) => {
  const databaseName = `sb_instances_${randomBytes(6).toString("hex")}`;
  const databaseUrl = (() => {
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    return url.toString();
  })();
  const folders: string[] = [];
  let emulator: Emulator;
  let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>;
  let ports: number[];
  let instances: CliProcess[] = [];

  beforeAll(requireBuiltCli);
  beforeAll(async () => {
    await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
    ports = [await freePort(), await freePort(), await freePort()];
    proxy = await startRoundRobinProxy(ports);
    emulator = await startEmulator({ webhookUrl: `${proxy.url}/twilio/webhook` });
    instances = ports.map((port) => {
      const folder = mkdtempSync(join(tmpdir(), "switchboard-instance-"));
      folders.push(folder);
      return runCli(["serve", "--port", String(port), "--host", "127.0.0.1"], {
        cwd: folder,
        env: {
          TWILIO_ACCOUNT_SID: emulator.accountSid,
          TWILIO_AUTH_TOKEN: emulator.authToken,
          TWILIO_CONVERSATIONS_SERVICE_SID: emulator.serviceSid,
          SWITCHBOARD_TWILIO_EMULATOR_URL: emulator.url,
          // Twilio signs the URL it calls: the proxy's, not the instance's own.
          SWITCHBOARD_PUBLIC_URL: proxy.url,
          DATABASE_URL: databaseUrl,
          DATABASE_POOL_SIZE: "4",
          LOG_LEVEL: "warn",
        },
      });
    });
    // All three start together: the migration lock lets one create the schema.
    await Promise.all(instances.map((instance) => instance.printed(/Press Ctrl\+C/)));
  }, 30_000);
  afterAll(async () => {
    killChildren();
    await proxy?.close();
    await emulator?.close();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    await adminQuery(
      adminUrl,
      `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`,
    );
  });

  it("answers each SMS once, whichever instance its webhook reaches", async () => {
    const customers = Array.from({ length: 6 }, (_, index) =>
      emulator.customer({ channel: "sms", address: `+1555123${String(index).padStart(4, "0")}` }),
    );
    for (const round of [1, 2]) {
      await Promise.all(customers.map((customer) => customer.send("Where are you located?")));
      for (const customer of customers) {
        const replies = await waitFor(
          async () => customer.messages(),
          (messages) => messages.length >= round,
        );
        expect(replies).toHaveLength(round);
        expect(replies.at(-1)!.body).toMatch(/14 Quay Street/);
      }
    }
    // Every instance took webhooks.
    for (const port of ports) expect(proxy.answered.get(`${port} 200`) ?? 0).toBeGreaterThan(0);
    for (const customer of customers) expect(customer.messages()).toHaveLength(2);
  }, 60_000);

  it("delivers a web chat reply to the instance holding the visitor's stream", async () => {
    const [portA, portB] = [ports[0]!, ports[1]!];
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
    while (!/14 Quay Street/.test(seen)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen += chunk.value;
    }
    await reader.cancel();
    expect(seen).toMatch(/event: message\n[^\n]*14 Quay Street/);
  }, 30_000);

  it("stops every instance cleanly", async () => {
    const codes = await Promise.all(instances.map((instance) => instance.stop("SIGTERM")));
    expect(codes).toEqual([0, 0, 0]);
  }, 30_000);
});
