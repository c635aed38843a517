import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../src/chromium.test-support.js";
import { eventually } from "../runtime/runtime-harness.js";
import {
  type CustomerFacesHarness,
  consoleToken,
  startCustomerFacesHarness,
} from "./customer-faces-harness.js";

/**
 * The customer faces in real Chromium over the real pipeline (emulator, webhooks, mailbox,
 * outbox): the widget's "verify your phone" flow, and the console's customer view.
 * Screenshots at phone and desktop sizes go to /tmp for a person to look at.
 */
let harness: CustomerFacesHarness;
let browser: Browser;
let texted = false;
beforeAll(async () => {
  harness = await startCustomerFacesHarness({ whatsappNumber: "+14155238886" });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

const viewports = [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const;

describe("customer faces in the browser", () => {
  it.each(viewports.map(([name, viewport], index) => [name, viewport, index] as const))(
    "the widget verifies a phone with the code and then offers to continue by SMS (%s)",
    async (name, viewport, index) => {
      const number = `+1555700020${index}`;
      const page = await browser.newPage({ viewport });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      try {
        await page.goto(`${harness.server.url}/shop`);
        const widget = page.locator("switchboard-webchat");
        await widget.locator("textarea").fill("Do you rent e-bikes?");
        await widget.locator("textarea").press("Enter");
        await widget.locator(".msg.agent").first().waitFor({ timeout: 10_000 });
        const verify = widget.getByRole("button", { name: "Verify your phone" });
        await verify.waitFor({ timeout: 10_000 });
        await expect(
          widget.getByRole("link", { name: "Continue on WhatsApp" }).getAttribute("href"),
        ).resolves.toMatch(/^https:\/\/wa\.me\/14155238886\?text=/);
        await page.screenshot({ path: `/tmp/widget-verify-offer-${name}.png` });
        await verify.click();
        await widget.locator('input[name="phone"]').fill(number);
        await widget.getByRole("button", { name: "Send code" }).click();
        await widget.locator('input[name="code"]').waitFor();
        const code = await eventually(() => {
          const text = harness.emulator.deviceMessages(number).at(-1)?.body ?? "";
          return /code is (\d{6})/.exec(text)?.[1];
        }, "the code");
        // A wrong code first: told so, nothing linked.
        await widget.locator('input[name="code"]').fill("000000" === code ? "111111" : "000000");
        await widget.getByRole("button", { name: "Verify" }).click();
        await widget.locator(".notice.error").waitFor();
        await expect(widget.locator(".notice-text").textContent()).resolves.toMatch(/not right/);
        await page.screenshot({ path: `/tmp/widget-verify-code-${name}.png` });
        await widget.locator('input[name="code"]').fill(code);
        await widget.getByRole("button", { name: "Verify" }).click();
        await widget.getByRole("button", { name: "Continue by SMS" }).waitFor();
        await expect(widget.locator(".verified").textContent()).resolves.toBe(
          `\u2713 ${number.slice(0, 5)}***${number.slice(-4)}`,
        );
        await page.screenshot({ path: `/tmp/widget-verified-${name}.png` });
        await widget.getByRole("button", { name: "Continue by SMS" }).click();
        await expect.poll(() => widget.locator(".notice-text").textContent()).toMatch(/We texted/);
        expect(
          (
            await harness.switchboard.customers.byAddress({ kind: "sms", value: number })
          )?.addresses.map((address) => address.kind),
        ).toEqual(["chat", "sms"]);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    },
    40_000,
  );

  it.each(viewports)(
    "the console lists customers with channel badges and one merged transcript (%s)",
    async (name, viewport) => {
      // The verified visitor of the widget test now texts from their phone.
      const phone = harness.emulator.customer({ channel: "sms", address: "+15557000200" });
      if (!texted) await phone.send("texting from my phone now");
      texted = true;
      await eventually(
        async () =>
          (await harness.switchboard.customers.byAddress({ kind: "sms", value: "+15557000200" }))
            ?.addresses.length === 2 &&
          (await harness.console("/api/customers?search=7000200")).body.customers !== undefined
            ? true
            : undefined,
        "the customer",
      );
      const page = await browser.newPage({ viewport });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      try {
        await page.goto(`${harness.server.url}/?token=${consoleToken}#/customers`);
        const row = page.locator(".customer-row").first();
        await row.waitFor({ timeout: 10_000 });
        await expect(row.locator(".badge").allTextContents()).resolves.toEqual(
          expect.arrayContaining(["Web chat", "SMS"]),
        );
        await page.locator('input[name="customer-search"]').fill("7000200");
        await expect.poll(() => page.locator(".customer-row").count()).toBe(1);
        await page.locator(".customer-row").first().click();
        const transcript = page.locator(".customer-transcript");
        await transcript.locator(".customer-message").first().waitFor();
        const texts = await transcript.locator(".customer-message").allTextContents();
        expect(texts.join("\n")).toContain("Do you rent e-bikes?");
        await expect
          .poll(async () =>
            (await transcript.locator(".customer-message").allTextContents()).join("\n"),
          )
          .toContain("texting from my phone now");
        expect(
          (await transcript.locator(".customer-message .badge").allTextContents()).sort(),
        ).toEqual(expect.arrayContaining(["SMS", "Web chat"]));
        // Masked everywhere in the customers view (the conversation list behind it is unchanged).
        expect(await page.locator(".customers-view").innerHTML()).not.toContain("+15557000200");
        expect(await page.locator(".customers-view").innerHTML()).toContain("+1555***0200");
        await page.screenshot({ path: `/tmp/console-customer-${name}.png`, fullPage: false });
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    },
    40_000,
  );

  it("the console unlinks an address and deletes a customer, each after a second click", async () => {
    const sms = harness.emulator.customer({ channel: "sms", address: "+15557000210" });
    const whatsapp = harness.emulator.customer({
      channel: "whatsapp",
      address: "whatsapp:+15557000210",
    });
    await sms.send("hi by sms");
    await eventually(() => (sms.messages().length > 0 ? true : undefined), "the SMS reply");
    await whatsapp.send("hi by whatsapp");
    const customer = await eventually(async () => {
      const found = await harness.switchboard.customers.byAddress({
        kind: "whatsapp",
        value: "whatsapp:+15557000210",
      });
      return found?.addresses.length === 2 ? found : undefined;
    }, "the linked customer");
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    try {
      await page.goto(
        `${harness.server.url}/?token=${consoleToken}#/customers/${customer.customerId}`,
      );
      const addresses = page.locator(".customer-addresses li");
      await expect.poll(() => addresses.count()).toBe(2);
      await addresses.nth(1).getByRole("button", { name: "Unlink" }).click();
      await expect(addresses.nth(1).locator(".confirm-ask").textContent()).resolves.toBe(
        "Unlink whatsapp:+1555***0210?",
      );
      // Nothing happened yet.
      expect((await harness.switchboard.customers.get(customer.customerId))?.addresses.length).toBe(
        2,
      );
      await addresses.nth(1).getByRole("button", { name: "Yes" }).click();
      await expect.poll(() => addresses.count()).toBe(1);
      await page.getByRole("button", { name: "Delete customer" }).click();
      await page.screenshot({ path: "/tmp/console-customer-delete-confirm.png" });
      await page.locator(".customer-actions").getByRole("button", { name: "Yes" }).click();
      await page.waitForURL(/#\/customers$/);
      await expect.poll(() => harness.switchboard.customers.get(customer.customerId)).toBeNull();
      expect(
        await harness.switchboard.customers.byAddress({
          kind: "whatsapp",
          value: "whatsapp:+15557000210",
        }),
      ).not.toBeNull();
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);
});
