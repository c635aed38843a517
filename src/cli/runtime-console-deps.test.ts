import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../agents/function-agent.js";
import type { ConsoleEvent } from "../console/console-deps.js";
import type { InboundMessage } from "../mailbox/mailbox-store.js";
import { sqliteMailbox } from "../mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "../runtime/create-switchboard.js";
import type { RuntimeProvider } from "../runtime/runtime-provider.js";
import { createRuntimeConsoleDeps } from "./runtime-console-deps.js";

/** `ConsoleDeps` over a real runtime and SQLite mailbox (the provider accepts every send). */
const sid = `CH${"b".repeat(32)}`;
let directory: string | undefined;
let switchboard: Switchboard | undefined;

afterEach(async () => {
  await switchboard?.close();
  switchboard = undefined;
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

function setup(answer: (text: string) => string) {
  directory = mkdtempSync(join(tmpdir(), "console-deps-"));
  let next = 0;
  const provider: RuntimeProvider = {
    async sendMessage() {
      next += 1;
      return { id: `IM${next.toString(16).padStart(32, "f")}` };
    },
    async *listMessages() {},
  };
  switchboard = createSwitchboard({
    provider,
    mailbox: sqliteMailbox({ path: join(directory, "mailbox.db"), maxAttempts: 1 }),
    agent: functionAgent(async (turn) => answer(turn.text)),
    workers: { pollMs: 20, retryBaseMs: 10 },
    catchUp: { intervalMs: 0 },
  });
  const humanSends: string[] = [];
  const deps = createRuntimeConsoleDeps({
    switchboard,
    info: { mode: "serve", channels: ["sms"], numbers: {} },
    sendAsHuman: async (conversationSid, text) => {
      humanSends.push(`${conversationSid}:${text}`);
      return { messageSid: "IMhuman" };
    },
  });
  return { switchboard, deps, humanSends };
}

const customerMessage = (index: number, body: string): InboundMessage => ({
  conversationSid: sid,
  messageSid: `IM${String(index).padStart(32, "0")}`,
  index,
  author: "+15551230001",
  body,
  media: [],
  attributes: {},
  channel: "sms",
  source: "SMS",
  dateCreated: Date.UTC(2026, 10, 25, 9, 0, index),
  receivedAt: Date.now(),
  role: "customer",
  customerAddress: "+15551230001",
});

const waitFor = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe("createRuntimeConsoleDeps", () => {
  it("lists conversations and shows each reply right after the message it answers", async () => {
    const { switchboard, deps } = setup((text) => `echo ${text}`);
    const seen: ConsoleEvent[] = [];
    const stop = deps.subscribe((event) => seen.push(event));
    await switchboard.start();
    await switchboard.mailbox.ingest(customerMessage(0, "first"));
    await waitFor(async () => (await switchboard.mailbox.history(sid)).length === 2);
    await switchboard.mailbox.ingest(customerMessage(1, "second"));
    await waitFor(async () => (await switchboard.mailbox.history(sid)).length === 4);
    await waitFor(async () => seen.some((event) => event.type === "typing" && !event.on));

    const transcript = await deps.transcript(sid);
    expect(transcript?.messages.map((message) => [message.role, message.body])).toEqual([
      ["customer", "first"],
      ["agent", "echo first"],
      ["customer", "second"],
      ["agent", "echo second"],
    ]);
    const [listed] = await deps.listConversations();
    expect(listed).toMatchObject({ sid, channel: "sms", state: "bot", typing: false });
    expect(listed?.lastMessage?.body).toBe("echo second");
    expect(seen.some((event) => event.type === "typing" && event.on)).toBe(true);
    expect(seen.some((event) => event.type === "conversation")).toBe(true);
    stop();
  });

  it("takes over, sends as a person, hands back; refuses unknown conversations and missing dead letters", async () => {
    const { switchboard, deps, humanSends } = setup((text) => `echo ${text}`);
    await switchboard.start();
    await switchboard.mailbox.ingest(customerMessage(0, "hello"));
    await waitFor(async () => (await switchboard.mailbox.history(sid)).length === 2);
    const states: string[] = [];
    const stop = deps.subscribe((event) => {
      if (event.type === "state") states.push(event.state);
    });
    await deps.setHandoff(sid, true);
    expect((await deps.transcript(sid))?.conversation.state).toBe("human");
    await deps.replyAsHuman(sid, "Sam here");
    expect(humanSends).toEqual([`${sid}:Sam here`]);
    await deps.setHandoff(sid, false);
    expect(states).toEqual(["human", "bot"]);
    stop();

    const unknown = `CH${"c".repeat(32)}`;
    await expect(deps.setHandoff(unknown, true)).rejects.toMatchObject({
      code: "conversation_not_found",
    });
    await expect(deps.replyAsHuman(unknown, "x")).rejects.toMatchObject({
      code: "conversation_not_found",
    });
    expect(await deps.transcript(unknown)).toBeUndefined();
    await expect(deps.retryDeadLetter(sid)).rejects.toMatchObject({ code: "no_dead_letter" });
    await expect(deps.skipDeadLetter(sid)).rejects.toMatchObject({ code: "no_dead_letter" });
  });

  it("shows a dead letter with its reason, and retries it", async () => {
    let fail = true;
    const { switchboard, deps } = setup((text) => {
      if (fail) throw new Error("model unavailable");
      return `echo ${text}`;
    });
    await switchboard.start();
    await switchboard.mailbox.ingest(customerMessage(0, "hello"));
    await waitFor(async () => (await switchboard.mailbox.deadLetters()).length === 1);
    const [dead] = await deps.listConversations();
    expect(dead?.state).toBe("dead");
    expect(dead?.deadLetterReason).toMatch(/model unavailable/);
    fail = false;
    await deps.retryDeadLetter(sid);
    await waitFor(async () => (await switchboard.mailbox.history(sid)).length === 2);
    expect((await deps.transcript(sid))?.messages.at(-1)?.body).toBe("echo hello");
  });
});
