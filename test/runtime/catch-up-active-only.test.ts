import { afterEach, expect, it } from "vitest";
import { fakeSid, inboundMessage } from "../../src/testing/mailbox-contract/contract-fixtures.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { type Harness, startHarness } from "./runtime-harness.js";
import { deliverWebhook, seedSmsConversation } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/**
 * Catch-up's cost follows the active conversations, not every one ever seen: a run asks the
 * mailbox for the active ones (one indexed query) and reads no row of an idle conversation.
 */
it("reads no row of a conversation idle past the horizon, however many there are", async () => {
  harness = await startHarness({
    agent: recordingAgent({ respond: (turn) => `re: ${turn.text}` }),
    switchboard: { catchUp: { intervalMs: 0 } },
  });
  const h = harness;
  // 40 conversations whose last customer message is 8 days old (past the 7-day horizon),
  // held by a person so no turn runs for them.
  const eightDaysAgo = Date.now() - 8 * 24 * 60 * 60_000;
  for (let n = 0; n < 40; n++) {
    const conversationSid = fakeSid("CH");
    await h.mailbox.setHandoff(conversationSid, true);
    await h.mailbox.ingest(inboundMessage({ conversationSid, dateCreated: eightDaysAgo }));
  }
  // One active conversation, answered.
  const [first] = await seedSmsConversation(h.emulator, "+15552710001", ["hello"]);
  await deliverWebhook(h.emulator, h.webhookUrl, first!);

  // Count the mailbox reads a run makes (a recording wrapper on the real store).
  const reads = { rows: 0, known: 0 };
  const { conversation, knownConversations } = h.mailbox;
  h.mailbox.conversation = (sid) => {
    reads.rows += 1;
    return conversation.call(h.mailbox, sid);
  };
  h.mailbox.knownConversations = () => {
    reads.known += 1;
    return knownConversations.call(h.mailbox);
  };
  const ran = await h.switchboard.catchUp();
  expect(ran.ingested).toBe(0);
  expect(reads.known).toBe(0);
  // Without the query a run reads each of the 41 rows; with it, none of the idle ones.
  expect(reads.rows).toBeLessThan(5);
});
