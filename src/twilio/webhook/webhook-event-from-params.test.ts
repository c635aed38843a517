import { describe, expect, it } from "vitest";
import { WebhookParseError } from "../errors.js";
import { handleWebhookRequest } from "./handlers/handle-webhook-request.js";
import { webhookEventFromParams } from "./webhook-event-from-params.js";
import { encodeWebhookForm, fixtureSids, webhookFixture } from "./webhook-fixtures.js";

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookParseError) return error.field;
    throw error;
  }
  return undefined;
}

describe("webhookEventFromParams: strict about identity", () => {
  it.each(["onMessageAdded", "onMessageUpdated", "onMessageRemoved"] as const)(
    "%s requires ConversationSid, MessageSid, Index and Author",
    (eventType) => {
      for (const field of ["ConversationSid", "MessageSid", "Index", "Author"]) {
        expect(
          fieldOf(() => webhookEventFromParams(webhookFixture(eventType, { [field]: undefined }))),
        ).toBe(field);
      }
    },
  );

  it("lets the onMessageAdd pre-event through without an identity, as Twilio sends it", () => {
    const event = webhookEventFromParams(
      webhookFixture("onMessageAdd", { MessageSid: undefined, Index: undefined }),
    );
    expect(event.type).toBe("message.adding");
  });

  it("still refuses a DateCreated that is present but malformed", () => {
    expect(
      fieldOf(() =>
        webhookEventFromParams(webhookFixture("onMessageAdded", { DateCreated: "soon" })),
      ),
    ).toBe("DateCreated");
  });
});

describe("webhookEventFromParams: lenient about the rest", () => {
  const receivedAt = new Date("2026-05-18T13:42:20.000Z");

  it.each([undefined, ""])("turns DateCreated %j into the receive time", (value) => {
    const event = webhookEventFromParams(webhookFixture("onMessageAdded", { DateCreated: value }), {
      receivedAt,
    });
    if (event.type !== "message.new") throw new Error(event.type);
    expect(event.data.dateCreated).toEqual(receivedAt);
    expect(event.data.dateCreated).not.toBe(receivedAt);
  });

  it("keeps Twilio's DateCreated when there is one", () => {
    const event = webhookEventFromParams(webhookFixture("onMessageAdded"), { receivedAt });
    if (event.type !== "message.new") throw new Error(event.type);
    expect(event.data.dateCreated).toEqual(new Date("2026-05-18T13:42:17.312Z"));
  });

  it("defaults to the current time when no receive time is given", () => {
    const before = Date.now();
    const event = webhookEventFromParams(
      webhookFixture("onMessageAdded", { DateCreated: undefined }),
    );
    if (event.type !== "message.new") throw new Error(event.type);
    expect(event.data.dateCreated.getTime()).toBeGreaterThanOrEqual(before);
    expect(event.data.dateCreated.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("answers 200 instead of 400 for a message without DateCreated, so Twilio does not retry", async () => {
    const received: unknown[] = [];
    const response = await handleWebhookRequest(
      {
        url: "https://example.com/twilio/webhook",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: encodeWebhookForm(webhookFixture("onMessageAdded", { DateCreated: undefined })),
      },
      { verify: false, env: {}, onEvent: (event) => received.push(event) },
    );
    expect(response.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ data: { messageSid: fixtureSids.message } });
  });
});
