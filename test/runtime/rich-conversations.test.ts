import type { TranscriptionModel } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { aiSdkAgent } from "../../src/agents/ai-sdk-agent.js";
import { scriptedModel, textStep } from "../../src/agents/scripted-model.test-support.js";
import type { Agent, AgentContext, Turn } from "../../src/agents/types.js";
import type { Choices } from "../../src/channel/choices.js";
import { createRuntimeConsoleDeps } from "../../src/console/adapter/runtime-console-deps.js";
import type { Emulator } from "../../src/emulator/index.js";
import { recordingAgent } from "../../src/testing/recording-agent.js";
import { TwilioProvider } from "../../src/twilio/provider/index.js";
import { createProviderWebchatDeps } from "../../src/webchat/adapter/provider-webchat-deps.js";
import { eventually, type Harness, startHarness } from "./runtime-harness.js";
import { botMessages } from "./webhook-helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

// A JPEG's first bytes and an Ogg page header: enough to tell the bytes arrived whole.
const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 1, 2, 3, 4, 5]);
const voiceNote = Buffer.from([0x4f, 0x67, 0x67, 0x53, 0, 2, 9, 9, 9, 9]);

const choices: Choices = {
  type: "quick-replies",
  body: "What do you need?",
  options: [
    { id: "repair", title: "Repairs" },
    { id: "rental", title: "Rentals" },
    { id: "other", title: "Something else" },
  ],
};

/** Answers every turn with the same choices, and records each turn's picked choice. */
function choosingAgent() {
  return recordingAgent({
    respond: (turn) =>
      turn.messages[0]?.choice === undefined
        ? { text: "What do you need?", choices }
        : { text: `You picked ${turn.messages[0].choice.title}.` },
  });
}

/** The conversation's messages as Twilio holds them, with their ContentSid. */
async function sentWithContent(emulator: Emulator, conversationSid: string) {
  const messages = await emulator
    .twilioClient()
    .conversations.v1.services(emulator.serviceSid)
    .conversations(conversationSid)
    .messages.list({ order: "asc" });
  return messages
    .filter((message) => message.author === "switchboard")
    .map((message) => ({ body: message.body, contentSid: message.contentSid }));
}

describe("rich conversations end to end (issue 16)", () => {
  it("hands a WhatsApp photo to the agent as an image part whose bytes it can read", async () => {
    const read: Uint8Array[] = [];
    const agent = recordingAgent({
      respond: async (turn) => {
        const media = turn.media[0];
        if (media?.read !== undefined) read.push(await media.read());
        return { text: "Nice bike." };
      },
    });
    harness = await startHarness({ agent });
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554100001",
    });
    await customer.send("is this part right for my bike?", {
      media: [
        { contentType: "image/jpeg", base64: photo.toString("base64"), filename: "chain.jpg" },
      ],
    });
    const [call] = await agent.waitForCalls(1);
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the answer");
    const media = call!.turn.media[0]!;
    expect(media).toMatchObject({ contentType: "image/jpeg", filename: "chain.jpg" });
    expect(media.sid).toMatch(/^ME[0-9a-f]{32}$/);
    // No link that would need (or leak) the account's credentials reaches the agent.
    expect(media.url).toBeUndefined();
    expect([...read[0]!]).toEqual([...photo]);
    expect(call!.channel).toMatchObject({
      name: "whatsapp",
      capabilities: { choices: "buttons", maxQuickReplies: 3 },
    });
    // Media stays out of logs: neither the bytes' link nor the file name is logged.
    expect(JSON.stringify(harness.log.lines)).not.toMatch(/_emulator\/media|chain\.jpg/);
  });

  it("refuses media over the configured limit without fetching it", async () => {
    const outcomes: string[] = [];
    const agent = recordingAgent({
      respond: async (turn) => {
        await turn.media[0]!.read!().then(
          () => outcomes.push("read"),
          (error: Error) => outcomes.push(error.name),
        );
        return { text: "ok" };
      },
    });
    harness = await startHarness({
      agent,
      switchboard: { media: { maxBytes: 8, allowedContentTypes: ["image/*"] } },
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15554100002" });
    await customer.send(undefined, {
      media: [{ contentType: "image/jpeg", base64: photo.toString("base64") }],
    });
    await agent.waitForCalls(1);
    await eventually(() => (outcomes.length === 1 ? true : undefined), "the read");
    expect(outcomes).toEqual(["MediaRejectedError"]);
  });

  it("transcribes a voice note once and shows the transcript in later history and the console", async () => {
    const transcriptions: string[] = [];
    const transcriber: TranscriptionModel = {
      specificationVersion: "v4",
      provider: "stub",
      modelId: "stub-transcriber",
      doGenerate: async (options) => {
        transcriptions.push(options.mediaType);
        return {
          text: "Are you open on Sunday?",
          segments: [],
          language: "en",
          durationInSeconds: 2,
          warnings: [],
          response: { timestamp: new Date(0), modelId: "stub-transcriber" },
        };
      },
    };
    const inner = aiSdkAgent({
      model: scriptedModel(textStep("Sundays 10 to 4."), textStep("You're welcome!")),
      transcriptionModel: transcriber,
      maxRetries: 0,
    });
    const seen: AgentContext[] = [];
    const agent: Agent = {
      respond: (turn: Turn, context: AgentContext) => {
        seen.push(context);
        return inner.respond(turn, context);
      },
    };
    harness = await startHarness({ agent });
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554100003",
    });
    const { conversationSid } = await customer.send(undefined, {
      media: [{ contentType: "audio/ogg", base64: voiceNote.toString("base64") }],
    });
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the answer");
    expect(customer.messages()[0]!.body).toBe("Sundays 10 to 4.");
    await customer.send("thanks");
    await eventually(() => (customer.messages().length === 2 ? true : undefined), "the second");
    expect(transcriptions).toEqual(["audio/ogg"]);
    const earlier = seen[1]!.history.find((message) => message.role === "customer");
    expect(earlier?.media?.[0]).toMatchObject({
      contentType: "audio/ogg",
      transcript: "Are you open on Sunday?",
    });

    const console = createRuntimeConsoleDeps({
      switchboard: harness.switchboard,
      info: { mode: "dev" } as never,
      sendAsHuman: async () => ({}),
    });
    const transcript = await console.transcript(conversationSid);
    const voice = transcript!.messages.find((message) => message.media.length > 0);
    expect(voice?.media[0]).toMatchObject({
      contentType: "audio/ogg",
      transcript: "Are you open on Sunday?",
    });
  });

  it("sends the same choices as a WhatsApp quick-reply Content message; a tap comes back as the choice", async () => {
    const agent = choosingAgent();
    harness = await startHarness({ agent });
    const customer = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15554100004",
    });
    const { conversationSid } = await customer.send("hi");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the buttons");
    const [sent] = await sentWithContent(harness.emulator, conversationSid);
    expect(sent!.contentSid).toMatch(/^HX[0-9a-f]{32}$/);
    const content = harness.emulator.content.get(sent!.contentSid!);
    expect(content?.types["twilio/quick-reply"]).toEqual({
      body: "What do you need?",
      actions: choices.options.map((option) => ({
        type: "QUICK_REPLY",
        title: option.title,
        id: option.id,
      })),
    });
    expect(customer.messages()[0]!.body).toBe("What do you need?");
    // The phone shows the buttons; tapping one sends its title back.
    expect(customer.messages()[0]!.buttons).toEqual(
      choices.options.map((option) => ({ title: option.title, id: option.id })),
    );

    // A WhatsApp tap arrives as a plain message whose Body is the button title.
    await customer.send("Rentals");
    const calls = await agent.waitForCalls(2);
    expect(calls[1]!.turn.messages[0]!.choice).toEqual({ id: "rental", title: "Rentals" });
    // The template has no body; history shows the agent what it offered.
    expect(calls[1]!.history.find((message) => message.role === "agent")?.text).toBe(
      "What do you need?\n\n1. Repairs\n2. Rentals\n3. Something else\nReply with a number.",
    );

    // The same choices again reuse the Content template made the first time.
    await eventually(() => (customer.messages().length === 2 ? true : undefined), "the answer");
    await customer.send("again");
    await eventually(() => (customer.messages().length === 3 ? true : undefined), "buttons again");
    const all = await sentWithContent(harness.emulator, conversationSid);
    expect(all.at(-1)!.contentSid).toBe(sent!.contentSid);
  });

  it("sends the same choices as numbered SMS text; “2” comes back as the choice", async () => {
    const agent = choosingAgent();
    harness = await startHarness({ agent });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15554100005" });
    await customer.send("hi");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the options");
    expect(customer.messages()[0]!.body).toBe(
      "What do you need?\n\n1. Repairs\n2. Rentals\n3. Something else\nReply with a number.",
    );
    await customer.send("2");
    const calls = await agent.waitForCalls(2);
    expect(calls[1]!.turn.messages[0]!.choice).toEqual({ id: "rental", title: "Rentals" });
    expect(calls[1]!.turn.messages[0]!.body).toBe("2");
  });

  it("sends the same choices as web chat buttons; a tap comes back as the choice", async () => {
    const agent = choosingAgent();
    harness = await startHarness({ agent });
    const emulator = harness.emulator;
    // The web chat face writes as the visitor through a webhook-enabled provider.
    const visitorProvider = new TwilioProvider({
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      conversationsServiceSid: emulator.serviceSid,
      httpClient: emulator.httpClient(),
      webhookEnabled: true,
    });
    const webchat = createProviderWebchatDeps({
      provider: visitorProvider,
      events: harness.switchboard.events,
    });
    try {
      const { conversationSid } = await webchat.startConversation("visitor-rich-1");
      await webchat.sendVisitorMessage({ conversationSid, identity: "visitor-rich-1", text: "hi" });
      const buttons = await eventually(async () => {
        const history = await webchat.history(conversationSid, {});
        return history.find((message) => message.role === "agent");
      }, "the buttons");
      expect(buttons.body).toBe("What do you need?");
      expect(buttons.choices).toEqual(choices.options);
      const sent = await botMessages(emulator, conversationSid);
      expect(sent[0]!.attributes.switchboardChoices).toEqual(choices);

      // The widget's tap: the title as text, the option's id alongside.
      await webchat.sendVisitorMessage({
        conversationSid,
        identity: "visitor-rich-1",
        text: "Rentals",
        choiceId: "rental",
      });
      const calls = await agent.waitForCalls(2);
      expect(calls[1]!.turn.messages[0]!.choice).toEqual({ id: "rental", title: "Rentals" });
      expect(calls[1]!.turn.messages[0]!.attributes).toMatchObject({
        switchboardChoice: { id: "rental" },
      });
    } finally {
      await visitorProvider.stop();
    }
  });

  it("sends a reply full of curly quotes as GSM-7 and an emoji reply as UCS-2, with segments recorded", async () => {
    const agent = recordingAgent({
      respond: (turn) =>
        turn.text === "quotes"
          ? "We’re open “today” – from 9 to 5… Don’t forget your ‘ticket’."
          : "Open today 😀",
    });
    harness = await startHarness({ agent });
    const sms: { encoding: string; segments: number }[] = [];
    harness.switchboard.events.on("reply.sent", (event) => {
      if (event.sms !== undefined) sms.push(event.sms);
    });
    const customer = harness.emulator.customer({ channel: "sms", address: "+15554100006" });
    const { conversationSid } = await customer.send("quotes");
    await eventually(() => (customer.messages().length === 1 ? true : undefined), "the answer");
    await customer.send("emoji");
    await eventually(() => (customer.messages().length === 2 ? true : undefined), "the emoji");
    expect(customer.messages().map((message) => message.body)).toEqual([
      `We're open "today" - from 9 to 5... Don't forget your 'ticket'.`,
      "Open today 😀",
    ]);
    const sent = await botMessages(harness.emulator, conversationSid);
    expect(sent.map((message) => message.attributes.switchboardSms)).toEqual([
      { encoding: "GSM-7", segments: 1 },
      { encoding: "UCS-2", segments: 1 },
    ]);
    await eventually(() => (sms.length === 2 ? true : undefined), "the sent events");
    expect(sms).toEqual([
      { encoding: "GSM-7", segments: 1 },
      { encoding: "UCS-2", segments: 1 },
    ]);
    const history = await harness.mailbox.history(conversationSid);
    const replies = history.filter((entry) => entry.direction === "outbound");
    expect(replies.map((entry) => entry.attributes.switchboardSms)).toEqual([
      { encoding: "GSM-7", segments: 1 },
      { encoding: "UCS-2", segments: 1 },
    ]);
  });
});
