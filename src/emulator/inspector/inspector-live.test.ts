import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../start-emulator.js";
import { startWebhookReceiver, type WebhookReceiver } from "../webhooks/start-webhook-receiver.js";

/**
 * The inspector mounted in a running emulator, fed by its real state: a headless Chromium
 * opens `GET /_emulator/`, sees conversations, devices and webhooks, and receives a new
 * inbound message live over the SSE stream. Leaves a screenshot at /tmp/inspector-live.png.
 */
let browser: Browser;
let emulator: Emulator;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startEmulator({ webhookUrl: `${receiver.url}/events` });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
  await emulator?.close();
  await receiver?.close();
});

describe("the live inspector", () => {
  it("renders real emulator state and updates live", async () => {
    const client = emulator.twilioClient();
    const maya = emulator.customer({ channel: "whatsapp", address: "whatsapp:+15551230002" });
    const { conversationSid } = await maya.send("Hi, is my order #1042 ready?");
    await client.conversations.v1
      .conversations(conversationSid)
      .update({ friendlyName: "Order #1042 — Maya" });
    await client.conversations.v1.conversations(conversationSid).messages.create({
      author: "agent",
      body: "Yes! It ships today.",
      xTwilioWebhookEnabled: "true",
    });
    await emulator
      .customer({ channel: "sms", address: "+15551230001" })
      .send("STOP texting me at night");
    await emulator.idle();

    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    try {
      await page.goto(emulator.inspectorUrl);
      await page.locator("#live", { hasText: "Live" }).waitFor();
      await expect(page.locator("#account-sid").textContent()).resolves.toBe(emulator.accountSid);
      await expect(page.locator("#sms-number").textContent()).resolves.toBe(emulator.numbers.sms);
      await expect(page.locator("#conversations .conversation").count()).resolves.toBe(2);
      await page.locator("#conversations .conversation .name", { hasText: "Order #1042" }).click();
      await page.locator("#detail .bubble", { hasText: "It ships today" }).waitFor();
      await page
        .locator('#devices [data-address="whatsapp:+15551230002"] .body', {
          hasText: "ships today",
        })
        .waitFor();
      await expect(page.locator("#webhook-rows .status").count()).resolves.toBeGreaterThan(0);

      // A change after the page loaded arrives over the stream, without a reload.
      await maya.send("Great, thanks!");
      await page.locator("#detail .bubble", { hasText: "Great, thanks!" }).waitFor();
      await page.screenshot({ path: "/tmp/inspector-live.png", fullPage: true });
    } finally {
      await page.close();
    }
  });
});
