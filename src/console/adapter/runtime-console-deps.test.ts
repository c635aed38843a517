import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { functionAgent } from "../../agents/function-agent.js";
import type { InboundMessage } from "../../mailbox/mailbox-store.js";
import { sqliteMailbox } from "../../mailbox/sqlite-mailbox.js";
import { createSwitchboard, type Switchboard } from "../../runtime/create-switchboard.js";
import type { FaceEventSource } from "../../runtime/live-event-source.js";
import type { RuntimeProvider } from "../../runtime/runtime-provider.js";
import type { ConsoleEvent } from "../console-deps.js";
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

function setup(
  answer: (text: string) => string | Promise<string>,
  eventsOf?: (switchboard: Switchboard) => FaceEventSource,
  options: { listLimit?: number } = {},
) {
  directory = mkdtempSync(join(tmpdir(), "console-deps-"));
  const listLimit = options.listLimit;
  let next = 0;
  const provider: RuntimeProvider = {
    async sendMessage() {
      next += 1;
      return { id: `IM${next.toString(16).padStart(32, "f")}` };
    },
    async *listMessages() {},
  };
  switchboard = createSwitchboard({
    // No webhook reaches this test: there is nothing to verify.
    webhook: { verify: false },
    provider,
    mailbox: sqliteMailbox({ path: join(directory, "mailbox.db"), maxAttempts: 1 }),
    agent: functionAgent(async (turn) => answer(turn.text)),
    workers: { pollMs: 20, retryBaseMs: 10 },
    catchUp: { intervalMs: 0 },
  });
  const humanSends: string[] = [];
  const deps = createRuntimeConsoleDeps({
    switchboard,
    ...(eventsOf === undefined ? {} : { events: eventsOf(switchboard) }),
    info: { mode: "serve", channels: ["sms"], numbers: {} },
    ...(listLimit === undefined ? {} : { listLimit }),
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
  it("reads a stored attachment's bytes through fetchMedia, and nothing it does not store", async () => {
    const { switchboard } = setup(() => "A person will take a look.");
    await switchboard.start();
    await switchboard.mailbox.ingest({
      ...customerMessage(0, ""),
      body: null,
      media: [
        { sid: `ME${"1".repeat(32)}`, contentType: "image/jpeg", filename: "dent.jpg" },
        { sid: `ME${"2".repeat(32)}`, contentType: "application/pdf" },
      ],
    });
    const fetched: string[] = [];
    const deps = createRuntimeConsoleDeps({
      switchboard,
      info: { mode: "serve", channels: ["sms"], numbers: {} },
      sendAsHuman: async () => ({}),
      fetchMedia: async (mediaSid) => {
        fetched.push(mediaSid);
        return new TextEncoder().encode(`bytes of ${mediaSid}`);
      },
    });
    const signal = new AbortController().signal;
    const pdf = await deps.readMedia?.(sid, 0, 1, signal);
    expect(pdf).toEqual({
      contentType: "application/pdf",
      filename: null,
      body: new TextEncoder().encode(`bytes of ME${"2".repeat(32)}`),
    });
    expect((await deps.readMedia?.(sid, 0, 0, signal))?.filename).toBe("dent.jpg");
    expect(await deps.readMedia?.(sid, 0, 2, signal)).toBeUndefined();
    expect(await deps.readMedia?.(sid, 5, 0, signal)).toBeUndefined();
    expect(await deps.readMedia?.(`CH${"c".repeat(32)}`, 0, 0, signal)).toBeUndefined();
    expect(fetched).toEqual([`ME${"2".repeat(32)}`, `ME${"1".repeat(32)}`]);
    // Without fetchMedia the console cannot open attachments at all.
    const plain = createRuntimeConsoleDeps({
      switchboard,
      info: { mode: "serve", channels: ["sms"], numbers: {} },
      sendAsHuman: async () => ({}),
    });
    expect(plain.readMedia).toBeUndefined();
  });

  it("lists conversations and shows each reply right after the message it answers", async () => {
    const { switchboard, deps } = setup((text) => `echo ${text}`);
    const seen: ConsoleEvent[] = [];
    const stop = deps.subscribe((event) => seen.push(event));
    await switchboard.start();
    await switchboard.mailbox.ingest(customerMessage(0, "first"));
    await waitFor(async () => (await switchboard.mailbox.history(sid)).length === 2);
    await switchboard.mailbox.ingest(customerMessage(1, "second"));
    await waitFor(async () => (await switchboard.mailbox.history(sid)).length === 4);
    // Both turns' live events, not just the first turn's typing-off: the second reply's
    // event may follow its history row by a moment.
    await waitFor(
      async () =>
        seen.filter((event) => event.type === "message" && event.message.role === "agent").length >=
          2 && seen.filter((event) => event.type === "typing" && !event.on).length >= 2,
    );

    const transcript = await deps.transcript(sid);
    expect(transcript?.messages.map((message) => [message.role, message.body])).toEqual([
      ["customer", "first"],
      ["agent", "echo first"],
      ["customer", "second"],
      ["agent", "echo second"],
    ]);
    // Replies have no index of their own here: they name the message they answer, so the
    // page can keep them in place when live updates arrive.
    expect(
      transcript?.messages.map((message) => [message.index, message.afterIndex, message.id]),
    ).toEqual([
      [0, undefined, undefined],
      [undefined, 0, expect.any(String)],
      [1, undefined, undefined],
      [undefined, 1, expect.any(String)],
    ]);
    const replies = seen.flatMap((event) =>
      event.type === "message" && event.message.role === "agent" ? [event.message] : [],
    );
    expect(replies.map((message) => message.afterIndex)).toEqual([0, 1]);
    const [listed] = await deps.listConversations();
    expect(listed).toMatchObject({ sid, channel: "sms", state: "bot", typing: false });
    expect(listed?.lastMessage?.body).toBe("echo second");
    expect(seen.some((event) => event.type === "typing" && event.on)).toBe(true);
    expect(seen.some((event) => event.type === "conversation")).toBe(true);
    stop();
  });

  it("never shows a verification code's text: transcript, list and live events", async () => {
    const { switchboard, deps } = setup(() => "unused");
    const seen: ConsoleEvent[] = [];
    const stop = deps.subscribe((event) => seen.push(event));
    await switchboard.start();
    // What the web chat's phone verification queues (outbox-text-sender.ts).
    await switchboard.mailbox.enqueueReply(sid, "verify-abc.0", {
      body: "Your verification code is 496155",
      attributes: { switchboardCustomerText: "verify" },
    });
    await waitFor(async () =>
      (await switchboard.mailbox.history(sid)).some(
        (entry) => entry.direction === "outbound" && entry.status === "sent",
      ),
    );
    await waitFor(async () => seen.some((event) => event.type === "message"));
    const transcript = await deps.transcript(sid);
    expect(transcript?.messages.map((message) => message.body)).toEqual([
      "[verification code sent]",
    ]);
    const [listed] = await deps.listConversations();
    expect(listed?.lastMessage?.body).toBe("[verification code sent]");
    expect(JSON.stringify(seen)).not.toContain("496155");
    stop();
  });

  it("resends a turn's messages once it completes, so their pending badge clears", async () => {
    let release: () => void = () => {};
    const answering = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The webhook route announces what it ingests; this test ingests directly and announces
    // it the same way, with every other event from the runtime.
    const webhook = new EventEmitter();
    const { switchboard, deps } = setup(
      async (text) => {
        await answering;
        return `echo ${text}`;
      },
      (runtime) => ({
        on(name, listener) {
          if (name !== "message.ingested") return runtime.events.on(name, listener);
          webhook.on(name, listener);
          return () => webhook.off(name, listener);
        },
      }),
    );
    const customerUpdates: Array<string | undefined> = [];
    const stop = deps.subscribe((event) => {
      if (event.type === "message" && event.message.index === 0)
        customerUpdates.push(event.message.status);
    });
    await switchboard.start();
    await switchboard.mailbox.ingest(customerMessage(0, "hello"));
    webhook.emit("message.ingested", {
      conversationSid: sid,
      messageSid: customerMessage(0, "hello").messageSid,
      role: "customer",
      via: "webhook",
    });
    await waitFor(async () => customerUpdates.length === 1);
    expect(customerUpdates).toEqual(["pending"]);
    release();
    await waitFor(async () => customerUpdates.length === 2);
    // No status: answered messages carry no badge.
    expect(customerUpdates).toEqual(["pending", undefined]);
    stop();
  });

  it("shows a person's message with its delivery status, and its failure live", async () => {
    // Receipts reach the console through the events; this test records one and announces it.
    const receipts = new EventEmitter();
    const { switchboard, deps } = setup(
      (text) => `echo ${text}`,
      (runtime) => ({
        on(name, listener) {
          if (name !== "delivery.updated") return runtime.events.on(name, listener);
          receipts.on(name, listener);
          return () => receipts.off(name, listener);
        },
      }),
    );
    await switchboard.start();
    await switchboard.mailbox.ingest(customerMessage(0, "hello"));
    await waitFor(async () => (await switchboard.mailbox.history(sid)).length === 2);
    await deps.setHandoff(sid, true);
    // The operator's message comes back through the webhook as `human`.
    const human = { ...customerMessage(1, "Sam here"), role: "human" as const, author: "sam" };
    await switchboard.mailbox.ingest(human);
    const shown = async () =>
      (await deps.transcript(sid))?.messages.find((message) => message.role === "human");
    expect((await shown())?.delivery).toEqual({ status: "queued" });

    const updates: ConsoleEvent[] = [];
    const stop = deps.subscribe((event) => {
      if (event.type === "message" && event.message.role === "human") updates.push(event);
    });
    await switchboard.mailbox.recordDelivery({
      messageSid: human.messageSid,
      conversationSid: sid,
      status: "undelivered",
      errorCode: 30003,
      channel: "sms",
      updatedAt: Date.now(),
    });
    receipts.emit("delivery.updated", {
      conversationSid: sid,
      messageSid: human.messageSid,
      status: "undelivered",
      errorCode: 30003,
      channel: "sms",
    });
    await waitFor(async () => updates.length === 1);
    const [update] = updates;
    expect(update?.type === "message" && update.message.delivery).toMatchObject({
      status: "undelivered",
      failure: { code: 30003 },
    });
    expect((await shown())?.delivery).toMatchObject({
      status: "undelivered",
      failure: { code: 30003 },
    });
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

  it("lists at most its limit of dead letters, the oldest, beside the most recent", async () => {
    // An outage can dead-letter tens of thousands: each listed one costs its summary.
    const { switchboard, deps } = setup(
      () => {
        throw new Error("model unavailable");
      },
      undefined,
      { listLimit: 1 },
    );
    const conversation = (letter: string) => `CH${letter.repeat(32)}`;
    await switchboard.start();
    for (const [position, letter] of ["a", "b", "c"].entries()) {
      await switchboard.mailbox.ingest({
        ...customerMessage(0, "hello"),
        conversationSid: conversation(letter),
        messageSid: `IM${letter.repeat(32)}`,
        dateCreated: Date.UTC(2026, 10, 25, 9, position),
      });
      await waitFor(async () => (await switchboard.mailbox.deadLetters()).length === position + 1);
    }
    const listed = await deps.listConversations();
    expect(listed.map((item) => item.sid).sort()).toEqual([conversation("a"), conversation("c")]);
  });

  it("lists the most recent conversations, and the oldest dead letters and handoffs however old", async () => {
    const { switchboard, deps } = setup(
      (text) => {
        if (text === "break") throw new Error("model unavailable");
        return `echo ${text}`;
      },
      undefined,
      { listLimit: 2 },
    );
    const conversation = (letter: string) => `CH${letter.repeat(32)}`;
    const arrive = (letter: string, minute: number, body: string) =>
      switchboard.mailbox.ingest({
        ...customerMessage(0, body),
        conversationSid: conversation(letter),
        messageSid: `IM${letter.repeat(32)}`,
        dateCreated: Date.UTC(2026, 10, 25, 9, minute),
      });
    await switchboard.start();
    await arrive("1", 1, "break");
    await waitFor(async () => (await switchboard.mailbox.deadLetters()).length === 1);
    await arrive("2", 2, "a person please");
    await switchboard.handoff(conversation("2"), "asked for a person");
    await arrive("3", 3, "hello");
    await arrive("4", 4, "hello");
    await arrive("5", 5, "hello");
    await switchboard.markGone(conversation("5"), new Error("404 from Twilio"));

    const listed = await deps.listConversations();
    expect(Object.fromEntries(listed.map((item) => [item.sid, item.state]))).toEqual({
      // The two most recent (the gone one shown as gone), not the third…
      [conversation("5")]: "gone",
      [conversation("4")]: "bot",
      // …and, however old, the dead letter and the one a person holds.
      [conversation("1")]: "dead",
      [conversation("2")]: "human",
    });
    expect(() =>
      createRuntimeConsoleDeps({
        switchboard,
        info: { mode: "serve", channels: ["sms"], numbers: {} },
        sendAsHuman: async () => ({}),
        listLimit: 0,
      }),
    ).toThrow(/listLimit/);
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
