import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";

/** The `/_emulator/*` control API refuses malformed, oversized and forged input clearly. */
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function post(path: string, body: string | Buffer) {
  const response = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as never };
}

describe("POST /_emulator/inbound", () => {
  it.each([
    ["not JSON", "{channel:", 400, /valid JSON/],
    ["an array", "[]", 400, /JSON object/],
    [
      "an unknown channel",
      JSON.stringify({ channel: "fax", from: "+15551230001", body: "x" }),
      400,
      /channel/,
    ],
    [
      "a malformed SMS number",
      JSON.stringify({ channel: "sms", from: "5551230001", body: "x" }),
      400,
      /E\.164/,
    ],
    [
      "a WhatsApp address without prefix",
      JSON.stringify({ channel: "whatsapp", from: "+15551230001", body: "x" }),
      400,
      /whatsapp:/,
    ],
    [
      "a numeric body",
      JSON.stringify({ channel: "sms", from: "+15551230001", body: 5 }),
      400,
      /"body" must be a string/,
    ],
    [
      "no body and no media",
      JSON.stringify({ channel: "sms", from: "+15551230001" }),
      400,
      /"body" or "media"/,
    ],
    [
      "an empty body and no media",
      JSON.stringify({ channel: "sms", from: "+15551230001", body: "" }),
      400,
      /"body" or "media"/,
    ],
    [
      "a blank body and no media",
      JSON.stringify({ channel: "chat", from: "visitor", body: " \n\t " }),
      400,
      /"body" or "media"/,
    ],
    [
      "a body over 32 KB",
      JSON.stringify({ channel: "sms", from: "+15551230001", body: "x".repeat(33_000) }),
      400,
      /at most/,
    ],
    [
      "media that is not base64",
      JSON.stringify({
        channel: "sms",
        from: "+15551230001",
        media: [{ contentType: "image/png", base64: "%%%" }],
      }),
      400,
      /base64/,
    ],
    [
      "media without a content type",
      JSON.stringify({ channel: "sms", from: "+15551230001", media: [{ base64: "AAAA" }] }),
      400,
      /contentType/,
    ],
    [
      "a mismatched to",
      JSON.stringify({
        channel: "sms",
        from: "+15551230001",
        to: "whatsapp:+15017122661",
        body: "x",
      }),
      400,
      /"to"/,
    ],
    [
      "to on chat",
      JSON.stringify({ channel: "chat", from: "visitor", to: "+15017122661", body: "x" }),
      400,
      /conversationSid/,
    ],
    [
      "a forged conversation SID",
      JSON.stringify({ channel: "chat", from: "visitor", conversationSid: "CH../../x", body: "x" }),
      400,
      /CH/,
    ],
    [
      "an unknown conversation",
      JSON.stringify({
        channel: "chat",
        from: "visitor",
        conversationSid: `CH${"0".repeat(32)}`,
        body: "x",
      }),
      404,
      /does not exist/,
    ],
  ])("answers %s with %i and a clear message", async (_name, body, status, message) => {
    const answer = await post("/_emulator/inbound", body);
    expect(answer.status).toBe(status);
    expect((answer.body as { message: string }).message).toMatch(message);
  });

  it("stores nothing for a refused request", async () => {
    await post("/_emulator/inbound", JSON.stringify({ channel: "sms", from: "bad", body: "x" }));
    expect([...emulator.store.allConversations()]).toHaveLength(0);
  });

  it("answers a closed conversation with Twilio's 50377", async () => {
    const chat = await emulator.customer({ channel: "chat", address: "closer" }).send("hi");
    await emulator
      .twilioClient()
      .conversations.v1.conversations(chat.conversationSid)
      .update({ state: "closed" });
    const answer = await post(
      "/_emulator/inbound",
      JSON.stringify({
        channel: "chat",
        from: "closer",
        conversationSid: chat.conversationSid,
        body: "late",
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 50377 });
  });
});

describe("POST /_emulator/clock", () => {
  it.each([
    ["a string", JSON.stringify({ advanceMs: "10" })],
    ["a negative number", JSON.stringify({ advanceMs: -1 })],
    ["nothing", "{}"],
    ["bad JSON", "{"],
  ])("refuses %s with 400", async (_name, body) => {
    const answer = await post("/_emulator/clock", body);
    expect(answer.status).toBe(400);
    expect((answer.body as { message: string }).message).toMatch(/advanceMs|JSON/);
  });

  it("refuses a move past the year 9999 with 400 naming advanceMs, and stays usable", async () => {
    const before = emulator.clock.now();
    for (const advanceMs of [1e300, 8.7e15]) {
      const answer = await post("/_emulator/clock", JSON.stringify({ advanceMs }));
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        code: "invalid_field",
        message: expect.stringMatching(/^"advanceMs" would move the clock past 9999-12-31/),
      });
    }
    // Two moves each within range but past it together: the second is refused.
    const room = Date.parse("9999-12-31T23:59:59.999Z") - emulator.clock.now();
    const half = Math.floor(room / 2) + 1_000_000;
    expect((await post("/_emulator/clock", JSON.stringify({ advanceMs: half }))).status).toBe(200);
    expect((await post("/_emulator/clock", JSON.stringify({ advanceMs: half }))).status).toBe(400);
    expect(emulator.clock.now()).toBeLessThan(before + half + 60_000);
    const clock = await fetch(`${emulator.url}/_emulator/clock`);
    expect(clock.status).toBe(200);
    const inbound = await post(
      "/_emulator/inbound",
      JSON.stringify({ channel: "chat", from: "late-visitor", body: "still here" }),
    );
    expect(inbound.status).toBe(201);
    const conversations = await emulator.twilioClient().conversations.v1.conversations.list();
    expect(conversations.length).toBeGreaterThan(0);
  });

  it("refuses an oversized body with 413", async () => {
    const answer = await post("/_emulator/clock", Buffer.alloc(70 * 1024, 0x20));
    expect(answer.status).toBe(413);
  });

  it("moves emulator time forward", async () => {
    const before = emulator.clock.now();
    const answer = await post("/_emulator/clock", JSON.stringify({ advanceMs: 60_000 }));
    expect(answer.status).toBe(200);
    expect(Date.parse((answer.body as { now: string }).now)).toBeGreaterThanOrEqual(
      before + 60_000,
    );
  });
});

describe("other control routes", () => {
  it("refuses a malformed fault rule with 400 naming the field", async () => {
    const answer = await post("/_emulator/faults", JSON.stringify({ fault: { status: "x" } }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field: "fault.status" });
  });

  it("shows an empty inbox for an unknown device", async () => {
    const response = await fetch(`${emulator.url}/_emulator/devices/%2B15559999999/messages`);
    expect(await response.json()).toEqual({ messages: [] });
  });

  it("needs no Basic auth but REST does", async () => {
    expect((await fetch(`${emulator.url}/_emulator/webhooks`)).status).toBe(200);
    expect((await fetch(`${emulator.url}/v1/Conversations`)).status).toBe(401);
  });
});
