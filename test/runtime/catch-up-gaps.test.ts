import { afterEach, describe, expect, it } from "vitest";
import { closedConversationsMetaKey } from "../../src/runtime/closed-conversations.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import {
  botMessages,
  deliverWebhook,
  type SeededMessage,
  seedSmsConversation,
} from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Customer messages created over REST: they exist in Twilio, their webhooks never came. */
async function seedMore(
  h: Harness,
  first: SeededMessage,
  bodies: readonly string[],
): Promise<SeededMessage[]> {
  const messages = h.emulator
    .twilioClient()
    .conversations.v1.services(h.emulator.serviceSid)
    .conversations(first.conversationSid).messages;
  const seeded: SeededMessage[] = [];
  for (const body of bodies) {
    const created = await messages.create({ author: first.author, body });
    seeded.push({ ...first, messageSid: created.sid, index: created.index, body });
  }
  return seeded;
}

/** Makes the next `times` matching REST requests answer 403 (not retried). */
async function addRestFault(
  h: Harness,
  match: { method: string; path: string },
  times: number,
): Promise<void> {
  const response = await fetch(`${h.emulator.url}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ match, fault: { status: 403, code: 20403 }, times }),
  });
  if (!response.ok) throw new Error(`fault refused: ${response.status} ${await response.text()}`);
}

async function repliesOf(h: Harness, conversationSid: string, count: number): Promise<string[]> {
  const replies = await eventually(async () => {
    const found = await botMessages(h.emulator, conversationSid);
    return found.length >= count ? found : undefined;
  }, `${count} replies`);
  return replies.map((reply) => reply.body ?? "");
}

describe("catch-up", () => {
  it("fills a gap larger than maxMessagesPerConversation from its oldest end, losing nothing", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      switchboard: { catchUp: { intervalMs: 0, maxMessagesPerConversation: 3 } },
      mailbox: { settleWindowMs: 100 },
    });
    const h = harness;
    const [first] = await seedSmsConversation(h.emulator, "+15552700001", ["m0"]);
    await deliverWebhook(h.emulator, h.webhookUrl, first!);
    await repliesOf(h, first!.conversationSid, 1);
    // Five messages whose webhooks were lost: more than one run takes.
    await seedMore(h, first!, ["m1", "m2", "m3", "m4", "m5"]);
    const ingested: string[] = [];
    h.switchboard.events.on("message.ingested", (event) => {
      if (event.role === "customer") ingested.push(event.messageSid);
    });

    await h.switchboard.catchUp();
    const firstRun = [...ingested];
    expect(firstRun.length).toBeGreaterThan(0);
    expect(firstRun.length).toBeLessThanOrEqual(3);
    await repliesOf(h, first!.conversationSid, 1 + firstRun.length);
    for (let run = 0; run < 5 && ingested.length < 5; run++) {
      await h.switchboard.catchUp();
      await repliesOf(h, first!.conversationSid, 1 + ingested.length);
    }
    expect(await repliesOf(h, first!.conversationSid, 6)).toEqual([
      "re: m0",
      "re: m1",
      "re: m2",
      "re: m3",
      "re: m4",
      "re: m5",
    ]);
  });

  it("finds a webhook lost below a later answered message (re-reads the newest messages)", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      mailbox: { settleWindowMs: 100 },
    });
    const h = harness;
    const [first] = await seedSmsConversation(h.emulator, "+15552700002", ["m0"]);
    await deliverWebhook(h.emulator, h.webhookUrl, first!);
    await repliesOf(h, first!.conversationSid, 1);
    const [lost, delivered] = await seedMore(h, first!, ["lost", "delivered"]);
    // The later message's webhook shows the gap, but listing the conversation fails (a
    // 403 is not retried): it is answered after the settle window, the lost one is not.
    await addRestFault(h, { method: "GET", path: `${first!.conversationSid}/Messages` }, 1);
    await deliverWebhook(h.emulator, h.webhookUrl, delivered!);
    expect(await repliesOf(h, first!.conversationSid, 2)).toEqual(["re: m0", "re: delivered"]);
    expect((await h.mailbox.conversation(first!.conversationSid))?.lastProcessedIndex).toBe(
      delivered!.index,
    );

    expect(await h.switchboard.catchUp()).toMatchObject({ ingested: 1 });
    expect(await repliesOf(h, first!.conversationSid, 3)).toEqual([
      "re: m0",
      "re: delivered",
      "re: lost",
    ]);
    const history = await h.mailbox.history(first!.conversationSid);
    expect(
      history.find(
        (entry) => entry.direction === "inbound" && entry.messageSid === lost!.messageSid,
      ),
    ).toMatchObject({ status: "done" });
    // In history it sits where Twilio has it: Index order, not the order it was answered.
    const inbound = history.flatMap((entry) =>
      entry.direction === "inbound" && entry.role === "customer" ? [entry.index] : [],
    );
    expect(inbound).toEqual([first!.index, lost!.index, delivered!.index]);
    // The next run finds nothing new: what is stored is not ingested again.
    expect(await h.switchboard.catchUp()).toMatchObject({ ingested: 0 });
  });

  it("stops listing conversations known to be closed, and those idle past the horizon", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      mailbox: { settleWindowMs: 100 },
      switchboard: { catchUp: { intervalMs: 0, idleHorizonMs: 1500 } },
    });
    const h = harness;
    const [closed] = await seedSmsConversation(h.emulator, "+15552700003", ["before close"]);
    const [open] = await seedSmsConversation(h.emulator, "+15552700004", ["hello"]);
    for (const message of [closed!, open!]) {
      await deliverWebhook(h.emulator, h.webhookUrl, message);
      await repliesOf(h, message.conversationSid, 1);
    }
    await h.mailbox.setMeta(
      closedConversationsMetaKey,
      JSON.stringify({ [closed!.conversationSid]: Date.now() }),
    );
    // Lost messages in both: only the open conversation is still listed.
    await seedMore(h, closed!, ["never listed"]);
    await seedMore(h, open!, ["caught up"]);
    expect(await h.switchboard.catchUp()).toMatchObject({ conversations: 1, ingested: 1 });
    expect(await repliesOf(h, open!.conversationSid, 2)).toEqual(["re: hello", "re: caught up"]);
    expect(await botMessages(h.emulator, closed!.conversationSid)).toHaveLength(1);

    // Past the idle horizon (no customer message for 1.5 s here), it is not listed either.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await seedMore(h, open!, ["too late"]);
    expect(await h.switchboard.catchUp()).toMatchObject({ conversations: 0, ingested: 0 });
  });
});
