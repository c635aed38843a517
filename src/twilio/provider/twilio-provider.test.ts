import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorRequestOptions } from "../../emulator/http/emulator-request-client.js";
import { type Emulator, EmulatorRequestClient, startEmulator } from "../../emulator/index.js";
import { ConfigError } from "../../errors.js";
import {
  AddressInUseError,
  ConversationClosedError,
  IdentityInUseError,
  InvalidAddressError,
  InvalidCredentialsError,
  NotFoundError,
  ServiceNotFoundError,
  UniqueNameTakenError,
} from "../errors.js";
import { InvalidInputError, ProviderStoppedError } from "./provider-errors.js";
import type { TwilioMessage } from "./provider-types.js";
import { TwilioProvider, type TwilioProviderConfig } from "./twilio-provider.js";

let emulator: Emulator;
let provider: TwilioProvider;

const customer = "+15551230001";
const business = "+15559870000";

function providerFor(overrides: Partial<TwilioProviderConfig> = {}): TwilioProvider {
  return new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: emulator.httpClient(),
    ...overrides,
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  emulator.reset();
  provider = providerFor();
  await provider.start();
});

/** The emulator's request client, recording each Twilio URL the SDK asked for. */
class RecordingClient extends EmulatorRequestClient {
  readonly uris: string[] = [];
  override request<TData>(options: EmulatorRequestOptions<TData>) {
    this.uris.push(options.uri);
    return super.request<TData>(options);
  }
}

describe("start()", () => {
  it("works with an API key, a region and an edge, media upload included", async () => {
    const keySid = `SK${"a".repeat(32)}`;
    emulator.addApiKey(keySid, "key-secret");
    const recording = new RecordingClient(emulator.url);
    const regional = new TwilioProvider({
      accountSid: emulator.accountSid,
      apiKeySid: keySid,
      apiKeySecret: "key-secret",
      conversationsServiceSid: emulator.serviceSid,
      region: "ie1",
      edge: "dublin",
      httpClient: recording,
    });
    await regional.start();
    const conversation = await regional.createConversation({});
    const sent = await regional.sendMessage(conversation.id, {
      content: "receipt",
      media: { content: Buffer.from("89504e47", "hex"), contentType: "image/png" },
    });
    expect(sent.media).toHaveLength(1);
    const hosts = new Set(recording.uris.map((uri) => new URL(uri).hostname));
    expect(hosts).toEqual(
      new Set(["conversations.dublin.ie1.twilio.com", "mcs.dublin.ie1.twilio.com"]),
    );
  });

  it("accepts the emulator's credentials and service", async () => {
    await expect(providerFor().start()).resolves.toBeUndefined();
  });

  it("turns a wrong auth token into InvalidCredentialsError naming the variables", async () => {
    const wrong = providerFor({ authToken: "not-the-token" });
    const error = await wrong.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toMatchObject({ code: "invalid_credentials", twilioCode: 20003, status: 401 });
    expect((error as Error).message).toMatch(
      /Invalid credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/,
    );
    expect((error as Error).message).not.toContain("not-the-token");
  });

  it("turns an unknown service into ServiceNotFoundError naming the variable", async () => {
    const unknown = `IS${"f".repeat(32)}`;
    const error = await providerFor({ conversationsServiceSid: unknown })
      .start()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceNotFoundError);
    expect(error).toMatchObject({
      code: "service_not_found",
      twilioCode: 20404,
      serviceSid: unknown,
    });
    expect((error as Error).message).toMatch(
      /Service not found: .*TWILIO_CONVERSATIONS_SERVICE_SID/,
    );
  });

  it("validates options in the constructor", () => {
    expect(() => providerFor({ conversationsServiceSid: "MG123" })).toThrow(ConfigError);
    expect(() => providerFor({ streamBufferSize: 0 })).toThrow(InvalidInputError);
  });
});

describe("conversations", () => {
  it("creates one in the configured service, with attributes, unique name and timers", async () => {
    const conversation = await provider.createConversation({
      friendlyName: "Customer Support",
      uniqueName: "ticket-42",
      attributes: { ticket: 42 },
      timers: { inactive: "PT1H", closed: "P1D" },
    });
    expect(conversation).toMatchObject({
      friendlyName: "Customer Support",
      uniqueName: "ticket-42",
      attributes: { ticket: 42 },
      state: "active",
      serviceSid: emulator.serviceSid,
    });
    expect(conversation.id).toMatch(/^CH[0-9a-f]{32}$/);
    expect(conversation.timers.dateInactive).toBeInstanceOf(Date);
    // Scoped to the service: the SDK's service path found it, and so does a direct read.
    const direct = await emulator
      .twilioClient()
      .conversations.v1.services(emulator.serviceSid)
      .conversations(conversation.id)
      .fetch();
    expect(direct.friendlyName).toBe("Customer Support");
  });

  it("gets by SID and by unique name, and says NotFoundError for neither", async () => {
    const created = await provider.createConversation({ uniqueName: "by-name" });
    expect((await provider.getConversation(created.id)).id).toBe(created.id);
    expect((await provider.getConversation("by-name")).id).toBe(created.id);
    await expect(provider.getConversation(`CH${"0".repeat(32)}`)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("refuses a duplicate unique name with UniqueNameTakenError", async () => {
    await provider.createConversation({ uniqueName: "taken" });
    const error = await provider
      .createConversation({ uniqueName: "taken" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UniqueNameTakenError);
    expect(error).toMatchObject({ uniqueName: "taken", twilioCode: 50353 });
  });

  it("lists every conversation across pages, filtered by state", async () => {
    const created = [];
    for (let index = 0; index < 5; index += 1)
      created.push(await provider.createConversation({ friendlyName: `c${index}` }));
    await provider.deactivateConversation(created[0]!.id);

    const all = await collect(provider.listConversations({ pageSize: 2 }));
    expect(all.map((conversation) => conversation.id).sort()).toEqual(
      created.map((c) => c.id).sort(),
    );
    const inactive = await collect(provider.listConversations({ state: "inactive", pageSize: 2 }));
    expect(inactive.map((conversation) => conversation.id)).toEqual([created[0]!.id]);
  });

  it("lists only conversations created since a day when given startDate", async () => {
    const old = await provider.createConversation({ friendlyName: "old" });
    emulator.clock.advance(3 * 24 * 3600_000);
    const recent = await provider.createConversation({ friendlyName: "recent" });
    const since = new Date(emulator.clock.now());
    const listed = await collect(provider.listConversations({ startDate: since }));
    const ids = listed.map((conversation) => conversation.id);
    expect(ids).toContain(recent.id);
    expect(ids).not.toContain(old.id);
  });

  it("updates, moves through the lifecycle, and treats closed as final", async () => {
    const conversation = await provider.createConversation({ friendlyName: "Before" });
    const renamed = await provider.updateConversation(conversation.id, {
      friendlyName: "After",
      attributes: { priority: "high" },
    });
    expect(renamed).toMatchObject({ friendlyName: "After", attributes: { priority: "high" } });
    expect((await provider.deactivateConversation(conversation.id)).state).toBe("inactive");
    expect((await provider.activateConversation(conversation.id)).state).toBe("active");
    expect((await provider.closeConversation(conversation.id)).state).toBe("closed");

    const error = await provider
      .activateConversation(conversation.id)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConversationClosedError);
    expect(error).toMatchObject({ code: "conversation_closed", twilioCode: 50377 });
    expect((error as Error).message).toMatch(/closed is final/);
  });

  it("deletes", async () => {
    const conversation = await provider.createConversation({});
    await provider.deleteConversation(conversation.id);
    await expect(provider.getConversation(conversation.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("rejects malformed ids and attributes before calling Twilio", async () => {
    await expect(provider.getConversation("a/b")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(provider.getConversation("")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      provider.createConversation({ attributes: [1, 2] as unknown as Record<string, unknown> }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("participants", () => {
  it("adds SMS, WhatsApp and chat participants, each with its channel", async () => {
    const conversation = await provider.createConversation({});
    const sms = await provider.addParticipant(conversation.id, {
      sms: "+1 (555) 123-0001",
      proxyAddress: business,
    });
    const whatsapp = await provider.addParticipant(conversation.id, {
      whatsapp: "+15551230002",
      proxyAddress: "+15559870001",
    });
    const chat = await provider.addParticipant(conversation.id, {
      chat: "alice@example.com",
      attributes: { role: "customer" },
    });

    expect(sms).toMatchObject({
      channel: "sms",
      address: customer,
      proxyAddress: business,
      identity: null,
    });
    expect(whatsapp).toMatchObject({
      channel: "whatsapp",
      address: "whatsapp:+15551230002",
      proxyAddress: "whatsapp:+15559870001",
    });
    expect(chat).toMatchObject({ channel: "chat", identity: "alice@example.com", address: null });
    expect(chat.attributes).toEqual({ role: "customer" });

    const listed = await provider.listParticipants(conversation.id);
    expect(listed.map((participant) => participant.channel).sort()).toEqual([
      "chat",
      "sms",
      "whatsapp",
    ]);

    await provider.removeParticipant(conversation.id, sms.id);
    expect((await provider.listParticipants(conversation.id)).map((p) => p.id)).not.toContain(
      sms.id,
    );
  });

  it("checks E.164 and refuses whatsapp: on an SMS participant", async () => {
    const conversation = await provider.createConversation({});
    await expect(
      provider.addParticipant(conversation.id, { sms: "555-1234" }),
    ).rejects.toBeInstanceOf(InvalidAddressError);
    await expect(
      provider.addParticipant(conversation.id, {
        sms: "whatsapp:+15551230001",
        proxyAddress: business,
      }),
    ).rejects.toBeInstanceOf(InvalidAddressError);
    await expect(
      provider.addParticipant(conversation.id, { sms: customer, whatsapp: customer } as never),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(provider.addParticipant(conversation.id, { chat: "" })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(await provider.listParticipants(conversation.id)).toEqual([]);
  });

  it("names the conversation holding the pair on 50416", async () => {
    const holder = await provider.createConversation({ friendlyName: "holder" });
    await provider.addParticipant(holder.id, { sms: customer, proxyAddress: business });
    const other = await provider.createConversation({ friendlyName: "other" });

    const error = await provider
      .addParticipant(other.id, { sms: customer, proxyAddress: business })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AddressInUseError);
    expect(error).toMatchObject({
      code: "address_in_use",
      twilioCode: 50416,
      address: customer,
      proxyAddress: business,
      conversationSid: holder.id,
    });
    expect((error as Error).message).toContain(holder.id);
    // Full numbers stay out of messages that end up in logs.
    expect((error as Error).message).not.toContain(customer);

    // Closing the holder frees the pair.
    await provider.closeConversation(holder.id);
    await expect(
      provider.addParticipant(other.id, { sms: customer, proxyAddress: business }),
    ).resolves.toMatchObject({ channel: "sms" });
  });

  it("says IdentityInUseError on 50433", async () => {
    const conversation = await provider.createConversation({});
    await provider.addParticipant(conversation.id, { chat: "bob" });
    const error = await provider
      .addParticipant(conversation.id, { chat: "bob" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityInUseError);
    expect(error).toMatchObject({ identity: "bob", twilioCode: 50433 });
  });
});

describe("messages", () => {
  it("sends text with from as Author and to kept in attributes", async () => {
    const conversation = await provider.createConversation({});
    const sent = await provider.sendMessage(conversation.id, {
      content: "Hello",
      from: "system",
      to: "customer",
      attributes: { replyId: "r-1" },
    });
    expect(sent).toMatchObject({
      conversationId: conversation.id,
      content: "Hello",
      from: "system",
      to: "customer",
      attributes: { replyId: "r-1", to: "customer" },
      channel: "chat",
      media: [],
    });
    expect(sent.id).toMatch(/^IM[0-9a-f]{32}$/);
  });

  it("labels an agent's reply into an SMS conversation sms, from its participants", async () => {
    const conversation = await provider.createConversation({});
    await provider.addParticipant(conversation.id, { sms: customer, proxyAddress: business });
    const sent = await provider.sendMessage(conversation.id, { content: "On it", from: "agent" });
    expect(sent).toMatchObject({ from: "agent", channel: "sms" });
    // A fresh provider (nothing cached) reads the same label back from history.
    const history = await collect(providerFor().listMessages(conversation.id));
    expect(history.map((message) => [message.from, message.channel])).toEqual([["agent", "sms"]]);
  });

  it("uploads media to the media service, then sends it by MediaSid", async () => {
    const conversation = await provider.createConversation({});
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    const sent = await provider.sendMessage(conversation.id, {
      content: "Here is the receipt",
      media: { content: png, contentType: "image/png", filename: "receipt.png" },
    });
    expect(sent.media).toHaveLength(1);
    expect(sent.media[0]).toMatchObject({
      contentType: "image/png",
      filename: "receipt.png",
      size: png.length,
    });
    const stored = emulator.media.get(sent.media[0]!.sid);
    expect(stored?.bytes.equals(png)).toBe(true);
    expect(stored?.service_sid).toBe(emulator.serviceSid);

    // A media-only message has no body.
    const mediaOnly = await provider.sendMessage(conversation.id, {
      media: { sid: sent.media[0]!.sid },
    });
    expect(mediaOnly.content).toBeNull();
  });

  it("sends a template as ContentSid with variables", async () => {
    const conversation = await provider.createConversation({});
    const template = emulator.content.create(emulator.accountSid, {
      friendly_name: "order_ready",
      language: "en",
      variables: { "1": "customer" },
      types: { "twilio/text": { body: "Hi {{1}}, your order is ready." } },
    });
    const sent = await provider.sendMessage(conversation.id, {
      template: { contentSid: template.sid, variables: { "1": "Ada" } },
    });
    expect(sent.contentSid).toBe(template.sid);
  });

  it("refuses an empty message and a malformed template or media before calling Twilio", async () => {
    const conversation = await provider.createConversation({});
    await expect(provider.sendMessage(conversation.id, {})).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(provider.sendMessage(conversation.id, { content: "" })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(
      provider.sendMessage(conversation.id, { template: { contentSid: "HX1" } }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      provider.sendMessage(conversation.id, {
        media: { content: new Uint8Array(), contentType: "image/png" },
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      provider.sendMessage(conversation.id, { media: { sid: "ME1" } }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(await collect(provider.listMessages(conversation.id))).toEqual([]);
  });

  it("passes Twilio's verdict on oversized input through as typed errors", async () => {
    const conversation = await provider.createConversation({});
    await provider.addParticipant(conversation.id, { sms: customer, proxyAddress: business });
    const tooLong = await provider
      .sendMessage(conversation.id, { content: "x".repeat(1601) })
      .catch((caught: unknown) => caught);
    expect(tooLong).toMatchObject({ code: "body_too_long", twilioCode: 21617, status: 400 });
    const hugeAttributes = await provider
      .sendMessage(conversation.id, { content: "hi", attributes: { blob: "y".repeat(5000) } })
      .catch((caught: unknown) => caught);
    expect(hugeAttributes).toMatchObject({
      code: "twilio_api_error",
      status: 400,
      isRetryable: false,
    });
    expect(await collect(provider.listMessages(conversation.id))).toEqual([]);
  });

  it("lists history in both orders across pages, with a limit", async () => {
    const conversation = await provider.createConversation({});
    for (let index = 0; index < 5; index += 1)
      await provider.sendMessage(conversation.id, { content: `m${index}` });

    const ascending = await collect(provider.listMessages(conversation.id, { pageSize: 2 }));
    expect(ascending.map((message: TwilioMessage) => message.content)).toEqual([
      "m0",
      "m1",
      "m2",
      "m3",
      "m4",
    ]);
    const descending = await collect(
      provider.listMessages(conversation.id, { order: "desc", pageSize: 2 }),
    );
    expect(descending.map((message) => message.content)).toEqual(["m4", "m3", "m2", "m1", "m0"]);
    const latestTwo = await collect(
      provider.listMessages(conversation.id, { order: "desc", limit: 2 }),
    );
    expect(latestTwo.map((message) => message.content)).toEqual(["m4", "m3"]);
  });

  it("sends only X-Twilio-Webhook-Enabled when asked, so the bot's own sends don't loop back", async () => {
    const headers: (string | undefined)[] = [];
    const remove = emulator.addPreHook((request) => {
      if (request.method === "POST" && request.path.endsWith("/Messages"))
        headers.push(request.headers["x-twilio-webhook-enabled"] as string | undefined);
      return undefined;
    });
    try {
      const conversation = await provider.createConversation({});
      await provider.sendMessage(conversation.id, { content: "quiet" });
      await providerFor({ webhookEnabled: true }).sendMessage(conversation.id, { content: "loud" });
      expect(headers).toEqual([undefined, "true"]);
    } finally {
      remove();
    }
  });

  it("keeps every write under /v1/Services/{IS}/", async () => {
    const paths: string[] = [];
    const remove = emulator.addPreHook((request) => {
      if (request.method !== "GET") paths.push(request.path);
      return undefined;
    });
    try {
      const conversation = await provider.createConversation({});
      await provider.addParticipant(conversation.id, { chat: "carol" });
      await provider.sendMessage(conversation.id, {
        content: "hi",
        media: { content: Buffer.from("hello"), contentType: "text/plain" },
      });
      await provider.closeConversation(conversation.id);
      expect(paths.length).toBe(5);
      for (const path of paths)
        expect(path.startsWith(`/v1/Services/${emulator.serviceSid}/`)).toBe(true);
    } finally {
      remove();
    }
  });
});

describe("stop()", () => {
  it("waits for in-flight sends, then refuses new calls", async () => {
    const conversation = await provider.createConversation({});
    const sending = provider.sendMessage(conversation.id, { content: "last words" });
    await provider.stop();
    // The send finished before stop() resolved.
    await expect(sending).resolves.toMatchObject({ content: "last words" });
    await expect(
      provider.sendMessage(conversation.id, { content: "too late" }),
    ).rejects.toBeInstanceOf(ProviderStoppedError);
    await expect(provider.getConversation(conversation.id)).rejects.toBeInstanceOf(
      ProviderStoppedError,
    );
  });
});
