import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  conversationEventParams,
  conversationStateUpdatedParams,
  deliveryUpdatedParams,
  type EventContext,
  eventStreamsMediaKeys,
  flattenParams,
  messageEventParams,
  participantEventParams,
  userEventParams,
  type WebhookParams,
  webhookDate,
} from "./event-params.js";
import type {
  ConversationRecord,
  DeliveryReceiptRecord,
  MessageRecord,
  ParticipantRecord,
  UserRecord,
} from "./rest-records.js";
import { startWebhookReceiver, type WebhookReceiver } from "./start-webhook-receiver.js";
import { createWebhookDispatcher } from "./webhook-dispatcher.js";

const sms: EventContext = {
  accountSid: "AC00000000000000000000000000000000",
  chatServiceSid: "IS00000000000000000000000000000000",
  source: "SMS",
  messagingServiceSid: "MG00000000000000000000000000000000",
};

const message: MessageRecord = {
  sid: "IM00000000000000000000000000000002",
  account_sid: sms.accountSid,
  conversation_sid: "CH00000000000000000000000000000001",
  index: 4,
  author: "+447700900123",
  body: "This is the actual message content",
  media: null,
  attributes: "{}",
  participant_sid: "MB00000000000000000000000000000005",
  date_created: "2022-05-18T13:42:17.312Z",
  date_updated: null,
};

const conversation: ConversationRecord = {
  sid: "CH00000000000000000000000000000001",
  account_sid: sms.accountSid,
  chat_service_sid: sms.chatServiceSid,
  messaging_service_sid: "MG00000000000000000000000000000000",
  friendly_name: "Support",
  unique_name: null,
  attributes: '{"topic":"billing"}',
  state: "active",
  date_created: "2026-01-02T03:04:05Z",
  date_updated: "2026-01-02T03:04:06Z",
};

const smsParticipant: ParticipantRecord = {
  sid: "MB00000000000000000000000000000005",
  account_sid: sms.accountSid,
  conversation_sid: conversation.sid,
  identity: null,
  attributes: "{}",
  messaging_binding: { type: "sms", address: "+15558675310", proxy_address: "+15017122661" },
  role_sid: "RL00000000000000000000000000000006",
  date_created: "2026-01-02T03:04:05Z",
  date_updated: "2026-01-02T03:04:05Z",
  last_read_message_index: null,
  last_read_timestamp: null,
};

const receipt: DeliveryReceiptRecord = {
  sid: "DY00000000000000000000000000000007",
  account_sid: sms.accountSid,
  conversation_sid: conversation.sid,
  message_sid: message.sid,
  channel_message_sid: "SM00000000000000000000000000000008",
  participant_sid: smsParticipant.sid,
  status: "failed",
  error_code: 30003,
  date_created: "2026-01-02T03:04:05Z",
  date_updated: "2026-01-02T03:04:09.5Z",
};

const user: UserRecord = {
  sid: "US00000000000000000000000000000009",
  account_sid: sms.accountSid,
  chat_service_sid: sms.chatServiceSid,
  role_sid: null,
  identity: "agent@example.com",
  friendly_name: null,
  attributes: "{}",
  is_online: true,
  is_notifiable: null,
  date_created: "2026-01-02T03:04:05Z",
  date_updated: "2026-01-03T00:00:00Z",
};

describe("event parameters", () => {
  it("builds onMessageAdded like the real capture", () => {
    expect(messageEventParams("onMessageAdded", message, sms)).toEqual({
      MessagingServiceSid: "MG00000000000000000000000000000000",
      EventType: "onMessageAdded",
      Attributes: "{}",
      DateCreated: "2022-05-18T13:42:17.312Z",
      Index: "4",
      MessageSid: message.sid,
      AccountSid: sms.accountSid,
      Source: "SMS",
      RetryCount: "0",
      Author: "+447700900123",
      ParticipantSid: message.participant_sid,
      Body: "This is the actual message content",
      ConversationSid: message.conversation_sid,
      ChatServiceSid: sms.chatServiceSid,
    });
  });

  it("leaves Body out of a media-only message and encodes Media as a JSON string", () => {
    const mediaOnly: MessageRecord = {
      ...message,
      body: null,
      participant_sid: null,
      author: "system",
      media: [
        {
          sid: "ME00000000000000000000000000000001",
          size: 42056,
          content_type: "image/jpeg",
          filename: "car.jpg",
        },
      ],
    };
    const params = messageEventParams("onMessageAdded", mediaOnly, sms);
    expect(params).not.toHaveProperty("Body");
    expect(params).not.toHaveProperty("ParticipantSid");
    expect(JSON.parse(params.Media!)).toEqual([
      {
        Sid: "ME00000000000000000000000000000001",
        Size: 42056,
        ContentType: "image/jpeg",
        Filename: "car.jpg",
      },
    ]);
    const streams = messageEventParams("onMessageAdded", mediaOnly, sms, {
      mediaKeys: eventStreamsMediaKeys,
    });
    expect(JSON.parse(streams.Media!)[0]).toHaveProperty("MediaSid");
  });

  it("omits what a pre-event cannot know yet", () => {
    const add = messageEventParams("onMessageAdd", message, {
      ...sms,
      source: "SDK",
      clientIdentity: "alice",
    });
    expect(add).not.toHaveProperty("MessageSid");
    expect(add).not.toHaveProperty("Index");
    expect(add.ClientIdentity).toBe("alice");
    expect(
      messageEventParams("onMessageAdded", message, { ...sms, clientIdentity: "alice" }),
    ).not.toHaveProperty("ClientIdentity");
    expect(conversationEventParams("onConversationAdd", conversation, sms)).not.toHaveProperty(
      "ConversationSid",
    );
    expect(participantEventParams("onParticipantAdd", smsParticipant, sms)).not.toHaveProperty(
      "ParticipantSid",
    );
  });

  it("adds DateUpdated to updates once a message was edited", () => {
    const edited = { ...message, date_updated: "2022-05-18T13:50:00Z" };
    expect(messageEventParams("onMessageUpdated", edited, sms).DateUpdated).toBe(
      "2022-05-18T13:50:00.000Z",
    );
    expect(messageEventParams("onMessageUpdated", message, sms)).not.toHaveProperty("DateUpdated");
  });

  it("flattens a participant's messaging binding", () => {
    const params = participantEventParams("onParticipantAdded", smsParticipant, {
      ...sms,
      source: "API",
    });
    expect(params).toMatchObject({
      ParticipantSid: smsParticipant.sid,
      "MessagingBinding.Type": "sms",
      "MessagingBinding.Address": "+15558675310",
      "MessagingBinding.ProxyAddress": "+15017122661",
      RoleSid: smsParticipant.role_sid,
      Source: "API",
    });
    expect(params).not.toHaveProperty("Identity");
    expect(
      flattenParams("MessagingBinding", {
        projected_address: "+1501",
        level: null,
        nested: { deep_key: 1 },
      }),
    ).toEqual({
      "MessagingBinding.ProjectedAddress": "+1501",
      "MessagingBinding.Nested.DeepKey": "1",
    });
  });

  it("sends auto-creation bindings on onConversationAdd", () => {
    const params = conversationEventParams("onConversationAdd", conversation, sms, {
      address: "+15558675310",
      proxy_address: "+15017122661",
    });
    expect(params["MessagingBinding.Address"]).toBe("+15558675310");
    expect(params.FriendlyName).toBe("Support");
    expect(params).not.toHaveProperty("UniqueName");
  });

  it("builds state, delivery and user events", () => {
    expect(
      conversationStateUpdatedParams(
        conversation,
        { from: "active", to: "inactive", reason: "TIMER", at: Date.UTC(2026, 0, 2, 3, 5) },
        sms,
      ),
    ).toMatchObject({
      StateFrom: "active",
      StateTo: "inactive",
      Reason: "TIMER",
      StateUpdated: "2026-01-02T03:05:00.000Z",
    });
    expect(deliveryUpdatedParams(receipt, sms)).toMatchObject({
      DeliveryReceiptSid: receipt.sid,
      ChannelMessageSid: receipt.channel_message_sid,
      Status: "failed",
      ErrorCode: "30003",
      DateUpdated: "2026-01-02T03:04:09.500Z",
    });
    const updated = userEventParams("onUserUpdated", user, { ...sms, messagingServiceSid: null });
    expect(updated).toMatchObject({ UserSid: user.sid, IsOnline: "true", Identity: user.identity });
    expect(updated).not.toHaveProperty("IsNotifiable");
    expect(updated).not.toHaveProperty("MessagingServiceSid");
  });

  it("keeps the milliseconds of epoch dates, which REST strings have lost", () => {
    const stored = { ...message, date_created: Date.UTC(2026, 0, 1, 12, 0, 0, 789) };
    expect(messageEventParams("onMessageAdded", stored, sms).DateCreated).toBe(
      "2026-01-01T12:00:00.789Z",
    );
    expect(
      messageEventParams(
        "onMessageAdded",
        { ...message, date_created: "2026-01-01T12:00:00Z" },
        sms,
      ).DateCreated,
    ).toBe("2026-01-01T12:00:00.000Z");
  });

  it("refuses a date that is not one", () => {
    expect(() => webhookDate("yesterday")).toThrow(RangeError);
    expect(() =>
      messageEventParams("onMessageAdded", { ...message, date_created: "" }, sms),
    ).toThrow(RangeError);
  });
});

describe("every event type, delivered over HTTP", () => {
  const authToken = "event-params-token";
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  const chat: ParticipantRecord = { ...smsParticipant, identity: "alice", messaging_binding: null };
  const api: EventContext = { ...sms, source: "API" };
  const events: Array<[string, WebhookParams]> = [
    ...(
      [
        "onMessageAdd",
        "onMessageAdded",
        "onMessageUpdate",
        "onMessageUpdated",
        "onMessageRemove",
        "onMessageRemoved",
      ] as const
    ).map((type): [string, WebhookParams] => [
      type,
      messageEventParams(type, { ...message, body: "Quote ' & = + ?" }, api),
    ]),
    ...(
      [
        "onConversationAdd",
        "onConversationAdded",
        "onConversationUpdate",
        "onConversationUpdated",
        "onConversationRemove",
        "onConversationRemoved",
      ] as const
    ).map((type): [string, WebhookParams] => [
      type,
      conversationEventParams(type, conversation, api),
    ]),
    ...(
      [
        "onParticipantAdd",
        "onParticipantAdded",
        "onParticipantUpdate",
        "onParticipantUpdated",
        "onParticipantRemove",
        "onParticipantRemoved",
      ] as const
    ).flatMap(
      (type): Array<[string, WebhookParams]> => [
        [type, participantEventParams(type, smsParticipant, api)],
        [
          type,
          participantEventParams(type, chat, { ...sms, source: "SDK", clientIdentity: "alice" }),
        ],
      ],
    ),
    [
      "onConversationStateUpdated",
      conversationStateUpdatedParams(
        conversation,
        { from: "inactive", to: "closed", reason: "API", at: 0 },
        api,
      ),
    ],
    ["onDeliveryUpdated", deliveryUpdatedParams(receipt, api)],
    ...(["onUserAdded", "onUserUpdate", "onUserUpdated"] as const).map(
      (type): [string, WebhookParams] => [type, userEventParams(type, user, api)],
    ),
  ];

  it.each(["POST", "GET"] as const)(
    "signs every event so the official validator accepts it (%s)",
    async (method) => {
      const dispatcher = createWebhookDispatcher({ authToken, retries: 0 });
      receiver.received.length = 0;
      for (const [type, params] of events) {
        for (const value of Object.values(params)) expect(typeof value).toBe("string");
        expect(params.EventType).toBe(type);
        await dispatcher.deliverPost(
          [{ url: `${receiver.url}/hooks/${type}?x=1`, method, level: "service" }],
          params,
        );
      }
      expect(receiver.received).toHaveLength(events.length);
      for (const [index, request] of receiver.received.entries()) {
        const signature = String(request.headers["x-twilio-signature"]);
        const formParams = method === "GET" ? {} : request.params;
        expect(twilio.validateRequest(authToken, signature, request.url, formParams)).toBe(true);
        const { x: _query, ...received } = request.params;
        expect(received).toEqual(events[index]![1]);
      }
      await dispatcher.close();
    },
  );
});
