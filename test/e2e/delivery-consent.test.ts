import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ConsoleMessage } from "../../src/console/console-deps.js";
import { type DeliveryHarness, startDeliveryHarness } from "./delivery-harness.js";

/**
 * Issue 12, end to end over real HTTP against the emulator: consent keywords stop the agent
 * and every send, opt-in restores both; failures are explained in the console API within
 * seconds of the receipt and counted; the WhatsApp window offers the template; duplicate and
 * reordered receipts leave the right final status.
 */
let harness: DeliveryHarness;
beforeAll(async () => {
  harness = await startDeliveryHarness();
});
afterAll(async () => {
  await harness?.close();
});

const wait = { timeout: 10_000, interval: 50 };

/** The conversation the customer's message landed in, once the console shows it. */
async function conversationOf(address: string): Promise<string> {
  let sid: string | undefined;
  await vi.waitFor(async () => {
    const response = await harness.api("/api/conversations");
    const { conversations } = (await response.json()) as {
      conversations: { sid: string; customer: string }[];
    };
    sid = conversations.find((conversation) => conversation.customer === address)?.sid;
    expect(sid).toBeDefined();
  }, wait);
  return sid!;
}

const deviceBodies = (address: string) =>
  harness.emulator.deviceMessages(address).map((message) => message.body);

/** Sends as the customer and waits until the agent's answer reaches their device. */
async function answered(address: string, channel: "sms" | "whatsapp", text: string) {
  await harness.emulator.customer({ channel, address }).send(text);
  await vi.waitFor(() => expect(deviceBodies(address)).toContain(`re: ${text}`), wait);
}

/** Sends as the customer and waits until its turn completed (answered or not). */
async function settled(sid: string, address: string, channel: "sms" | "whatsapp", text: string) {
  await harness.emulator.customer({ channel, address }).send(text);
  let message: ConsoleMessage | undefined;
  await vi.waitFor(async () => {
    const { messages } = await harness.transcript(sid);
    message = messages.find((entry) => entry.role === "customer" && entry.body === text);
    expect(message).toBeDefined();
    expect(message?.status).toBeUndefined();
  }, wait);
  return message!;
}

const sendsTo = (address: string) =>
  harness.emulator.deliveries().filter((delivery) => delivery.to === address).length;

describe.each([
  ["sms", "+15550107001", "STOP"],
  ["whatsapp", "whatsapp:+15550107002", "parar"],
] as const)("consent on %s", (channel, address, optOut) => {
  it("opted out: no agent, no send, shown in the console; START restores both", async () => {
    await answered(address, channel, "What are your hours?");
    const sid = await conversationOf(address);

    await harness.emulator.customer({ channel, address }).send(optOut);
    await vi.waitFor(async () => {
      const { conversation } = await harness.transcript(sid);
      expect(conversation.consent).toMatchObject({ state: "opted-out", reason: "keyword" });
    }, wait);
    const sendsBefore = sendsTo(address);

    const question = await settled(sid, address, channel, "Are you still there?");
    expect(question.consent).toBe("opted-out");
    expect(harness.asked).not.toContain("Are you still there?");
    expect(harness.asked).not.toContain(optOut);
    // The operator cannot send by accident either: refused before any Twilio call.
    const reply = await harness.api(`/api/conversations/${sid}/reply`, {
      method: "POST",
      body: JSON.stringify({ text: "Hello?" }),
    });
    expect(reply.status).toBe(409);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe("opted_out");
    await harness.emulator.idle();
    expect(sendsTo(address)).toBe(sendsBefore);
    expect(deviceBodies(address)).not.toContain("re: Are you still there?");

    await harness.emulator.customer({ channel, address }).send("START");
    await vi.waitFor(async () => {
      const { conversation } = await harness.transcript(sid);
      expect(conversation.consent).toMatchObject({ state: "opted-in", reason: "keyword" });
    }, wait);
    await answered(address, channel, "Back again: are you open?");
    expect(harness.asked).not.toContain("START");
  }, 30_000);
});

describe("delivery status", () => {
  it("explains a reply to an unreachable number within seconds and counts it", async () => {
    const address = "+15550107003";
    harness.emulator.setDeliveryFailure(address, "unreachable");
    await harness.emulator.customer({ channel: "sms", address }).send("Can you call me?");
    const sid = await conversationOf(address);
    await vi.waitFor(
      () =>
        expect(
          harness.emulator
            .deliveries()
            .find((delivery) => delivery.to === address && delivery.errorCode !== null),
        ).toBeDefined(),
      wait,
    );
    const receiptAt = Date.now();
    let reply: ConsoleMessage | undefined;
    await vi.waitFor(async () => {
      const { messages } = await harness.transcript(sid);
      reply = messages.find((message) => message.role === "agent");
      expect(reply?.delivery?.failure?.code).toBe(30003);
    }, wait);
    expect(Date.now() - receiptAt).toBeLessThan(5_000);
    expect(reply?.delivery).toMatchObject({
      status: "undelivered",
      failure: { title: expect.any(String), action: expect.any(String) },
    });
    expect(reply?.delivery?.failure?.explanation.length).toBeGreaterThan(10);
    expect(await harness.metrics()).toMatch(
      /switchboard_deliveries_total\{channel="sms",status="undelivered"\} 1\b/,
    );
  }, 30_000);

  it("leaves the right final status when receipts arrive twice and out of order", async () => {
    const address = "whatsapp:+15550107004";
    const faults = `${harness.emulator.url}/_emulator/webhooks/faults`;
    const rule = (body: unknown) =>
      fetch(faults, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(
      (
        await rule({
          match: { event: "onDeliveryUpdated" },
          fault: { reorder: { count: 3, order: "reverse", holdMs: 2_000 } },
          times: 3,
        })
      ).status,
    ).toBe(201);
    expect(
      (await rule({ match: { event: "onDeliveryUpdated" }, fault: { duplicate: true } })).status,
    ).toBe(201);
    try {
      await answered(address, "whatsapp", "Is my order ready?");
      const sid = await conversationOf(address);
      await harness.emulator.idle();
      await vi.waitFor(async () => {
        const { messages } = await harness.transcript(sid);
        const reply = messages.find((message) => message.role === "agent");
        expect(reply?.delivery?.status).toBe("read");
      }, wait);
      const receipts = harness.emulator
        .webhookDeliveries()
        .filter((delivery) => delivery.event === "onDeliveryUpdated");
      expect(receipts.length).toBeGreaterThanOrEqual(3);
    } finally {
      await fetch(faults, { method: "DELETE" });
    }
  }, 30_000);
});

describe("the WhatsApp window in the console", () => {
  it("offers the template instead of sending free text that would fail", async () => {
    const address = "whatsapp:+15550107005";
    await answered(address, "whatsapp", "Hi, one question");
    const sid = await conversationOf(address);
    expect((await harness.transcript(sid)).conversation.whatsappWindow).toMatchObject({
      open: true,
      templateAvailable: true,
    });
    // A day later on both clocks: Twilio's and the console's.
    harness.emulator.clock.advance(25 * 60 * 60_000);
    harness.skewMs = 25 * 60 * 60_000;
    try {
      const { conversation } = await harness.transcript(sid);
      expect(conversation.whatsappWindow).toMatchObject({ open: false, templateAvailable: true });
      const reply = await harness.api(`/api/conversations/${sid}/reply`, {
        method: "POST",
        body: JSON.stringify({ text: "Here is your answer" }),
      });
      expect(reply.status).toBe(409);
      const refused = (await reply.json()) as { error: { code: string; message: string } };
      expect(refused.error.code).toBe("whatsapp_window_closed");
      expect(refused.error.message).toMatch(/template/i);
      const sent = await harness.api(`/api/conversations/${sid}/template`, { method: "POST" });
      expect(sent.status).toBe(202);
      await vi.waitFor(
        () =>
          expect(deviceBodies(address)).toContain(
            "Hi there, we have an answer for you. Reply to continue.",
          ),
        wait,
      );
      expect(deviceBodies(address)).not.toContain("Here is your answer");
    } finally {
      harness.skewMs = 0;
    }
  }, 30_000);
});

describe("receipts whose webhook was missed", () => {
  it("are fetched from the receipts resource, bounded to recent replies", async () => {
    const address = "+15550107006";
    // Receipts stop reaching us: only messages are subscribed.
    const webhooks = harness.emulator
      .twilioClient()
      .conversations.v1.services(harness.emulator.serviceSid)
      .configuration.webhooks();
    await webhooks.update({ filters: ["onMessageAdded"] });
    try {
      harness.emulator.setDeliveryFailure(address, "carrier-filtered");
      await harness.emulator.customer({ channel: "sms", address }).send("Any news?");
      const sid = await conversationOf(address);
      await vi.waitFor(
        () =>
          expect(
            harness.emulator
              .deliveries()
              .find((delivery) => delivery.to === address && delivery.errorCode !== null),
          ).toBeDefined(),
        wait,
      );
      const reply = async () =>
        (await harness.transcript(sid)).messages.find((message) => message.role === "agent");
      // The emulator delivers before the sender records Twilio's answer: wait for the record.
      await vi.waitFor(async () => expect((await reply())?.delivery?.status).toBe("queued"), wait);
      // Within the grace period the webhook may still come: nothing is listed yet.
      expect(await harness.switchboard.catchUpDeliveries()).toEqual({ checked: 0, updated: 0 });
      harness.clockSkewForRuntime(61_000);
      expect(await harness.switchboard.catchUpDeliveries()).toMatchObject({ updated: 1 });
      expect((await reply())?.delivery).toMatchObject({
        status: "undelivered",
        failure: { code: 30007 },
      });
      // Settled: not listed again.
      expect(await harness.switchboard.catchUpDeliveries()).toEqual({ checked: 0, updated: 0 });
    } finally {
      harness.clockSkewForRuntime(0);
      await webhooks.update({
        filters: ["onMessageAdded", "onDeliveryUpdated", "onConversationStateUpdated"],
      });
    }
  }, 30_000);
});

describe("an operator's consent action", () => {
  it("opts a customer out and back in through the console API", async () => {
    const address = "+15550107007";
    await answered(address, "sms", "First question");
    const sid = await conversationOf(address);
    const consent = (state: string) =>
      harness.api(`/api/conversations/${sid}/consent`, {
        method: "POST",
        body: JSON.stringify({ state }),
      });
    expect((await consent("maybe")).status).toBe(400);
    expect((await consent("opted-out")).status).toBe(200);
    expect((await harness.transcript(sid)).conversation.consent).toMatchObject({
      state: "opted-out",
      reason: "operator",
    });
    const question = await settled(sid, address, "sms", "Second question");
    expect(question.consent).toBe("opted-out");
    expect(harness.asked).not.toContain("Second question");
    expect((await consent("opted-in")).status).toBe(200);
    await answered(address, "sms", "Third question");
  }, 30_000);
});
