import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "./create-switchboard.js";
import type { RuntimeProvider } from "./runtime-provider.js";

/**
 * The runtime's typing indicator as the faces rely on it: `typing on` before
 * `agent.respond` is called, `typing off` after the turn settles — also when the agent
 * throws — so a face never shows a stuck indicator.
 */
const conversationSid = `CH${"a".repeat(32)}`;
let directory: string | undefined;
let running: Switchboard | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

/** A provider that accepts every send and lists nothing. */
function acceptingProvider(): RuntimeProvider & { sent: string[] } {
  const sent: string[] = [];
  let next = 0;
  return {
    sent,
    async sendMessage(_conversation, message) {
      sent.push(message.content ?? "");
      next += 1;
      return { id: `IM${next.toString(16).padStart(32, "0")}` };
    },
    async *listMessages() {},
  };
}

async function switchboardWith(respond: () => Promise<string>) {
  directory = mkdtempSync(join(tmpdir(), "switchboard-typing-"));
  const mailbox = sqliteMailbox({ path: join(directory, "mailbox.db"), maxAttempts: 1 });
  const log: string[] = [];
  const switchboard = createSwitchboard({
    // No webhook reaches this test: there is nothing to verify.
    webhook: { verify: false },
    provider: acceptingProvider(),
    mailbox,
    agent: functionAgent(async () => {
      log.push("respond");
      return respond();
    }),
    workers: { pollMs: 20, retryBaseMs: 10 },
    catchUp: { intervalMs: 0 },
  });
  switchboard.events.on("typing", (event) => {
    expect(event.conversationSid).toBe(conversationSid);
    log.push(event.on ? "typing on" : "typing off");
  });
  await mailbox.ingest({
    conversationSid,
    messageSid: `IM${"1".repeat(32)}`,
    index: 0,
    author: "+15551230001",
    body: "When are you open?",
    media: [],
    attributes: {},
    channel: "sms",
    source: "SMS",
    dateCreated: Date.now(),
    receivedAt: Date.now(),
    role: "customer",
    customerAddress: "+15551230001",
  });
  running = switchboard;
  return { switchboard, log };
}

describe("typing events", () => {
  it("wrap a successful agent call", async () => {
    const { switchboard, log } = await switchboardWith(async () => "We open at 9.");
    const off = new Promise((resolve) =>
      switchboard.events.on("typing", (event) => {
        if (!event.on) resolve(event);
      }),
    );
    await switchboard.start();
    await off;
    expect(log).toEqual(["typing on", "respond", "typing off"]);
  });

  it("turn off when the agent throws", async () => {
    const { switchboard, log } = await switchboardWith(async () => {
      throw new Error("model unavailable");
    });
    const dead = new Promise((resolve) => switchboard.events.once("dead-letter", resolve));
    const off = new Promise((resolve) =>
      switchboard.events.on("typing", (event) => {
        if (!event.on) resolve(event);
      }),
    );
    await switchboard.start();
    await Promise.all([dead, off]);
    expect(log).toEqual(["typing on", "respond", "typing off"]);
  });
});
