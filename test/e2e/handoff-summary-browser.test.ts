import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { launchChromium } from "../../src/chromium.test-support.js";
import { type DeliveryHarness, startDeliveryHarness } from "./delivery-harness.js";

/**
 * The handoff summary box at the top of a conversation a person holds, in real Chromium: the
 * console page (built bundle) over the real pipeline — emulator webhooks, mailbox, agent,
 * operator takeover through the console API, the extractive summary. The customer's words
 * are hostile markup, which must stay text. Screenshots at phone and desktop sizes go to /tmp
 * for a person to look at.
 */
let harness: DeliveryHarness;
let browser: Browser;
beforeAll(async () => {
  harness = await startDeliveryHarness();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

const hostileQuestion =
  'Can I get a refund for order 42 <img src=x onerror="window.__pwned=1"> today?';
const hostileFollowUp =
  "<script>window.__pwned=2</script> my receipt is at " +
  `https://example.com/receipts/${"a1b2c3d4".repeat(12)} please check`;

describe("the handoff summary in the console", () => {
  it("renders at the top of the conversation, keeps hostile text as text, on desktop and phone", async () => {
    const address = "+15550107201";
    const customer = harness.emulator.customer({ channel: "sms", address });
    await customer.send(hostileQuestion);
    await vi.waitFor(() => expect(customer.messages()).toHaveLength(1), { timeout: 10_000 });
    await customer.send(hostileFollowUp);
    await vi.waitFor(() => expect(customer.messages()).toHaveLength(2), { timeout: 10_000 });
    let sid = "";
    await vi.waitFor(
      async () => {
        const { conversations } = (await (await harness.api("/api/conversations")).json()) as {
          conversations: { sid: string; customer: string }[];
        };
        sid = conversations.find((conversation) => conversation.customer === address)?.sid ?? "";
        expect(sid).not.toBe("");
      },
      { timeout: 10_000, interval: 50 },
    );
    // An operator takes over: the summary is made from the conversation so far.
    const takeover = await harness.api(`/api/conversations/${sid}/handoff`, {
      method: "POST",
      body: JSON.stringify({ on: true }),
    });
    expect(takeover.status).toBeLessThan(300);
    let summary = "";
    await vi.waitFor(
      async () => {
        const { conversation } = await harness.transcript(sid);
        summary = conversation.handoff?.summary ?? "";
        expect(summary).toContain("<img src=x");
      },
      { timeout: 10_000, interval: 50 },
    );
    // Two lines at least: the customer's question, then what the bot answered.
    expect(summary.split("\n").length).toBeGreaterThanOrEqual(2);

    for (const [name, viewport] of [
      ["desktop", { width: 1440, height: 860 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      const page = await browser.newPage({ viewport });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("dialog", (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      try {
        await page.goto(`${harness.server.url}/#/conversations/${sid}`);
        const box = page.locator(".handoff-summary");
        await box.waitFor({ timeout: 10_000 });
        // Taken before the checks, so a failing layout can be looked at too.
        await page.screenshot({ path: `/tmp/console-handoff-summary-${name}.png` });
        await expect(box.getAttribute("aria-label")).resolves.toBe("Handoff summary");
        await expect(box.locator("strong").textContent()).resolves.toMatch(
          /^Waiting (since just now|for .+) · taken over by an operator/,
        );
        // The summary as text, exactly as stored: the markup is shown, never parsed.
        await expect(box.locator(".summary-text").textContent()).resolves.toBe(summary);
        await expect(box.locator("img, script, iframe, a, svg").count()).resolves.toBe(0);
        await expect(
          page.evaluate(() => (window as { __pwned?: number }).__pwned),
        ).resolves.toBeUndefined();
        // Line breaks are kept: the text above has the summary's newlines, shown as lines.
        await expect(
          box.locator(".summary-text").evaluate((node) => getComputedStyle(node).whiteSpace),
        ).resolves.toBe("pre-line");
        // At the top of the conversation: in the banner over the messages, inside the page's
        // width (the long receipt link wraps instead of widening the phone page).
        const boxArea = await box.boundingBox();
        const messages = await page.locator(".banner + .scroll").boundingBox();
        expect(boxArea).not.toBeNull();
        expect(messages).not.toBeNull();
        expect(boxArea!.y + boxArea!.height).toBeLessThanOrEqual(messages!.y);
        expect(boxArea!.x + boxArea!.width).toBeLessThanOrEqual(viewport.width);
        const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(pageWidth).toBeLessThanOrEqual(viewport.width);
        await expect(box.isVisible()).resolves.toBe(true);
        // A long summary scrolls inside its box: the conversation's head, its newest message
        // and the reply box stay in the panel, also on a phone.
        const panel = await page.locator(".banner").locator("xpath=..").boundingBox();
        const head = await page.locator(".transcript-head").boundingBox();
        const composer = await page.locator(".composer").boundingBox();
        const scroll = messages!;
        expect(head!.y + head!.height).toBeLessThanOrEqual(boxArea!.y);
        expect(composer!.y + composer!.height).toBeLessThanOrEqual(panel!.y + panel!.height + 1);
        expect(scroll.height).toBeGreaterThan(60);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }
  }, 60_000);
});
