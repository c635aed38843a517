import { describe, expect, it } from "vitest";
import { createEmulatorClock } from "../clock.js";
import type {
  ConversationRecord as WebhookConversation,
  MessageRecord as WebhookMessage,
  ParticipantRecord as WebhookParticipant,
} from "../webhooks/rest-records.js";
import { createConversation } from "./conversation-actions.js";
import type { EmulatorEvent } from "./emulator-events.js";
import { EmulatorStore } from "./emulator-store.js";
import { addMessage } from "./message-actions.js";
import { addParticipant } from "./participant-actions.js";
import { eventRestRecords } from "./webhook-records.js";

describe("eventRestRecords", () => {
  it("gives the webhook layer REST-shaped records with millisecond dates", async () => {
    const clock = createEmulatorClock(() => Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const store = new EmulatorStore({
      accountSid: `AC${"1".repeat(32)}`,
      defaultServiceSid: `IS${"2".repeat(32)}`,
      clock,
    });
    const events: EmulatorEvent[] = [];
    store.events = { pre: async () => undefined, post: (event) => void events.push(event) };
    const origin = { source: "SMS" as const, webhookEnabled: true };
    const conversation = await createConversation(store, store.service(undefined), {}, origin);
    await addParticipant(
      store,
      conversation,
      { address: "+15551230001", proxyAddress: "+15017122661" },
      origin,
    );
    await addMessage(store, conversation, { author: "+15551230001", body: "hi" }, origin);
    const added = events.find((event) => event.type === "onMessageAdded")!;
    const records = eventRestRecords(store, added);
    const message: WebhookMessage = records.message!;
    const conversationRecord: WebhookConversation = records.conversation!;
    const participant: WebhookParticipant | undefined = records.participant;
    expect(message).toMatchObject({
      index: 0,
      body: "hi",
      author: "+15551230001",
      date_created: clock.now(),
    });
    expect(conversationRecord.chat_service_sid).toBe(`IS${"2".repeat(32)}`);
    expect(participant?.messaging_binding).toEqual({
      type: "sms",
      address: "+15551230001",
      proxy_address: "+15017122661",
    });
    expect(message.participant_sid).toBe(participant?.sid);
  });
});
