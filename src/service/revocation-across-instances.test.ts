import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { type Emulator, startEmulator } from "../emulator/start-emulator.js";
import { createLogger } from "../log/create-logger.js";
import {
  adminQuery,
  describeWithPostgres,
} from "../mailbox/postgres/test-support/test-database.js";
import { createService, type Service } from "./create-service.js";
import { revokedVisitorsKey } from "./revoked-visitors.js";
import type { ServiceOptions } from "./service-options.js";

/**
 * Two `serve` instances on one PostgreSQL database (as behind a load balancer): a visitor
 * revoked through one instance's console is refused by the other within seconds, and the
 * stream the other holds for that visitor is closed — not only after a restart.
 */
describeWithPostgres("visitor revocation across instances", (adminUrl) => {
  const databaseName = `sb_revoke_${randomBytes(6).toString("hex")}`;
  const databaseUrl = (() => {
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    return url.toString();
  })();
  let emulator: Emulator;
  const folders: string[] = [];
  const services: Service[] = [];
  const urls: string[] = [];

  const optionsFor = (overrides: Partial<ServiceOptions>): ServiceOptions => {
    const folder = mkdtempSync(join(tmpdir(), "switchboard-revoke-"));
    folders.push(folder);
    return {
      mode: "serve",
      host: "127.0.0.1",
      port: 0,
      stateDirectory: folder,
      environment: {},
      database: { kind: "postgres", connectionString: databaseUrl, poolSize: 3 },
      agent: functionAgent(async (turn) => `re: ${turn.text}`),
      twilio: {
        accountSid: emulator.accountSid,
        authToken: emulator.authToken,
        serviceSid: emulator.serviceSid,
        httpClient: emulator.httpClient(),
      },
      webhookPath: "/twilio/webhook",
      consoleInfo: { channels: ["chat"], numbers: {} },
      logger: createLogger({ level: "silent", env: {} }),
      ...overrides,
    };
  };

  beforeAll(async () => {
    await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
    emulator = await startEmulator({ webhookRetries: 0 });
    // A re-reads the list only hourly, so what it learns within seconds came through the
    // announcement; B re-reads every 500 ms: the backstop the last test relies on.
    for (const overrides of [{ revocationRefreshMs: 3_600_000 }, { revocationRefreshMs: 500 }]) {
      const service = await createService(optionsFor(overrides));
      services.push(service);
      urls.push((await service.listen()).url);
    }
  });
  afterAll(async () => {
    for (const service of services) await service.close();
    await emulator?.close();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)}`);
  });

  const post = (url: string, body: unknown, token?: string) =>
    fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });

  async function visitor(instance: string) {
    const session = await post(`${instance}/webchat/session`, {});
    expect(session.status).toBe(201);
    return (await session.json()) as { token: string; identity: string };
  }

  async function openStream(instance: string, token: string) {
    const issued = await post(`${instance}/webchat/stream-ticket`, {}, token);
    const { ticket } = (await issued.json()) as { ticket: string };
    const stream = await fetch(`${instance}/webchat/stream?ticket=${ticket}`);
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read();
    return reader;
  }

  /** Resolves once `instance` refuses the visitor's message as revoked; fails after 10 s. */
  async function refused(instance: string, token: string): Promise<void> {
    const started = Date.now();
    for (;;) {
      const sent = await post(`${instance}/webchat/messages`, { text: "still there?" }, token);
      const answer = (await sent.json()) as { error?: { code: string } };
      if (sent.status === 401 && answer.error?.code === "token_revoked") return;
      if (Date.now() - started > 10_000) throw new Error(`never revoked: ${sent.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("shares one console token, so the operator may use either instance", () => {
    expect(services[0]!.consoleToken).toBeDefined();
    expect(services[1]!.consoleToken).toBe(services[0]!.consoleToken);
  });

  it("a stream ticket from one instance opens the stream on the other, once", async () => {
    const [a, b] = [urls[0]!, urls[1]!];
    const { token } = await visitor(a);
    const issued = await post(`${a}/webchat/stream-ticket`, {}, token);
    const { ticket } = (await issued.json()) as { ticket: string };
    const opened = await fetch(`${b}/webchat/stream?ticket=${ticket}`);
    expect(opened.status).toBe(200);
    await opened.body?.cancel();
    expect((await fetch(`${b}/webchat/stream?ticket=${ticket}`)).status).toBe(401);
    // The console's tickets are signed with the shared console token the same way.
    const consoleTicket = await post(`${b}/api/stream-ticket`, {}, services[1]!.consoleToken);
    expect(consoleTicket.status).toBe(201);
    const { ticket: forA } = (await consoleTicket.json()) as { ticket: string };
    const consoleStream = await fetch(`${a}/api/stream?ticket=${forA}`);
    expect(consoleStream.status).toBe(200);
    await consoleStream.body?.cancel();
    // A web chat ticket never opens the console's stream.
    const another = await post(`${a}/webchat/stream-ticket`, {}, token);
    const { ticket: visitorTicket } = (await another.json()) as { ticket: string };
    expect((await fetch(`${b}/api/stream?ticket=${visitorTicket}`)).status).toBe(401);
  });

  it("revoked on B: refused on A within seconds, and A's open stream is closed", async () => {
    const [a, b] = [urls[0]!, urls[1]!];
    const { token, identity } = await visitor(b);
    const reader = await openStream(a, token);
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();

    const revoke = await post(
      `${b}/api/visitors/${identity}/revoke`,
      {},
      services[1]!.consoleToken,
    );
    expect(revoke.status).toBe(200);
    // A's own re-read is an hour away: only the announcement (NOTIFY) can tell it.
    await refused(a, token);
    expect(await ended).toBe(true);
    expect((await post(`${a}/webchat/stream-ticket`, {}, token)).status).toBe(401);
    expect((await post(`${a}/webchat/session`, { token })).status).toBe(401);
  });

  it("learns of a revocation whose announcement it missed, from its periodic re-read", async () => {
    const [a, b] = [urls[0]!, urls[1]!];
    const { token, identity } = await visitor(a);
    expect((await post(`${b}/webchat/messages`, { text: "hi" }, token)).status).not.toBe(401);
    // Written straight to the database, with no announcement: as if B's listening
    // connection was down when it went out.
    const schema = pg.escapeIdentifier("switchboard");
    const stored = await adminQuery(
      databaseUrl,
      `SELECT value FROM ${schema}.meta WHERE key = $1`,
      [revokedVisitorsKey],
    );
    const list = JSON.parse((stored.rows[0]?.value as string | undefined) ?? "[]") as string[];
    await adminQuery(
      databaseUrl,
      `INSERT INTO ${schema}.meta (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [revokedVisitorsKey, JSON.stringify([...list, identity])],
    );
    await refused(b, token);
  });
});
