import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";
import { findConversationByAddressPair } from "./participant-actions.js";

/**
 * Issue 13 item 6: the inbound SMS/WhatsApp path finds a conversation by its
 * Address+ProxyAddress pair through an index. These tests show the index gives the same
 * answers a scan would as participants are removed and conversations close or go away
 * (not a timing test). Driven over real HTTP with the official SDK.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup() {
  const emulator = await startEmulator();
  closers.push(() => emulator.close());
  return { emulator, client: emulator.twilioClient() };
}

/** What the old implementation did: scan every conversation. The index must agree. */
function scan(emulator: Emulator, address: string, proxyAddress: string) {
  for (const conversation of emulator.store.allConversations()) {
    if (conversation.state === "closed") continue;
    for (const participant of conversation.participants.values()) {
      const binding = participant.messagingBinding;
      if (binding?.address === address && binding.proxy_address === proxyAddress)
        return conversation.sid;
    }
  }
  return undefined;
}

const indexed = (emulator: Emulator, address: string, proxyAddress: string) =>
  findConversationByAddressPair(emulator.store, address, proxyAddress)?.sid;

describe("the Address+ProxyAddress index", () => {
  it("routes many customers to their own conversations, as a scan would", async () => {
    const { emulator } = await setup();
    const sids = new Map<string, string>();
    for (let index = 0; index < 200; index += 1) {
      const address = `+1555300${String(index).padStart(4, "0")}`;
      const { conversationSid } = await emulator
        .customer({
          channel: index % 2 ? "sms" : "whatsapp",
          address: index % 2 ? address : `whatsapp:${address}`,
        })
        .send("hi");
      sids.set(index % 2 ? address : `whatsapp:${address}`, conversationSid);
    }
    for (const [address, sid] of sids) {
      const proxy = address.startsWith("whatsapp:")
        ? emulator.numbers.whatsapp
        : emulator.numbers.sms;
      expect(indexed(emulator, address, proxy)).toBe(sid);
      expect(scan(emulator, address, proxy)).toBe(sid);
      // Writing again lands in the same conversation.
      const again = await emulator
        .customer({ channel: address.startsWith("whatsapp:") ? "whatsapp" : "sms", address })
        .send("again");
      expect(again.conversationSid).toBe(sid);
    }
    expect(emulator.store.addressPairs.size).toBe(200);
  });

  it("frees a pair when its participant is removed, its conversation closes or is deleted", async () => {
    const { emulator, client } = await setup();
    const sms = emulator.numbers.sms;
    const conversations = client.conversations.v1.conversations;
    const send = (address: string) => emulator.customer({ channel: "sms", address }).send("hello");

    // Participant removed: the next message auto-creates a new conversation.
    const first = await send("+15553100001");
    const participants = await conversations(first.conversationSid).participants.list();
    await conversations(first.conversationSid).participants(participants[0]!.sid).remove();
    expect(indexed(emulator, "+15553100001", sms)).toBeUndefined();
    const afterRemove = await send("+15553100001");
    expect(afterRemove.conversationSid).not.toBe(first.conversationSid);

    // Conversation closed: the pair is free again.
    const second = await send("+15553100002");
    await conversations(second.conversationSid).update({ state: "closed" });
    expect(indexed(emulator, "+15553100002", sms)).toBeUndefined();
    const afterClose = await send("+15553100002");
    expect(afterClose.conversationSid).not.toBe(second.conversationSid);

    // Conversation deleted.
    const third = await send("+15553100003");
    await conversations(third.conversationSid).remove();
    expect(indexed(emulator, "+15553100003", sms)).toBeUndefined();
    expect((await send("+15553100003")).conversationSid).not.toBe(third.conversationSid);

    // Closed by its timer.
    const fourth = await send("+15553100004");
    await conversations(fourth.conversationSid).update({ "timers.closed": "PT10M" });
    emulator.clock.advance(10 * 60 * 1000 + 1);
    expect(indexed(emulator, "+15553100004", sms)).toBeUndefined();

    // A pair added over REST to a conversation is found, and a re-proxied participant moves.
    const ops = await conversations.create({ friendlyName: "ops" });
    const added = await conversations(ops.sid).participants.create({
      "messagingBinding.address": "+15553100005",
      "messagingBinding.proxyAddress": "+15550009999",
    });
    expect(indexed(emulator, "+15553100005", "+15550009999")).toBe(ops.sid);
    await conversations(ops.sid)
      .participants(added.sid)
      .update({ "messagingBinding.proxyAddress": sms });
    expect(indexed(emulator, "+15553100005", "+15550009999")).toBeUndefined();
    expect(indexed(emulator, "+15553100005", sms)).toBe(ops.sid);

    for (const address of [
      "+15553100001",
      "+15553100002",
      "+15553100003",
      "+15553100004",
      "+15553100005",
    ])
      expect(indexed(emulator, address, sms)).toBe(scan(emulator, address, sms));
  });

  it("drops a stale entry when a service is deleted with its conversations, and rebuilds from records", async () => {
    const { emulator, client } = await setup();
    const service = await client.conversations.v1.services.create({ friendlyName: "temporary" });
    const conversation = await client.conversations.v1
      .services(service.sid)
      .conversations.create({});
    await client.conversations.v1
      .services(service.sid)
      .conversations(conversation.sid)
      .participants.create({
        "messagingBinding.address": "+15553100006",
        "messagingBinding.proxyAddress": emulator.numbers.sms,
      });
    expect(indexed(emulator, "+15553100006", emulator.numbers.sms)).toBe(conversation.sid);
    await client.conversations.v1.services(service.sid).remove();
    expect(indexed(emulator, "+15553100006", emulator.numbers.sms)).toBeUndefined();

    const kept = await emulator.customer({ channel: "sms", address: "+15553100007" }).send("hi");
    emulator.store.addressPairs.clear();
    expect(indexed(emulator, "+15553100007", emulator.numbers.sms)).toBeUndefined();
    emulator.store.addressPairs.rebuild(emulator.store.services);
    expect(indexed(emulator, "+15553100007", emulator.numbers.sms)).toBe(kept.conversationSid);
  });
});
