import { afterEach, describe, expect, it } from "vitest";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages, deliverWebhook, seedSmsConversation } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("a turn Twilio shows answered by a reply this mailbox never sent", () => {
  it("is not answered again, and the conversation goes on (catch-up-gaps.test.ts: one of its own replies above a lost message does not count)", async () => {
    harness = await startHarness({
      agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
      switchboard: { catchUp: { intervalMs: 0 } },
      mailbox: { settleWindowMs: 100 },
    });
    const h = harness;
    const [first] = await seedSmsConversation(h.emulator, "+15552710001", ["m0"]);
    await deliverWebhook(h.emulator, h.webhookUrl, first!);
    const sid = first!.conversationSid;
    await eventually(
      async () => ((await botMessages(h.emulator, sid)).length === 1 ? true : undefined),
      "re: m0",
    );

    // Another switchboard (or this one, before its mailbox was restored from an older copy)
    // got m1's webhook and answered it; this mailbox saw neither.
    const messages = h.emulator
      .twilioClient()
      .conversations.v1.services(h.emulator.serviceSid)
      .conversations(sid).messages;
    const m1 = await messages.create({ author: first!.author, body: "m1" });
    await messages.create({
      author: "switchboard",
      body: "re: m1 (from elsewhere)",
      attributes: JSON.stringify({ switchboardReplyId: `${m1.sid}.r0` }),
    });

    expect(await h.switchboard.catchUp()).toMatchObject({ ingested: 2 });
    // m1's turn completes without the agent: the conversation moves on past it.
    await eventually(async () => {
      const record = await h.mailbox.conversation(sid);
      return record?.lastProcessedIndex === m1.index ? true : undefined;
    }, "m1's turn done");

    // The next message is answered as usual, and nothing was answered twice.
    const m2 = await messages.create({ author: first!.author, body: "m2" });
    await h.switchboard.catchUp();
    const bodies = await eventually(async () => {
      const found = await botMessages(h.emulator, sid);
      return found.length >= 3 ? found.map((message) => message.body) : undefined;
    }, "re: m2");
    expect(bodies).toEqual(["re: m0", "re: m1 (from elsewhere)", "re: m2"]);
    expect(m2.index).toBeGreaterThan(m1.index);
  });
});
