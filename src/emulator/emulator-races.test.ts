import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "./start-emulator.js";
import { startWebhookReceiver } from "./webhooks/start-webhook-receiver.js";

/**
 * Uniqueness checks (50416, 50353, 50433) run before a pre-event webhook is awaited; a
 * second request arriving during that wait must not pass the same check. A pre-webhook
 * answering after a short delay opens the window wide enough for two concurrent calls.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup() {
  const receiver = await startWebhookReceiver((request) =>
    request.url.includes("/pre") ? { delayMs: 50 } : {},
  );
  closers.push(() => receiver.close());
  const emulator = await startEmulator({ webhookUrl: `${receiver.url}/post` });
  closers.push(() => emulator.close());
  const client = emulator.twilioClient();
  await client.conversations.v1
    .services(emulator.serviceSid)
    .configuration.webhooks()
    .update({
      preWebhookUrl: `${receiver.url}/pre`,
      filters: ["onConversationAdd", "onParticipantAdd", "onConversationUpdate"],
    });
  return { emulator, client };
}

const twilioCode = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === "rejected" ? (outcome.reason as { code?: number }).code : undefined;

describe("concurrent requests during a slow pre-event", () => {
  it("two inbound messages from one new number share one conversation", async () => {
    const { emulator, client } = await setup();
    const send = (body: string) =>
      fetch(`${emulator.url}/_emulator/inbound`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ channel: "sms", from: "+15551239001", body }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { conversationSid: string },
      }));
    const [first, second] = await Promise.all([send("one"), send("two")]);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.conversationSid).toBe(first.body.conversationSid);
    const open = (await client.conversations.v1.conversations.list()).filter(
      (conversation) => conversation.state !== "closed",
    );
    expect(open).toHaveLength(1);
    const messages = await client.conversations.v1
      .conversations(first.body.conversationSid)
      .messages.list();
    expect(messages.map((message) => message.body).sort()).toEqual(["one", "two"]);
  });

  it("two REST adds of one Address+ProxyAddress pair give one participant and one 50416", async () => {
    const { client } = await setup();
    const [left, right] = await Promise.all([
      client.conversations.v1.conversations.create({}),
      client.conversations.v1.conversations.create({}),
    ]);
    const add = (conversationSid: string) =>
      client.conversations.v1.conversations(conversationSid).participants.create({
        "messagingBinding.address": "+15551239002",
        "messagingBinding.proxyAddress": "+15550009002",
        xTwilioWebhookEnabled: "true",
      });
    const outcomes = await Promise.allSettled([add(left.sid), add(right.sid)]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.map(twilioCode).filter(Boolean)).toEqual([50416]);
    const counts = await Promise.all(
      [left.sid, right.sid].map(
        async (sid) =>
          (await client.conversations.v1.conversations(sid).participants.list()).length,
      ),
    );
    expect(counts.sort()).toEqual([0, 1]);
  });

  it("two creates with one unique name give one conversation and one 50353", async () => {
    const { client } = await setup();
    const create = () =>
      client.conversations.v1.conversations.create({
        uniqueName: "same-name",
        xTwilioWebhookEnabled: "true",
      });
    const outcomes = await Promise.allSettled([create(), create()]);
    expect(outcomes.map(twilioCode).filter(Boolean)).toEqual([50353]);
    const named = (await client.conversations.v1.conversations.list()).filter(
      (conversation) => conversation.uniqueName === "same-name",
    );
    expect(named).toHaveLength(1);
  });

  it("two adds of one identity give one participant and one 50433", async () => {
    const { client } = await setup();
    const conversation = await client.conversations.v1.conversations.create({});
    const add = () =>
      client.conversations.v1.conversations(conversation.sid).participants.create({
        identity: "agent",
        xTwilioWebhookEnabled: "true",
      });
    const outcomes = await Promise.allSettled([add(), add()]);
    expect(outcomes.map(twilioCode).filter(Boolean)).toEqual([50433]);
    const participants = await client.conversations.v1
      .conversations(conversation.sid)
      .participants.list();
    expect(participants).toHaveLength(1);
  });
});
