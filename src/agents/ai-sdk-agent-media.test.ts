import type { TranscriptionModel } from "ai";
import { describe, expect, it } from "vitest";
import { MediaRejectedError } from "./agent-errors.js";
import { aiSdkAgent } from "./ai-sdk-agent.js";
import { scriptedModel, textStep, toolStep } from "./scripted-model.test-support.js";
import { inMemoryToolJournal } from "./tool-journal.js";
import type { AgentContext, Channel, InboundMedia, Turn } from "./types.js";

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const ogg = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 9, 9]);

function turnWith(media: InboundMedia[], body = "", channel: Channel = "whatsapp"): Turn {
  return {
    conversationSid: "CH1",
    messages: [{ messageSid: "IM5", index: 5, body, media, dateCreated: new Date(0) }],
    text: body,
    channel,
    author: "whatsapp:+15551230001",
    media,
  };
}
const contextFor = (
  channel: Channel = "whatsapp",
  extra: Partial<AgentContext> = {},
): AgentContext => ({
  history: [],
  conversation: { sid: "CH1", channel, customer: "whatsapp:+15551230001" },
  signal: new AbortController().signal,
  ...extra,
});

/** The user message of the turn as the model received it (the last prompt message). */
function lastUserMessage(model: ReturnType<typeof scriptedModel>) {
  const prompt = model.doGenerateCalls[0]?.prompt ?? [];
  const last = prompt.at(-1);
  if (last?.role !== "user") throw new Error("the prompt does not end with the user");
  return last.content;
}

/** A stub transcription model (the AI SDK's v4 specification) that records its calls. */
function stubTranscriber(text: string) {
  const calls: { audio: unknown; mediaType: string }[] = [];
  const model: TranscriptionModel = {
    specificationVersion: "v4",
    provider: "stub",
    modelId: "stub-transcriber",
    doGenerate: async (options) => {
      calls.push({ audio: options.audio, mediaType: options.mediaType });
      return {
        text,
        segments: [],
        language: "en",
        durationInSeconds: 2,
        warnings: [],
        response: { timestamp: new Date(0), modelId: "stub-transcriber" },
      };
    },
  };
  return { model, calls };
}

describe("aiSdkAgent and inbound media", () => {
  it("passes a WhatsApp photo to the model as an image part with its bytes", async () => {
    const model = scriptedModel(textStep("Yes, that chain fits."));
    const agent = aiSdkAgent({ model, maxRetries: 0 });
    const photo: InboundMedia = {
      sid: "ME1",
      contentType: "image/jpeg",
      filename: "chain.jpg",
      size: jpeg.byteLength,
      read: async () => jpeg,
    };
    await agent.respond(turnWith([photo], "is this right for my bike?"), contextFor());
    const content = lastUserMessage(model);
    expect(content[0]).toMatchObject({
      type: "text",
      text: expect.stringContaining("is this right"),
    });
    const image = content.find((part) => part.type === "file");
    expect(image).toMatchObject({ mediaType: "image/jpeg" });
    expect(JSON.stringify(image)).not.toContain("http");
    const data = (image as { data: unknown }).data as
      | { type?: string; data?: unknown }
      | Uint8Array;
    const bytes = data instanceof Uint8Array ? data : (data as { data: Uint8Array }).data;
    expect([...bytes]).toEqual([...jpeg]);
  });

  it("only mentions an image the runtime refuses, or when images are off", async () => {
    const refused: InboundMedia = {
      contentType: "image/png",
      filename: "huge.png",
      read: async () => {
        throw new MediaRejectedError("too large");
      },
    };
    const model = scriptedModel(textStep("I could not open that picture."));
    await aiSdkAgent({ model, maxRetries: 0 }).respond(turnWith([refused]), contextFor());
    expect(lastUserMessage(model)).toEqual([
      { type: "text", text: "[attached: huge.png]", providerOptions: undefined },
    ]);

    const textOnly = scriptedModel(textStep("ok"));
    const photo: InboundMedia = { contentType: "image/jpeg", read: async () => jpeg };
    await aiSdkAgent({ model: textOnly, images: false, maxRetries: 0 }).respond(
      turnWith([photo], "look"),
      contextFor(),
    );
    expect(JSON.stringify(lastUserMessage(textOnly))).not.toContain('"file"');
  });

  it("transcribes a voice note, answers its words, and returns the transcript for history", async () => {
    const transcriber = stubTranscriber("Are you open on Sunday?");
    const model = scriptedModel(textStep("Sundays 10 to 4."));
    const agent = aiSdkAgent({ model, transcriptionModel: transcriber.model, maxRetries: 0 });
    const voiceNote: InboundMedia = { sid: "ME9", contentType: "audio/ogg", read: async () => ogg };
    const journal = inMemoryToolJournal();
    const reply = await agent.respond(turnWith([voiceNote]), contextFor("whatsapp", { journal }));
    expect(reply).toEqual({
      text: "Sundays 10 to 4.",
      transcripts: [
        { messageSid: "IM5", mediaIndex: 0, mediaSid: "ME9", text: "Are you open on Sunday?" },
      ],
    });
    expect(JSON.stringify(lastUserMessage(model))).toContain(
      "[voice note: Are you open on Sunday?]",
    );
    expect(transcriber.calls).toHaveLength(1);
    expect(transcriber.calls[0]?.mediaType).toBe("audio/ogg");

    // A re-run of the same turn reuses the journaled transcript.
    await aiSdkAgent({
      model: scriptedModel(textStep("Sundays 10 to 4.")),
      transcriptionModel: transcriber.model,
      maxRetries: 0,
    }).respond(turnWith([voiceNote]), contextFor("whatsapp", { journal }));
    expect(transcriber.calls).toHaveLength(1);
  });

  it("reads earlier voice notes from history as what was said", async () => {
    const model = scriptedModel(textStep("Yes, helmets are included."));
    await aiSdkAgent({ model, maxRetries: 0 }).respond(turnWith([], "and helmets?", "sms"), {
      ...contextFor("sms"),
      history: [
        {
          role: "customer",
          text: "",
          dateCreated: new Date(0),
          media: [{ contentType: "audio/ogg", transcript: "Do you rent e-bikes?" }],
        },
        { role: "agent", text: "We do.", dateCreated: new Date(0) },
      ],
    });
    const prompt = model.doGenerateCalls[0]?.prompt ?? [];
    expect(JSON.stringify(prompt[1])).toContain("[voice note: Do you rent e-bikes?]");
  });
});

describe("aiSdkAgent and channel capabilities", () => {
  const systemOf = (model: ReturnType<typeof scriptedModel>) => {
    const first = model.doGenerateCalls[0]?.prompt[0];
    return first?.role === "system" ? first.content : "";
  };

  it("tells the model how each channel shows choices and formatting", async () => {
    const onWhatsApp = scriptedModel(textStep("ok"));
    await aiSdkAgent({ model: onWhatsApp, maxRetries: 0 }).respond(
      turnWith([], "hi"),
      contextFor(),
    );
    expect(systemOf(onWhatsApp)).toContain("Channel: whatsapp.");
    expect(systemOf(onWhatsApp)).toContain("tappable buttons (up to 3)");
    expect(systemOf(onWhatsApp)).toContain("WhatsApp style");

    const onSms = scriptedModel(textStep("ok"));
    await aiSdkAgent({ model: onSms, maxRetries: 0 }).respond(
      turnWith([], "hi", "sms"),
      contextFor("sms"),
    );
    expect(systemOf(onSms)).toContain("numbered text options");
    expect(systemOf(onSms)).toContain("plain text, no markdown");
  });

  it("uses the capabilities the runtime gives over the defaults", async () => {
    const model = scriptedModel(textStep("ok"));
    await aiSdkAgent({ model, maxRetries: 0 }).respond(
      turnWith([], "hi"),
      contextFor("whatsapp", {
        channel: {
          name: "whatsapp",
          capabilities: {
            mediaIn: { image: true, audio: false, document: false },
            mediaOut: false,
            choices: "numbered-text",
            maxQuickReplies: 3,
            maxListOptions: 5,
            formatting: "plain",
            maxMessageCharacters: 1600,
            preferredCharacters: 200,
          },
        },
      }),
    );
    const system = systemOf(model);
    expect(system).toContain("numbered text options (up to 5)");
    expect(system).toContain("Customer can send: text, image.");
    expect(system).toContain("under 200 characters");
  });

  it("turns an offer_choices call into quick replies, or a list when they do not fit", async () => {
    const three = scriptedModel(
      toolStep({
        name: "offer_choices",
        input: {
          text: "Which day?",
          options: [{ title: "Friday" }, { title: "Saturday" }, { title: "Sunday" }],
        },
      }),
    );
    const agent = aiSdkAgent({ model: three, choices: true, maxRetries: 0 });
    expect(await agent.respond(turnWith([], "book"), contextFor())).toEqual({
      text: "Which day?",
      choices: {
        type: "quick-replies",
        body: "Which day?",
        options: [
          { id: "friday", title: "Friday" },
          { id: "saturday", title: "Saturday" },
          { id: "sunday", title: "Sunday" },
        ],
      },
    });
    const tools = three.doGenerateCalls[0]?.tools?.map((entry) => entry.name);
    expect(tools).toEqual(["handoff_to_human", "offer_choices"]);

    const four = scriptedModel(
      toolStep({
        name: "offer_choices",
        input: {
          text: "Which bike?",
          button: "Bikes",
          options: [{ title: "City" }, { title: "E-bike" }, { title: "Cargo" }, { title: "Kids" }],
        },
      }),
    );
    const reply = await aiSdkAgent({ model: four, choices: true, maxRetries: 0 }).respond(
      turnWith([], "rent"),
      contextFor(),
    );
    expect(reply).toMatchObject({ choices: { type: "list", button: "Bikes" } });
  });

  it("refuses tools named like its built-in ones", () => {
    expect(() =>
      aiSdkAgent({ model: scriptedModel(), tools: { offer_choices: {} as never } }),
    ).toThrow(/offer_choices/);
  });
});
