import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { launchChromium } from "../../src/chromium.test-support.js";
import { type DeliveryHarness, startDeliveryHarness } from "./delivery-harness.js";

/**
 * A reply that Twilio could not deliver, shown to an operator in real Chromium: the console
 * page (built bundle) over the real pipeline — emulator webhooks, mailbox, outbox, receipts.
 * Screenshots at phone and desktop sizes go to /tmp for a person to look at.
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

describe("a failed reply in the console", () => {
  it("shows the explanation and the action on desktop and phone", async () => {
    const address = "+15550107101";
    harness.emulator.setDeliveryFailure(address, "unreachable");
    await harness.emulator.customer({ channel: "sms", address }).send("Can you text me back?");
    let sid = "";
    await vi.waitFor(
      async () => {
        const { conversations } = (await (await harness.api("/api/conversations")).json()) as {
          conversations: { sid: string; customer: string }[];
        };
        sid = conversations.find((conversation) => conversation.customer === address)?.sid ?? "";
        expect(sid).not.toBe("");
        const { messages } = await harness.transcript(sid);
        expect(messages.some((message) => message.delivery?.failure?.code === 30003)).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );

    for (const [name, viewport] of [
      ["desktop", { width: 1440, height: 860 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      const page = await browser.newPage({ viewport });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      try {
        await page.goto(`${harness.server.url}/#/conversations/${sid}`);
        const failure = page.locator(".message.agent .delivery-failure");
        await failure.waitFor({ timeout: 10_000 });
        const text = (await failure.textContent()) ?? "";
        expect(text).toContain("30003");
        expect(text).toMatch(/unreachable|switched off|not reachable/i);
        await expect(page.locator(".message.agent .delivery-status").textContent()).resolves.toBe(
          "Not delivered",
        );
        await expect(failure.getAttribute("role")).resolves.toBe("note");
        await expect(failure.isVisible()).resolves.toBe(true);
        await page.screenshot({ path: `/tmp/console-delivery-failed-${name}.png` });
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }
  }, 40_000);
});
