import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../chromium.test-support.js";
import { serveHandler } from "../webchat/serve-handler.test-support.js";
import { createConsoleApi } from "./console-api.js";
import { InMemoryConsole } from "./in-memory-console.test-support.js";

/** Where the screenshots of these states go, for a person to look at. */
const shots = "/tmp/shots-console";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const phone = { width: 390, height: 844 };
const desktop = { width: 1366, height: 900 };

async function setUp(
  viewport: { width: number; height: number } = desktop,
  colorScheme: "light" | "dark" = "light",
) {
  const deps = new InMemoryConsole();
  const handler = createConsoleApi(deps, { retryMs: 200 });
  const server = await serveHandler(handler);
  cleanups.push(() => server.close().catch(() => {}));
  const context = await browser.newContext({ viewport, colorScheme });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  return { deps, page, problems, url: server.url, server, handler };
}

async function openLive(page: Page, url: string, customer: string) {
  await page.goto(`${url}/`);
  await page.locator("#live", { hasText: "Live" }).waitFor();
  await page.locator("#conversations .conversation", { hasText: customer }).click();
}

/** The page and the transcript scroll no wider than the screen (no sideways scrolling). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const scroll = document.querySelector<HTMLElement>("#transcript .scroll")!;
    return {
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      transcript: scroll.scrollWidth - scroll.clientWidth,
    };
  });

describe("console page states in Chromium", () => {
  it("shows a person's reply with its delivery status, and its failure when a receipt says so", async () => {
    for (const [viewport, colorScheme, name] of [
      [desktop, "light", "desktop"],
      [phone, "light", "phone"],
      [desktop, "dark", "desktop-dark"],
    ] as const) {
      const { deps, page, url, problems } = await setUp(viewport, colorScheme);
      const customer = "whatsapp:+15551230061";
      const sid = deps.seed("whatsapp", customer, [
        ["customer", "Is my order shipped?"],
        ["agent", "Let me get a person."],
      ]);
      await openLive(page, url, customer);
      const transcript = page.locator("#transcript");
      await transcript.getByRole("button", { name: "Take over" }).click();
      await transcript
        .getByRole("textbox", { name: "Reply as a person" })
        .fill("Yes, it left today.");
      await transcript.getByRole("button", { name: "Send reply" }).click();
      const mine = transcript.locator(".message.human", { hasText: "Yes, it left today." });
      await mine.locator(".delivery-status", { hasText: "Accepted by Twilio" }).waitFor();

      // The receipt comes later: WhatsApp refused free text outside the 24-hour window.
      const index = deps.conversations.get(sid)!.messages.at(-1)!.index!;
      // What the adapter makes of Twilio's 63016 (console-delivery.ts), as the page gets it.
      deps.deliver(sid, index, {
        status: "undelivered",
        failure: {
          code: 63016,
          title: "Outside WhatsApp's 24-hour window",
          explanation:
            "WhatsApp only allows free-form messages within 24 hours of the customer's last message, so this one was refused.",
          action:
            "Send an approved template (ContentSid) instead, or wait for the customer to write again.",
        },
      });
      await mine.locator(".delivery-status", { hasText: "Not delivered" }).waitFor();
      const note = mine.getByRole("note");
      await expect(note.textContent()).resolves.toMatch(/24-hour window \(63016\)/);
      await expect(note.textContent()).resolves.toMatch(/template/i);
      await page.screenshot({ path: `${shots}/person-reply-failed-${name}.png` });
      if (viewport === phone) expect(await overflow(page)).toEqual({ page: 0, transcript: 0 });
      expect(problems).toEqual([]);
    }
  });

  it("says a conversation could not be loaded while offline, disables its actions, and loads it once back", async () => {
    const { deps, page, url, server, handler } = await setUp();
    deps.seed("sms", "+15551230071", [["customer", "Anyone there?"]]);
    await page.goto(`${url}/`);
    const live = page.locator("#live");
    await live.filter({ hasText: "Live" }).waitFor();
    await server.close();
    await live.filter({ hasText: /Offline|Reconnecting/ }).waitFor();
    await page.locator("#conversations .conversation", { hasText: "+15551230071" }).click();
    const transcript = page.locator("#transcript");
    await transcript
      .getByRole("alert")
      .filter({ hasText: "Couldn't load this conversation — offline, retrying" })
      .waitFor();
    await expect(transcript.textContent()).resolves.not.toContain("No messages yet");
    await expect(transcript.getByRole("button", { name: "Take over" }).isDisabled()).resolves.toBe(
      true,
    );
    await page.screenshot({ path: `${shots}/offline-load-error-desktop.png` });

    const port = Number(new URL(url).port);
    const again = createServer((request, response) => {
      void handler(request, response).then((handled) => {
        if (!handled) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => again.listen(port, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          again.closeAllConnections();
          again.close(() => resolve());
        }),
    );
    await transcript.locator(".message.customer", { hasText: "Anyone there?" }).waitFor({
      timeout: 15_000,
    });
    await live.filter({ hasText: "Live" }).waitFor({ timeout: 15_000 });
    await expect(transcript.getByRole("button", { name: "Take over" }).isDisabled()).resolves.toBe(
      false,
    );
  });

  it("wraps a held message's badge on a phone: no sideways scrolling", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const { deps, page, url } = await setUp(phone, colorScheme);
      const customer = "whatsapp:+15551230081";
      deps.seed("whatsapp", customer, [["customer", "Can I talk to a person?"]]);
      await openLive(page, url, customer);
      const transcript = page.locator("#transcript");
      await transcript.getByRole("button", { name: "Take over" }).click();
      await transcript.getByRole("button", { name: "Hand back to bot" }).waitFor();
      await deps.sendAsCustomer!({ channel: "whatsapp", from: customer, text: "Hello? Anyone?" });
      const badge = transcript.locator(".message.customer .badge", { hasText: "For a person" });
      await badge.waitFor();
      await badge.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${shots}/held-badge-phone-${colorScheme}.png` });
      expect(await overflow(page)).toEqual({ page: 0, transcript: 0 });
      const box = await badge.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(phone.width);
    }
  });

  it("labels the message a dead letter left as the bot giving up, not as waiting for it", async () => {
    const { deps, page, url } = await setUp();
    const sid = deps.seed("sms", "+15551230091", [["customer", "Where is my refund?"]]);
    deps.conversations.get(sid)!.messages[0]!.status = "pending";
    await openLive(page, url, "+15551230091");
    const message = page.locator("#transcript .message.customer");
    await message.locator(".badge", { hasText: "Waiting for the bot" }).waitFor();
    deps.deadLetter(sid, "the agent timed out");
    const badge = message.locator(".badge", { hasText: "Not answered — the bot gave up" });
    await badge.waitFor();
    await expect(badge.getAttribute("class")).resolves.toContain("attention");
    await expect(page.locator("#transcript").textContent()).resolves.not.toContain(
      "Waiting for the bot",
    );
    await page.screenshot({ path: `${shots}/dead-letter-label-desktop.png` });
    // A retry hands it back to the bot: waiting for it again.
    await page.getByRole("button", { name: "Retry" }).click();
    await message.locator(".badge", { hasText: "Waiting for the bot" }).waitFor();
  });

  it("says where to write as a customer without left or right, and styles the order like the search", async () => {
    for (const [viewport, name] of [
      [phone, "phone"],
      [desktop, "desktop"],
    ] as const) {
      const { page, url } = await setUp(viewport);
      await page.goto(`${url}/`);
      await page.locator("#live", { hasText: "Live" }).waitFor();
      const hints = await page.locator("#conversations .empty, .placeholder").allTextContents();
      expect(hints.join(" ")).toMatch(/Be a customer/);
      expect(hints.join(" ")).not.toMatch(/\b(left|right|below|above)\b/);
      const style = (selector: string) =>
        page.locator(selector).evaluate((node) => {
          const css = getComputedStyle(node);
          return [css.borderRadius, css.borderColor, css.backgroundColor, css.width];
        });
      expect(await style("#list-order")).toEqual(await style("#search"));
      await page.screenshot({ path: `${shots}/empty-state-${name}.png` });
    }
  });
});
