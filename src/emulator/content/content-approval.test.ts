import { afterEach, describe, expect, it } from "vitest";
import {
  OpenApiValidator,
  RecordingRequestClient,
} from "../rest/openapi-conformance.test-support.js";
import { type Emulator, startEmulator } from "../start-emulator.js";

/**
 * WhatsApp approval of Content templates: the Content API's approval requests and
 * ContentAndApprovals through the official SDK, validated against Twilio's
 * `twilio_content_v1.json`, and the approval's effect on delivery outside the window.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(contentApproval: "automatic" | "manual") {
  const emulator = await startEmulator({ contentApproval });
  closers.push(() => emulator.close());
  const recorder = new RecordingRequestClient(emulator.url);
  const twilio = (await import("twilio")).default;
  const client = twilio(emulator.accountSid, emulator.authToken, { httpClient: recorder });
  return { emulator, recorder, client };
}

const templateInput = {
  friendly_name: "order_ready",
  language: "en",
  variables: { "1": "customer" },
  types: { "twilio/text": { body: "Hi {{1}}, your order is ready." } },
};

function decide(emulator: Emulator, sid: string, body: Record<string, unknown>) {
  return fetch(`${emulator.url}/_emulator/content/${sid}/approval`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("Content approval requests", () => {
  it("moves a template unsubmitted → pending → approved, as the SDK and the OpenAPI file see it", async () => {
    const { emulator, recorder, client } = await setup("manual");
    const { sid } = emulator.content.create(emulator.accountSid, templateInput);
    const content = client.content.v1.contents(sid);
    expect((await content.approvalFetch().fetch()).whatsapp).toMatchObject({
      type: "whatsapp",
      status: "unsubmitted",
    });
    const created = await content.approvalCreate.create({
      name: "order_ready",
      category: "UTILITY",
    } as never);
    expect(created).toMatchObject({
      name: "order_ready",
      category: "UTILITY",
      contentType: "twilio/text",
      status: "pending",
      rejectionReason: "",
    });
    // A second request while one is pending is refused.
    await expect(
      content.approvalCreate.create({ name: "order_ready", category: "UTILITY" } as never),
    ).rejects.toMatchObject({ status: 400, code: 20001 });

    const decision = await decide(emulator, sid, { status: "approved" });
    expect(decision.status).toBe(200);
    expect((await content.approvalFetch().fetch()).whatsapp).toMatchObject({ status: "approved" });
    const listed = await client.content.v1.contentAndApprovals.list();
    expect(listed.map((item) => [item.sid, item.approvalRequests])).toEqual([
      [sid, expect.objectContaining({ status: "approved", name: "order_ready" })],
    ]);

    const validator = new OpenApiValidator("twilio_content_v1.json");
    const successes = recorder.exchanges.filter((exchange) => exchange.statusCode < 300);
    expect(
      new Set(
        successes.map(
          (exchange) =>
            `${exchange.method.toUpperCase()} ${validator.templateFor(new URL(exchange.uri).pathname)}`,
        ),
      ),
    ).toEqual(
      new Set([
        "GET /v1/Content/{Sid}/ApprovalRequests",
        "POST /v1/Content/{ContentSid}/ApprovalRequests/whatsapp",
        "GET /v1/ContentAndApprovals",
      ]),
    );
    expect(successes.flatMap((exchange) => validator.errors(exchange))).toEqual([]);
  });

  it("records a rejection with its reason, and accepts a new request after it", async () => {
    const { emulator, client } = await setup("manual");
    const { sid } = emulator.content.create(emulator.accountSid, templateInput);
    const content = client.content.v1.contents(sid);
    await content.approvalCreate.create({ name: "order_ready", category: "MARKETING" } as never);
    await decide(emulator, sid, { status: "rejected", rejectionReason: "INVALID_FORMAT" });
    expect((await content.approvalFetch().fetch()).whatsapp).toMatchObject({
      status: "rejected",
      rejection_reason: "INVALID_FORMAT",
      category: "MARKETING",
    });
    const again = await content.approvalCreate.create({
      name: "order_ready_v2",
      category: "UTILITY",
    } as never);
    expect(again).toMatchObject({ status: "pending", rejectionReason: "" });
  });

  it("refuses malformed requests and unknown templates", async () => {
    const { emulator, client } = await setup("manual");
    const { sid } = emulator.content.create(emulator.accountSid, templateInput);
    for (const body of [
      { category: "UTILITY" },
      { name: "Has Spaces", category: "UTILITY" },
      { name: "ok", category: "PROMOTIONAL" },
    ])
      await expect(
        client.content.v1.contents(sid).approvalCreate.create(body as never),
      ).rejects.toMatchObject({ status: 400, code: 20001 });
    const missing = `HX${"0".repeat(32)}`;
    await expect(client.content.v1.contents(missing).approvalFetch().fetch()).rejects.toMatchObject(
      { status: 404, code: 20404 },
    );
    expect((await decide(emulator, missing, { status: "approved" })).status).toBe(404);
    expect((await decide(emulator, sid, { status: "maybe" })).status).toBe(400);
    expect((await decide(emulator, sid, {})).status).toBe(400);
  });

  it("approves every template from creation in automatic mode (the default)", async () => {
    const { emulator, client } = await setup("automatic");
    const { sid } = emulator.content.create(emulator.accountSid, templateInput);
    expect((await client.content.v1.contents(sid).approvalFetch().fetch()).whatsapp).toMatchObject({
      status: "approved",
      name: "order_ready",
      category: "UTILITY",
    });
    await expect(startEmulator({ contentApproval: "sometimes" as never })).rejects.toThrow(
      /contentApproval/,
    );
  });
});

describe("WhatsApp delivery of templates outside the 24-hour window", () => {
  // twilio.com/docs/api/errors/63016: outside the 24-hour customer service window a
  // business-initiated WhatsApp message must be an approved template, else 63016.
  it("fails an unapproved template with 63016 and delivers it once approved", async () => {
    const { emulator, client } = await setup("manual");
    const customer = emulator.customer({ channel: "whatsapp", address: "whatsapp:+15551230009" });
    const { conversationSid } = await customer.send("hi");
    const messages = client.conversations.v1.conversations(conversationSid).messages;
    emulator.clock.advance(24 * 60 * 60 * 1000 + 1000);
    const { sid: contentSid } = emulator.content.create(emulator.accountSid, templateInput);

    const unapproved = await messages.create({ author: "agent", contentSid });
    await emulator.idle();
    const receipts = await messages(unapproved.sid).deliveryReceipts.list();
    expect(receipts.map((receipt) => [receipt.status, receipt.errorCode])).toEqual([
      ["failed", 63016],
    ]);
    expect(customer.messages()).toEqual([]);

    await client.content.v1
      .contents(contentSid)
      .approvalCreate.create({ name: "order_ready", category: "UTILITY" } as never);
    await decide(emulator, contentSid, { status: "approved" });
    await messages.create({
      author: "agent",
      contentSid,
      contentVariables: JSON.stringify({ 1: "Ada" }),
    });
    await emulator.idle();
    expect(customer.messages().map((message) => message.body)).toEqual([
      "Hi Ada, your order is ready.",
    ]);
  });
});
