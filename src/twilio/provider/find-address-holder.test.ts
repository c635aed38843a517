import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, EmulatorRequestClient, startEmulator } from "../../emulator/index.js";
import { AddressInUseError } from "../errors.js";
import { type FaultProxy, startFaultProxy } from "./test-support/fault-proxy.js";
import { TwilioProvider } from "./twilio-provider.js";

// Twilio's 50416 message usually names the conversation; when it does not, the provider
// asks ParticipantConversations and, where that is missing, scans.
let emulator: Emulator;
let proxy: FaultProxy;
const lookups: string[] = [];
let participantConversationsMissing = false;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  proxy = await startFaultProxy(emulator.url, (request) => {
    const path = request.path.split("?")[0] ?? "";
    if (request.method === "GET") lookups.push(path);
    if (participantConversationsMissing && path.endsWith("/ParticipantConversations"))
      return { kind: "status", status: 404, code: 20404 };
    return request.method === "POST" && request.path.endsWith("/Participants")
      ? { kind: "rewrite", body: (body) => body.replace(/ in Conversation CH[0-9a-f]{32}/, "") }
      : { kind: "forward" };
  });
});

beforeEach(() => {
  emulator.reset();
  lookups.length = 0;
  participantConversationsMissing = false;
});

afterAll(async () => {
  await proxy.close();
  await emulator.close();
});

async function clash() {
  const provider = new TwilioProvider({
    accountSid: emulator.accountSid,
    authToken: emulator.authToken,
    conversationsServiceSid: emulator.serviceSid,
    httpClient: new EmulatorRequestClient(proxy.url),
  });
  await provider.createConversation({ friendlyName: "decoy" });
  const holder = await provider.createConversation({ friendlyName: "holder" });
  await provider.addParticipant(holder.id, { sms: "+15551230002", proxyAddress: "+15559870000" });
  const other = await provider.createConversation({ friendlyName: "other" });
  const error = await provider
    .addParticipant(other.id, { sms: "+15551230002", proxyAddress: "+15559870000" })
    .catch((caught: unknown) => caught);
  return { holder, error };
}

describe("AddressInUseError without the conversation in Twilio's message", () => {
  it("asks ParticipantConversations and scans nothing", async () => {
    const { holder, error } = await clash();
    expect(error).toMatchObject({ conversationSid: holder.id });
    expect(lookups.filter((path) => path.endsWith("/ParticipantConversations"))).toHaveLength(1);
    expect(lookups.filter((path) => path.endsWith("/Conversations"))).toEqual([]);
  });

  it("falls back to scanning conversations where ParticipantConversations is missing", async () => {
    participantConversationsMissing = true;
    const { holder, error } = await clash();
    expect(error).toMatchObject({ conversationSid: holder.id });
    expect(lookups.some((path) => path.endsWith("/Conversations"))).toBe(true);
  });

  it("finds the conversation holding the pair by looking it up", async () => {
    const provider = new TwilioProvider({
      accountSid: emulator.accountSid,
      authToken: emulator.authToken,
      conversationsServiceSid: emulator.serviceSid,
      httpClient: new EmulatorRequestClient(proxy.url),
    });
    await provider.createConversation({ friendlyName: "decoy" });
    const holder = await provider.createConversation({ friendlyName: "holder" });
    await provider.addParticipant(holder.id, {
      whatsapp: "+15551230001",
      proxyAddress: "+15559870000",
    });
    const other = await provider.createConversation({ friendlyName: "other" });

    const error = await provider
      .addParticipant(other.id, {
        whatsapp: "+15551230001",
        proxyAddress: "+15559870000",
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AddressInUseError);
    expect((error as AddressInUseError).cause).toBeInstanceOf(AddressInUseError);
    // The rewritten message really lacked the SID, so it was found by lookup.
    expect(((error as AddressInUseError).cause as Error).message).not.toMatch(/CH[0-9a-f]{32}/);
    expect(error).toMatchObject({
      conversationSid: holder.id,
      address: "whatsapp:+15551230001",
      proxyAddress: "whatsapp:+15559870000",
    });
    expect(lookups.some((path) => path.endsWith("/ParticipantConversations"))).toBe(true);
  });
});
