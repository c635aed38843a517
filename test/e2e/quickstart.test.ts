import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killChildren, requireBuiltCli, startDev, waitFor } from "./run-cli.js";

/**
 * The quick start as a newcomer types it: `npm start` in an empty folder, one SMS through
 * the emulator's inbound route, and the FAQ agent's answer on the customer's device. Then
 * the operations endpoints of the same running service, and a clean SIGTERM.
 */
beforeAll(requireBuiltCli);

/** Like `waitFor`, but gives up at `deadline` (epoch ms) with `failure` and the last value. */
async function waitWithin<T>(
  deadline: number,
  failure: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline)
      throw new Error(`${failure} (last seen: ${JSON.stringify(value).slice(0, 300)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
afterAll(killChildren);

describe("npm start (switchboard dev)", () => {
  it("answers an SMS on the customer's device, serves health, readiness and metrics, stops on SIGTERM", async () => {
    const dev = await startDev();
    expect(dev.cli.stdout()).toContain(`Console    ${dev.url}/`);

    // The acceptance: answered on the device within 5 seconds of the inbound POST.
    const postedAt = Date.now();
    const inbound = await fetch(`${dev.emulatorUrl}/_emulator/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "sms", from: "+15551230001", body: "When are you open?" }),
    });
    expect(inbound.status).toBe(201);
    const device = `${dev.emulatorUrl}/_emulator/devices/${encodeURIComponent("+15551230001")}/messages`;
    const received = await waitWithin(
      postedAt + 5_000,
      "the SMS sent through POST /_emulator/inbound was not answered on the customer's device within 5 seconds",
      async () => (await (await fetch(device)).json()) as { messages: { body: string }[] },
      (body) => body.messages.length > 0,
    );
    expect(received.messages[0]!.body).toMatch(/Tuesday to Friday 9am/);

    const demo = await fetch(`${dev.url}/webchat/demo`);
    expect(demo.status).toBe(200);
    const page = await demo.text();
    expect(page).toContain('<script src="/webchat.js"');
    expect(page).toContain(`${dev.url}/webchat.js`);

    const health = await fetch(`${dev.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${dev.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ok: true,
      checks: { mailbox: { ok: true }, provider: { ok: true }, workers: { ok: true } },
    });
    expect((await fetch(`${dev.url}/readyz`, { method: "POST" })).status).toBe(405);

    const metrics = await fetch(`${dev.url}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await metrics.text();
    const value = (line: string) => Number(new RegExp(`^${line} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value('switchboard_webhooks_total\\{outcome="accepted"\\}')).toBeGreaterThanOrEqual(1);
    expect(value('switchboard_turns_total\\{outcome="ok"\\}')).toBe(1);
    expect(value('switchboard_sends_total\\{outcome="sent"\\}')).toBe(1);
    expect(value('switchboard_agent_latency_seconds_count\\{outcome="ok"\\}')).toBe(1);
    expect(value("switchboard_dead_letters")).toBe(0);
    expect(value("switchboard_queue_depth")).toBe(0);

    // A forged webhook is refused and counted.
    const forged = await fetch(`${dev.url}/twilio/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": "AAAA",
      },
      body: "EventType=onMessageAdded",
    });
    expect(forged.status).toBe(403);
    const after = await (await fetch(`${dev.url}/metrics`)).text();
    expect(after).toMatch(/^switchboard_webhooks_total\{outcome="forged"\} 1$/m);

    expect(await dev.stop()).toBe(0);
    expect(dev.cli.stderr()).toMatch(/Stopped\./);
  }, 60_000);

  it("uses switchboard.config.ts from the working directory: its agent answers", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join, resolve } = await import("node:path");
    const { runCli, freePort } = await import("./run-cli.js");
    const cwd = mkdtempSync(join(tmpdir(), "switchboard-config-"));
    const library = resolve("dist/index.js");
    writeFileSync(
      join(cwd, "switchboard.config.ts"),
      `import { defineConfig, functionAgent } from ${JSON.stringify(library)};
export default defineConfig({
  agent: functionAgent(async (turn) => \`Echo: \${turn.text}\`),
  handoffKeywords: [],
});
`,
    );
    const port = await freePort();
    const emulatorPort = await freePort();
    const dev = runCli(["dev"], {
      cwd,
      env: { PORT: String(port), EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: "warn" },
    });
    await dev.printed(/Press Ctrl\+C/);
    expect(dev.stderr()).toMatch(/Using .*switchboard\.config\.ts/);
    await fetch(`http://127.0.0.1:${emulatorPort}/_emulator/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "sms", from: "+15551230002", body: "human" }),
    });
    const device = `http://127.0.0.1:${emulatorPort}/_emulator/devices/${encodeURIComponent("+15551230002")}/messages`;
    const received = await waitFor(
      async () => (await (await fetch(device)).json()) as { messages: { body: string }[] },
      (body) => body.messages.length > 0,
    );
    // handoffKeywords: [] in the file: "human" goes to the agent instead of a person.
    expect(received.messages[0]!.body).toBe("Echo: human");
    expect(await dev.stop()).toBe(0);
    (await import("node:fs")).rmSync(cwd, { recursive: true, force: true });
  }, 60_000);

  it("drains a turn in progress on SIGTERM: its answer is durably queued, then it exits 0", async () => {
    const dev = await startDev({ SWITCHBOARD_AGENT_DELAY_MS: "1500" });
    await fetch(`${dev.emulatorUrl}/_emulator/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "sms", from: "+15551230003", body: "Do you repair bikes?" }),
    });
    // The agent is working on it (typing) when the signal arrives.
    await waitFor(
      async () =>
        (await (await fetch(`${dev.url}/api/conversations`)).json()) as {
          conversations: { typing: boolean }[];
        },
      (body) => body.conversations.some((conversation) => conversation.typing),
      20,
    );
    dev.cli.child.kill("SIGTERM");
    expect(await dev.cli.exited).toBe(0);
    // The turn finished before exit and its answer is durably in the outbox (sent, or sent
    // by the next start): nothing was lost or left half-done.
    const { sqliteMailbox } = await import("../../src/mailbox/sqlite-mailbox.js");
    const { join } = await import("node:path");
    const mailbox = sqliteMailbox({ path: join(dev.cwd, ".switchboard", "mailbox.db") });
    const [sid] = await mailbox.knownConversations();
    const [question, answer] = await mailbox.history(sid!);
    const record = await mailbox.conversation(sid!);
    await mailbox.close();
    expect(question).toMatchObject({ direction: "inbound", status: "done" });
    expect(answer).toMatchObject({ direction: "outbound", body: expect.stringMatching(/repair/i) });
    expect(["pending", "sent"]).toContain(answer!.status);
    expect(record?.leaseOwner).toBeNull();
    await dev.stop();
  }, 30_000);

  it("runs serve instead when TWILIO_ACCOUNT_SID is set (and names what else is missing)", async () => {
    const { runCli } = await import("./run-cli.js");
    const cli = runCli(["dev"], { env: { TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}` } });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/switchboard serve: .*TWILIO_/);
  });

  it("exits 1 naming PORT when the port is taken", async () => {
    const { createServer } = await import("node:net");
    const { runCli, freePort } = await import("./run-cli.js");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as import("node:net").AddressInfo).port;
    const cwd = mkdtempSync(join(tmpdir(), "switchboard-taken-"));
    const cli = runCli(["dev"], {
      cwd,
      env: { PORT: String(port), EMULATOR_PORT: String(await freePort()), LOG_LEVEL: "warn" },
    });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/EADDRINUSE.*set PORT/);
    await new Promise((resolve) => taken.close(resolve));
    rmSync(cwd, { recursive: true, force: true });
  });

  it("exits 2 for a bad PORT and names it", async () => {
    const { runCli } = await import("./run-cli.js");
    const cli = runCli(["dev"], { env: { PORT: "http" } });
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/PORT must be a port number/);
  });
});
