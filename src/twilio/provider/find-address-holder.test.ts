import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, EmulatorRequestClient, startEmulator } from "../../emulator/index.js";
import { AddressInUseError } from "../errors.js";
import { type FaultProxy, startFaultProxy } from "./test-support/fault-proxy.js";
import { TwilioProvider } from "./twilio-provider.js";

// Twilio's 50416 message usually names the conversation; when it does not, the provider
// asks ParticipantConversations and, where that is missing (as in the emulator), scans.
let emulator: Emulator;
let proxy: FaultProxy;
const lookups: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  proxy = await startFaultProxy(emulator.url, (request) => {
    if (request.method === "GET") lookups.push(request.path.split("?")[0] ?? "");
    return request.method === "POST" && request.path.endsWith("/Participants")
      ? { kind: "rewrite", body: (body) => body.replace(/ in Conversation CH[0-9a-f]{32}/, "") }
      : { kind: "forward" };
  });
});

afterAll(async () => {
  await proxy.close();
  await emulator.close();
});

describe("AddressInUseError without the conversation in Twilio's message", () => {
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
