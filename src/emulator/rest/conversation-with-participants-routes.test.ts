import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";

/** ConversationWithParticipants failures answer Twilio's own codes: 50425 and 50427. */
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function setup() {
  emulator = await startEmulator();
  return emulator.twilioClient().conversations.v1;
}

const smsParticipant = (address: string) =>
  JSON.stringify({ messaging_binding: { address, proxy_address: "+15550007001" } });

async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )) as { status?: number; code?: number; message?: string } | undefined;
  expect(error).toBeDefined();
  return error!;
}

describe("POST /ConversationWithParticipants", () => {
  it("answers 50425 for a pair held by an open conversation and creates nothing", async () => {
    const conversations = await setup();
    const holder = await conversations.conversations.create({});
    await conversations.conversations(holder.sid).participants.create({
      "messagingBinding.address": "+15551237001",
      "messagingBinding.proxyAddress": "+15550007001",
    });
    const error = await failure(
      conversations.conversationWithParticipants.create({
        friendlyName: "clash",
        participant: [JSON.stringify({ identity: "agent" }), smsParticipant("+15551237001")],
      }),
    );
    expect(error).toMatchObject({ status: 409, code: 50425 });
    expect(error.message).toContain(holder.sid);
    const all = await conversations.conversations.list();
    expect(all.map((conversation) => conversation.sid)).toEqual([holder.sid]);
  });

  it("answers 50425 for a pair given twice in one request", async () => {
    const conversations = await setup();
    const error = await failure(
      conversations.conversationWithParticipants.create({
        participant: [smsParticipant("+15551237002"), smsParticipant("+15551237002")],
      }),
    );
    expect(error).toMatchObject({ status: 409, code: 50425 });
    expect(await conversations.conversations.list()).toHaveLength(0);
  });

  it("answers 50427 naming the inner error and leaves the conversation closed", async () => {
    const conversations = await setup();
    const error = await failure(
      conversations.conversationWithParticipants.create({
        friendlyName: "half made",
        participant: [JSON.stringify({ identity: "twin" }), JSON.stringify({ identity: "twin" })],
      }),
    );
    expect(error).toMatchObject({ status: 400, code: 50427 });
    expect(error.message).toContain("50433");
    const all = await conversations.conversations.list();
    expect(all.map((conversation) => [conversation.friendlyName, conversation.state])).toEqual([
      ["half made", "closed"],
    ]);
  });

  it("creates the conversation with every participant when nothing fails", async () => {
    const conversations = await setup();
    const created = await conversations.conversationWithParticipants.create({
      participant: [JSON.stringify({ identity: "agent" }), smsParticipant("+15551237003")],
    });
    expect(created.state).toBe("active");
    const participants = await conversations.conversations(created.sid).participants.list();
    expect(participants).toHaveLength(2);
  });
});
