import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorRequest } from "../../src/emulator/http/types.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { serveSwitchboard } from "../../src/http/index.js";
import { sqliteMailbox } from "../../src/mailbox/index.js";
import { createSwitchboard } from "../../src/runtime/index.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import {
  capturedLog,
  eventually,
  fastWorkers,
  type Harness,
  startHarness,
  tempFolder,
  twilioProviderFor,
} from "./runtime-harness.js";
import { deliverWebhook, type SeededMessage, seedSmsConversation } from "./webhook-helpers.js";

/**
 * Catch-up beside the workers (issue 13, item 1), counted at the emulator: every REST request
 * the switchboard makes passes a pre-hook that records it.
 */

let harness: Harness | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every GET the switchboard sends the emulator from now on: when, and the path. */
function recordGets(emulator: Emulator): { at: number; path: string }[] {
  const seen: { at: number; path: string }[] = [];
  const remove = emulator.addPreHook((request: EmulatorRequest) => {
    if (request.method === "GET" && request.path.startsWith("/v1/")) {
      seen.push({ at: Date.now(), path: request.path });
    }
    return undefined;
  });
  cleanups.push(remove);
  return seen;
}

/** Customer messages created over REST: they exist in Twilio, their webhooks never came. */
async function seedMore(
  emulator: Emulator,
  first: SeededMessage,
  bodies: readonly string[],
): Promise<SeededMessage[]> {
  const messages = emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations(first.conversationSid).messages;
  const seeded: SeededMessage[] = [];
  for (const body of bodies) {
    const created = await messages.create({ author: first.author, body });
    seeded.push({ ...first, messageSid: created.sid, index: created.index, body });
  }
  return seeded;
}

/**
 * The replies the customer's phone received, oldest first: read from the emulator's device,
 * not over REST, so the only REST requests the emulator sees are the switchboard's.
 */
async function repliesOf(emulator: Emulator, first: SeededMessage, count: number) {
  const replies = await eventually(() => {
    const found = emulator
      .deviceMessages(first.author)
      .filter((message) => message.conversationSid === first.conversationSid);
    return found.length >= count ? found : undefined;
  }, `${count} replies`);
  return replies.map((reply) => reply.body ?? "");
}

describe("background catch-up", () => {
  it("an Index gap on a webhook lists exactly that conversation, and the turn waits for the real message", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      // Longer than the test: an order that holds is the gap fetch's doing, not the window's.
      mailbox: { settleWindowMs: 60_000 },
    });
    const h = harness;
    const [a0] = await seedSmsConversation(h.emulator, "+15552710001", ["a0"]);
    const [b0] = await seedSmsConversation(h.emulator, "+15552710002", ["b0"]);
    for (const message of [a0!, b0!]) {
      await deliverWebhook(h.emulator, h.webhookUrl, message);
      await repliesOf(h.emulator, message, 1);
    }
    const [lost, delivered] = await seedMore(h.emulator, a0!, ["lost", "delivered"]);
    const gets = recordGets(h.emulator);
    const via = new Map<string, string>();
    h.switchboard.events.on("message.ingested", (event) => via.set(event.messageSid, event.via));

    await deliverWebhook(h.emulator, h.webhookUrl, delivered!);
    expect(await repliesOf(h.emulator, a0!, 3)).toEqual(["re: a0", "re: lost", "re: delivered"]);
    expect(via.get(lost!.messageSid)).toBe("catch-up");
    // One listing of that conversation's messages; nothing of the other, no participants.
    const listings = gets.filter((get) => !get.path.includes("/Receipts"));
    expect(listings.map((get) => get.path)).toEqual([
      `/v1/Services/${h.emulator.serviceSid}/Conversations/${a0!.conversationSid}/Messages`,
    ]);

    // No gap (the next Index): no listing at all.
    const [next] = await seedMore(h.emulator, a0!, ["next"]);
    await deliverWebhook(h.emulator, h.webhookUrl, next!);
    await repliesOf(h.emulator, a0!, 4);
    expect(gets.filter((get) => !get.path.includes("/Receipts"))).toHaveLength(1);
  });

  it("a gap after messages that needed no check (the next Index in sequence) is still listed", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      mailbox: { settleWindowMs: 60_000 },
    });
    const h = harness;
    // All four exist at Twilio before any webhook: m0 and m1 arrive in sequence (m1 is the
    // next Index after a checked m0, so the webhook path skips its reads), then m3 arrives
    // with m2 missing below it.
    const [m0, m1, lost, m3] = await seedSmsConversation(h.emulator, "+15552710003", [
      "m0",
      "m1",
      "lost",
      "m3",
    ]);
    const gets = recordGets(h.emulator);
    const via = new Map<string, string>();
    h.switchboard.events.on("message.ingested", (event) => via.set(event.messageSid, event.via));
    const listings = () =>
      gets.filter((get) => get.path.endsWith(`/Conversations/${m0!.conversationSid}/Messages`));

    expect(await deliverWebhook(h.emulator, h.webhookUrl, m0!)).toBe(200);
    expect(await deliverWebhook(h.emulator, h.webhookUrl, m1!)).toBe(200);
    expect(listings()).toHaveLength(0);
    expect(await deliverWebhook(h.emulator, h.webhookUrl, m3!)).toBe(200);
    expect(listings()).toHaveLength(1);
    // The listing stored the lost message before m3's webhook answered.
    expect(via.get(lost!.messageSid)).toBe("catch-up");
    const history = await h.mailbox.history(m0!.conversationSid);
    expect(
      history.flatMap((entry) =>
        entry.direction === "inbound" && entry.role === "customer" ? [entry.index] : [],
      ),
    ).toEqual([m0!, m1!, lost!, m3!].map((message) => message.index));
  });

  it("a message found by catch-up after later ones were answered is answered, and sits in history in Index order", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      mailbox: { settleWindowMs: 100 },
    });
    const h = harness;
    const [m0] = await seedSmsConversation(h.emulator, "+15552710003", ["m0"]);
    await deliverWebhook(h.emulator, h.webhookUrl, m0!);
    await repliesOf(h.emulator, m0!, 1);
    const [lost, later1, later2] = await seedMore(h.emulator, m0!, ["lost", "later 1", "later 2"]);
    // Twilio refuses the gap's listing: the later messages go after the settle window.
    const fault = await fetch(`${h.emulator.url}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        match: { method: "GET", path: `${m0!.conversationSid}/Messages` },
        fault: { status: 403, code: 20403 },
        // Both later webhooks show the gap and list the conversation; both listings fail.
        times: 2,
      }),
    });
    expect(fault.ok).toBe(true);
    await deliverWebhook(h.emulator, h.webhookUrl, later1!);
    await deliverWebhook(h.emulator, h.webhookUrl, later2!);
    expect(await repliesOf(h.emulator, m0!, 3)).toEqual(["re: m0", "re: later 1", "re: later 2"]);
    // One warn line per refused listing, without a stack.
    const warned = h.log.lines.filter((line) => line.message?.includes("missing below"));
    expect(warned).toHaveLength(2);
    for (const line of warned) expect(JSON.stringify(line)).not.toContain("    at ");

    expect(await h.switchboard.catchUp()).toMatchObject({ ingested: 1 });
    expect(await repliesOf(h.emulator, m0!, 4)).toEqual([
      "re: m0",
      "re: later 1",
      "re: later 2",
      "re: lost",
    ]);
    const history = await h.mailbox.history(m0!.conversationSid);
    const customer = history.flatMap((entry) =>
      entry.direction === "inbound" && entry.role === "customer"
        ? [{ index: entry.index, status: entry.status }]
        : [],
    );
    expect(customer).toEqual(
      [m0!, lost!, later1!, later2!].map((message) => ({ index: message.index, status: "done" })),
    );
  });

  it("never spends more than its REST budget (counted at the emulator)", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      mailbox: { settleWindowMs: 100 },
      switchboard: { catchUp: { intervalMs: 0, requestsPerSecond: 3 } },
    });
    const h = harness;
    const firsts: SeededMessage[] = [];
    for (let n = 0; n < 9; n++) {
      const [first] = await seedSmsConversation(h.emulator, `+155527200${n}0`, [`hello ${n}`]);
      await deliverWebhook(h.emulator, h.webhookUrl, first!);
      firsts.push(first!);
    }
    for (const first of firsts) await repliesOf(h.emulator, first, 1);
    // A lost message at the top of each (no webhook, so no gap is seen): the run finds them.
    for (const first of firsts) await seedMore(h.emulator, first, ["lost"]);
    const gets = recordGets(h.emulator);

    const result = await h.switchboard.catchUp();
    expect(result).toMatchObject({ conversations: 9, ingested: 9 });
    const listed = gets.filter((get) => !get.path.includes("/Receipts"));
    // Every request it made went through the budget, and the emulator saw exactly those.
    expect(listed).toHaveLength(result.requests!);
    expect(listed.some((get) => get.path.endsWith("/Participants"))).toBe(false);
    // At most 3 in any one second: n requests cannot fit in less than (n / 3 - 1) seconds.
    // (Checked on the emulator's side of the wire, where a request can only arrive later
    // than its grant, so the bound holds however slow the machine is.)
    const span = listed.at(-1)!.at - listed[0]!.at;
    expect(span).toBeGreaterThanOrEqual((Math.ceil(listed.length / 3) - 1) * 1000 - 50);
    for (const first of firsts) await repliesOf(h.emulator, first, 2);
  });

  it("starts answering at once: the first turn does not wait for the start's catch-up", async () => {
    const folder = tempFolder();
    cleanups.push(() => folder.cleanup());
    const emulator = await startEmulator({ webhookRetries: 0 });
    cleanups.push(() => emulator.close());
    const path = join(folder.path, "mailbox.db");
    // A mailbox that knows 40 conversations (their messages are history: no turns).
    const seed = sqliteMailbox({ path });
    for (let n = 0; n < 40; n++)
      await seed.ingest({
        conversationSid: `CH${String(n).padStart(32, "0")}`,
        messageSid: `IM${String(n).padStart(32, "0")}`,
        index: 0,
        author: "switchboard",
        body: "earlier",
        media: [],
        attributes: {},
        channel: "sms",
        source: "API",
        dateCreated: Date.now(),
        receivedAt: Date.now(),
        role: "bot",
      });
    await seed.close();

    const switchboard = createSwitchboard({
      provider: await twilioProviderFor(emulator),
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      mailbox: sqliteMailbox({ path, settleWindowMs: 100 }),
      logger: capturedLog(),
      workers: fastWorkers,
      webhook: { authToken: emulator.authToken },
      // One request a second: listing the 40 takes 40 s.
      catchUp: { intervalMs: 0, requestsPerSecond: 1 },
    });
    const served = await serveSwitchboard(switchboard, { port: 0 });
    cleanups.push(() => served.close());
    const webhookUrl = `${served.url}/twilio/webhook`;
    let runDone = false;
    // The start's run (an explicit call joins the one running); closing aborts it.
    switchboard
      .catchUp()
      .catch(() => {})
      .finally(() => {
        runDone = true;
      });

    const [first] = await seedSmsConversation(emulator, "+15552730001", ["hello"]);
    await deliverWebhook(emulator, webhookUrl, first!);
    expect(await repliesOf(emulator, first!, 1)).toEqual(["re: hello"]);
    // Answered while the start's run is still working through its budget.
    expect(runDone).toBe(false);
  });

  it("after a known outage, the start's run lists the conversations active in the day before it, not older ones", async () => {
    const folder = tempFolder();
    cleanups.push(() => folder.cleanup());
    const emulator = await startEmulator({ webhookRetries: 0 });
    cleanups.push(() => emulator.close());
    const path = join(folder.path, "mailbox.db");
    const [recent] = await seedSmsConversation(emulator, "+15552740001", ["recent"]);
    const [old] = await seedSmsConversation(emulator, "+15552740002", ["old"]);
    const hour = 60 * 60_000;
    const seed = sqliteMailbox({ path });
    for (const [message, activeAgo] of [
      [recent!, hour],
      [old!, 3 * 24 * hour],
    ] as const) {
      await seed.ingest({
        conversationSid: message.conversationSid,
        messageSid: message.messageSid,
        index: message.index,
        author: message.author,
        body: message.body,
        media: [],
        attributes: {},
        channel: "sms",
        source: "SMS",
        dateCreated: Date.now() - activeAgo,
        receivedAt: Date.now() - activeAgo,
        role: "customer",
        customerAddress: message.author,
      });
    }
    for (const lease of await seed.claim("seed", 10, 60_000)) await seed.complete(lease, []);
    // Every instance was down for the last 10 minutes: the heartbeat says so.
    await seed.setMeta("catchUp.aliveAt", String(Date.now() - 10 * 60_000));
    await seed.close();

    const gets = recordGets(emulator);
    const switchboard = createSwitchboard({
      provider: await twilioProviderFor(emulator),
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      mailbox: sqliteMailbox({ path }),
      logger: capturedLog(),
      workers: fastWorkers,
      webhook: { authToken: emulator.authToken },
      catchUp: { intervalMs: 0 },
    });
    const startedAt = Date.now();
    await switchboard.start();
    cleanups.push(() => switchboard.close());
    // The start's run is over once it records its start (its last write).
    await eventually(
      async () => (await switchboard.mailbox.getMeta("catchUp.lastStartedAt")) ?? undefined,
      "the start's run",
    );
    const listed = gets.map((get) => get.path);
    expect(listed.some((path) => path.includes(recent!.conversationSid))).toBe(true);
    expect(listed.some((path) => path.includes(old!.conversationSid))).toBe(false);
    // This start is recorded as alive at once: the next start sees no outage behind it.
    expect(Number(await switchboard.mailbox.getMeta("catchUp.aliveAt"))).toBeGreaterThanOrEqual(
      startedAt,
    );
  });
});
