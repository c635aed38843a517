import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../chromium.test-support.js";
import { serveRoutes } from "../content/serve-routes.js";
import { type Emulator, startEmulator } from "../start-emulator.js";
import { startWebhookReceiver, type WebhookReceiver } from "../webhooks/start-webhook-receiver.js";
import { createInspectorRoutes, inspectorStreamPath } from "./inspector-routes.js";
import type { InspectorState, RestJson } from "./inspector-state.js";
import { createInspectorStream } from "./inspector-stream.js";

const accountSid = "AC5f0c1d2e3a4b5c6d7e8f901234567890";
const serviceSid = "IS8a9b0c1d2e3f4a5b6c7d8e9f01234567";
const hostile = "<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>";

const sid = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(32, "0")}`;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 2, 9, minute, 0)).toISOString();

function message(conversation: number, index: number, fields: Partial<RestJson>): RestJson {
  return {
    sid: sid("IM", conversation * 100 + index),
    conversation_sid: sid("CH", conversation),
    index,
    body: null,
    media: null,
    attributes: "{}",
    date_created: at(index + conversation),
    content_sid: null,
    delivery: null,
    ...fields,
  };
}

function fixture(): InspectorState {
  const smsCustomer = {
    sid: sid("MB", 1),
    identity: null,
    messaging_binding: { type: "sms", address: "+15551230001", proxy_address: "+15005550006" },
  };
  const agent = { sid: sid("MB", 2), identity: "agent", messaging_binding: null };
  const waCustomer = {
    sid: sid("MB", 3),
    identity: null,
    messaging_binding: {
      type: "whatsapp",
      address: "whatsapp:+15551230002",
      proxy_address: "whatsapp:+14155238886",
    },
  };
  return {
    accountSid,
    serviceSid,
    numbers: { sms: "+15005550006", whatsapp: "whatsapp:+14155238886" },
    conversations: [
      {
        conversation: {
          sid: sid("CH", 1),
          friendly_name: "Order #1042 — Maya",
          unique_name: null,
          state: "active",
          date_created: at(0),
          date_updated: at(5),
        },
        participants: [smsCustomer, agent],
        messages: [
          message(1, 0, {
            author: "+15551230001",
            participant_sid: smsCustomer.sid,
            body: "Hi, is my order on its way?",
          }),
          message(1, 1, {
            author: "agent",
            participant_sid: agent.sid,
            body: "Yes! It shipped this morning and should arrive tomorrow.",
            delivery: {
              total: 1,
              sent: "all",
              delivered: "all",
              read: "none",
              failed: "none",
              undelivered: "none",
            },
          }),
          message(1, 2, {
            author: "+15551230001",
            participant_sid: smsCustomer.sid,
            body: hostile,
          }),
          message(1, 3, {
            author: "+15551230001",
            participant_sid: smsCustomer.sid,
            media: [
              {
                sid: sid("ME", 1),
                size: 42056,
                content_type: "image/jpeg",
                filename: "receipt.jpg",
              },
            ],
          }),
        ],
      },
      {
        conversation: {
          sid: sid("CH", 2),
          friendly_name: `<b>${hostile}</b>`,
          unique_name: "wa-support",
          state: "closed",
          date_created: at(0),
          date_updated: at(1),
        },
        participants: [waCustomer],
        messages: [
          message(2, 0, {
            author: "system",
            participant_sid: null,
            body: "Your appointment is tomorrow at 10:00.",
            content_sid: sid("HX", 1),
          }),
        ],
      },
    ],
    devices: {
      "+15551230001": [
        {
          body: "Yes! It shipped this morning and should arrive tomorrow.",
          media: [],
          from: "+15005550006",
          dateCreated: at(3),
          status: "delivered",
        },
      ],
      "whatsapp:+15551230002": [
        {
          body: hostile,
          media: [
            { filename: "javascript-link", content_type: "text/plain", url: "javascript:alert(1)" },
          ],
          from: "whatsapp:+14155238886",
          dateCreated: at(2),
          status: "read",
        },
      ],
    },
    webhooks: [
      {
        url: "http://127.0.0.1:3000/twilio/webhook",
        event: "onMessageAdded",
        status: 200,
        attempts: 1,
        ms: 12,
        at: at(1),
      },
      {
        url: "http://127.0.0.1:3000/twilio/webhook",
        event: "onMessageAdded",
        status: 500,
        attempts: 3,
        ms: 31,
        at: at(2),
      },
      {
        url: "http://127.0.0.1:3000/twilio/webhook",
        event: "onConversationStateUpdated",
        status: null,
        attempts: 2,
        ms: 5000,
        at: at(3),
      },
      {
        url: "http://127.0.0.1:3000/twilio/webhook",
        event: "onParticipantAdded",
        status: 429,
        attempts: 1,
        ms: 8,
        at: at(4),
      },
    ],
  };
}

/** A fixture state server: the page, `/_emulator/state`, and (optionally) the SSE stream. */
async function serve(options: { stream: boolean }) {
  let state = fixture();
  const listeners = new Set<() => void>();
  const stream = createInspectorStream({
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  const served = await serveRoutes(createInspectorRoutes({ getState: () => state, pollMs: 100 }), {
    accountSid,
    fallback: (request, response) => {
      if (!options.stream || request.url !== inspectorStreamPath) return false;
      stream(request, response);
      return true;
    },
  });
  return {
    served,
    listeners,
    update(change: (state: InspectorState) => void) {
      state = structuredClone(state);
      change(state);
      for (const listener of listeners) listener();
    },
  };
}

// One Chromium for every test of the inspector (fixture pages and the live emulator):
// launching it is the slow part on a 2-core CI runner.
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(
  url: string,
  options: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {},
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? "light",
  });
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (entry) => {
    if (entry.type() === "error") problems.push(`console: ${entry.text()}`);
  });
  await page.goto(`${url}/_emulator/`);
  return { page, problems };
}

describe("inspector page in Chromium", () => {
  it("renders the state, updates live over SSE, and shows hostile text as text", async () => {
    const server = await serve({ stream: true });
    const { page, problems } = await open(server.served.url);
    try {
      await page.locator("#live", { hasText: "Live" }).waitFor();
      await expect(page.locator("#account-sid").textContent()).resolves.toBe(accountSid);
      await expect(page.locator("#sms-number").textContent()).resolves.toBe("+15005550006");

      // Conversations, newest activity first, with state and channel badges.
      const conversations = page.locator("#conversations .conversation");
      await expect(conversations.count()).resolves.toBe(2);
      const first = conversations.nth(0);
      await expect(first.locator(".name").textContent()).resolves.toBe("Order #1042 — Maya");
      await expect(first.locator(".badge").allTextContents()).resolves.toEqual([
        "active",
        "Chat",
        "SMS",
      ]);
      const second = conversations.nth(1);
      await expect(second.locator(".name").textContent()).resolves.toBe(`<b>${hostile}</b>`);
      await expect(second.locator(".badge").allTextContents()).resolves.toEqual([
        "closed",
        "WhatsApp",
      ]);

      // The selected conversation: participants and messages with authors.
      const detail = page.locator("#detail");
      await expect(detail.locator(".participant .who").allTextContents()).resolves.toEqual([
        "+15551230001",
        "agent",
      ]);
      await expect(detail.locator(".message .author").allTextContents()).resolves.toEqual([
        "+15551230001",
        "agent",
        "+15551230001",
        "+15551230001",
      ]);
      await expect(detail.locator(".message.outbound .bubble").textContent()).resolves.toContain(
        "It shipped this morning",
      );
      await expect(detail.locator(".message.outbound .badge.neutral").textContent()).resolves.toBe(
        "delivered",
      );
      await expect(
        detail.locator(".message").nth(2).locator(".bubble").textContent(),
      ).resolves.toBe(hostile);
      await expect(detail.locator(".media").textContent()).resolves.toBe(
        "receipt.jpg · image/jpeg",
      );

      // Device inboxes and the webhook log, newest first, with status colours.
      await expect(page.locator("#devices .device").count()).resolves.toBe(2);
      await expect(
        page.locator('#devices [data-address="whatsapp:+15551230002"] .body').textContent(),
      ).resolves.toBe(hostile);
      const statuses = page.locator("#webhook-rows .status");
      await expect(statuses.allTextContents()).resolves.toEqual(["429", "no answer", "500", "200"]);
      await expect(
        statuses.evaluateAll((nodes) => nodes.map((node) => node.className)),
      ).resolves.toEqual(["status warn", "status bad", "status bad", "status ok"]);

      // Hostile text never became markup: no <img>/<b> elements, no script ran, and the
      // javascript: media URL was not turned into a link.
      await expect(page.locator("main img, main b, main script").count()).resolves.toBe(0);
      await expect(
        page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
      ).resolves.toBeUndefined();
      await expect(page.locator('a[href^="javascript"]').count()).resolves.toBe(0);

      // Select the other conversation; it stays selected across updates.
      await second.click();
      await page
        .locator("#detail .message .bubble", { hasText: "appointment is tomorrow" })
        .waitFor();
      await expect(page.locator("#detail .badge.neutral").textContent()).resolves.toBe("template");

      await page.screenshot({ path: "/tmp/inspector-closed.png" });
      await conversations.nth(0).click();

      // A new message pushed over SSE appears without a reload.
      server.update((state) => {
        const entry = state.conversations[0];
        entry?.messages.push(
          message(1, 4, {
            author: "agent",
            participant_sid: sid("MB", 2),
            body: "Here is your tracking link: TRACK-77.",
          }),
        );
        state.webhooks.push({
          url: "http://127.0.0.1:3000/twilio/webhook",
          event: "onMessageAdded",
          status: 204,
          attempts: 1,
          ms: 9,
          at: at(9),
        });
      });
      await page.locator("#detail .bubble", { hasText: "TRACK-77" }).waitFor();
      await expect(page.locator("#webhook-rows .status").first().textContent()).resolves.toBe(
        "204",
      );
      await page.screenshot({ path: "/tmp/inspector.png" });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await server.served.close();
    }
  });

  it("falls back to polling when the stream is unavailable", async () => {
    const server = await serve({ stream: false });
    const { page, problems } = await open(server.served.url);
    try {
      await page.locator("#live", { hasText: "Polling" }).waitFor();
      server.update((state) => {
        state.conversations.push({
          conversation: {
            sid: sid("CH", 3),
            friendly_name: "Polled in",
            state: "inactive",
            date_updated: at(30),
          },
          participants: [],
          messages: [],
        });
      });
      await page.locator("#conversations .conversation .name", { hasText: "Polled in" }).waitFor();
      await expect(
        page
          .locator("#conversations .conversation", { hasText: "Polled in" })
          .locator(".badge")
          .textContent(),
      ).resolves.toBe("inactive");
      // The stream's 404 is the only console error a browser reports for the fallback.
      expect(problems.filter((problem) => !problem.includes("404"))).toEqual([]);
    } finally {
      await page.close();
      await server.served.close();
    }
  });

  it("follows the system's dark mode", async () => {
    const server = await serve({ stream: true });
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const colours = async (colorScheme: "light" | "dark", width: number, height: number) => {
      const { page, problems } = await open(server.served.url, { colorScheme, width, height });
      try {
        await page.locator("#live", { hasText: "Live" }).waitFor();
        await page.locator("#detail .message.outbound .bubble").first().waitFor();
        await page.screenshot({ path: `/tmp/inspector-${colorScheme}-${width}.png` });
        expect(problems).toEqual([]);
        return await page.evaluate(() => {
          const colour = (
            selector: string,
            property: "color" | "backgroundColor" = "backgroundColor",
          ) => getComputedStyle(document.querySelector(selector)!)[property];
          return {
            body: colour("body"),
            ink: colour("body", "color"),
            panel: colour(".panel"),
            bubble: colour("#detail .message .bubble"),
            outbound: colour("#detail .message.outbound .bubble"),
            selected: colour("#conversations .conversation.selected"),
            header: colour("th"),
          };
        });
      } finally {
        await page.close();
      }
    };
    try {
      const light = await colours("light", 1440, 900);
      const dark = await colours("dark", 1440, 900);
      await colours("dark", 390, 844);
      expect(luminance(light.body)).toBeGreaterThan(200);
      expect(luminance(light.panel)).toBeGreaterThan(240);
      for (const part of ["body", "panel", "header"] as const)
        expect(luminance(dark[part]), part).toBeLessThan(50);
      for (const part of ["bubble", "outbound", "selected"] as const)
        expect(luminance(dark[part]), part).toBeLessThan(80);
      expect(luminance(dark.ink)).toBeGreaterThan(200);
    } finally {
      await server.served.close();
    }
  });

  it("fits a phone: nothing wider than the screen, the transcript gets real height", async () => {
    const server = await serve({ stream: true });
    const longName = `Order #1042 — Maya Fernández-Whitfield, priority WhatsApp escalation ${"x".repeat(60)}`;
    server.update((state) => {
      state.conversations.push({
        conversation: {
          sid: sid("CH", 9),
          friendly_name: longName,
          state: "active",
          date_updated: at(50),
        },
        participants: [
          {
            sid: sid("MB", 9),
            identity: null,
            messaging_binding: {
              type: "whatsapp",
              address: "whatsapp:+155512300029999999999",
              proxy_address: "whatsapp:+141552388869999999999",
            },
          },
        ],
        messages: Array.from({ length: 12 }, (_, index) =>
          message(9, index, { author: "agent", body: `Reply ${index}: ${"y".repeat(80)}` }),
        ),
      });
    });
    const layout = (page: Page) =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const rect = (selector: string) =>
          document.querySelector(selector)!.getBoundingClientRect();
        return {
          scrollWidth: document.documentElement.scrollWidth,
          width,
          // Elements whose box reaches past the screen's right edge (clipped or not).
          spilling: [...document.querySelectorAll("body *")]
            .filter((node) => node.getBoundingClientRect().right > width + 0.5)
            .map((node) => `${node.tagName.toLowerCase()}.${node.className}`),
          transcript: rect("#detail .scroll").height,
          detailTop: rect("#detail").top,
          listTop: rect(".grid > .panel").top,
        };
      });
    try {
      for (const colorScheme of ["light", "dark"] as const) {
        const { page, problems } = await open(server.served.url, {
          colorScheme,
          width: 390,
          height: 844,
        });
        try {
          await page.locator("#live", { hasText: "Live" }).waitFor();
          await page
            .locator("#conversations .conversation", { hasText: "Order #1042 — Maya F" })
            .click();
          await page.locator("#detail .bubble", { hasText: "Reply 11" }).waitFor();
          const phone = await layout(page);
          expect(phone.scrollWidth).toBeLessThanOrEqual(phone.width);
          expect(phone.spilling).toEqual([]);
          expect(phone.transcript).toBeGreaterThanOrEqual(400);
          // Opening a conversation brings its transcript into view.
          const top = await page.evaluate(
            () => document.getElementById("detail")!.getBoundingClientRect().top,
          );
          expect(Math.abs(top)).toBeLessThan(20);
          await page.screenshot({ path: `/tmp/inspector-phone-${colorScheme}.png` });
          expect(problems).toEqual([]);
        } finally {
          await page.close();
        }
      }
      // The desktop layout keeps its three columns side by side.
      const { page } = await open(server.served.url, { width: 1366, height: 900 });
      try {
        await page.locator("#detail .bubble").first().waitFor();
        const desktop = await layout(page);
        expect(desktop.detailTop).toBe(desktop.listTop);
        expect(desktop.spilling).toEqual([]);
      } finally {
        await page.close();
      }
    } finally {
      await server.served.close();
    }
  });

  it("shows empty states for an emulator with nothing in it", async () => {
    const server = await serve({ stream: true });
    server.update((state) => {
      state.conversations = [];
      state.devices = {};
      state.webhooks = [];
    });
    const { page } = await open(server.served.url);
    try {
      await page.locator("#conversations .empty", { hasText: "No conversations yet" }).waitFor();
      await expect(page.locator("#devices .empty").textContent()).resolves.toContain("No device");
      await expect(page.locator("#webhook-rows").textContent()).resolves.toContain(
        "No webhooks sent yet.",
      );
      await page.screenshot({ path: "/tmp/inspector-empty.png" });
    } finally {
      await page.close();
      await server.served.close();
    }
  });
});

/**
 * The inspector mounted in a running emulator, fed by its real state: the same Chromium
 * opens `GET /_emulator/`, sees conversations, devices and webhooks, and receives a new
 * inbound message live over the SSE stream. Leaves a screenshot at /tmp/inspector-live.png.
 */
describe("the live inspector", () => {
  let emulator: Emulator;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    emulator = await startEmulator({ webhookUrl: `${receiver.url}/events` });
  });
  afterAll(async () => {
    await emulator?.close();
    await receiver?.close();
  });

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
