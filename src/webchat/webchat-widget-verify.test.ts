import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { chromiumForTests } from "../chromium.test-support.js";
import { InMemoryWebchat } from "./in-memory-webchat.test-support.js";
import { createPhoneVerification } from "./phone-verification.js";
import { serveHandler } from "./serve-handler.test-support.js";
import { createWebchatApi } from "./webchat-api.js";
import { webchatDemoPage } from "./webchat-demo-page.js";

const chrome = chromiumForTests();
const { cleanups } = chrome;

const secret = "widget-test-secret-0123456789abcdefghijkl";

/** The widget with phone verification offered; codes land in `texts`. */
async function setUp(viewport = { width: 1280, height: 800 }) {
  const deps = new InMemoryWebchat();
  const texts: { to: string; text: string }[] = [];
  const verifyCalls: unknown[] = [];
  const verification = createPhoneVerification(
    {
      sendCode: async (address, message) => {
        texts.push({ to: address.value, text: message.text });
        return "queued";
      },
      linkVerified: async () => {},
    },
    { secret, senderName: "Harbor Bikes" },
  );
  const api = await serveHandler(
    createWebchatApi(deps, {
      secret,
      retryMs: 200,
      heartbeatMs: 60_000,
      customers: {
        verification: {
          channels: verification.channels,
          start: (input) => {
            verifyCalls.push(input.phone);
            return verification.start(input);
          },
          confirm: (input) => verification.confirm(input),
        },
      },
    }),
  );
  cleanups.push(() => api.close());
  const host = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Bikes</h1><script src="${api.url}/webchat.js" data-open="true"></script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        host.closeAllConnections();
        host.close(() => resolve());
      }),
  );
  const context = await chrome.browser.newContext({ viewport });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
  const notice = page.getByRole("alert");
  return { page, texts, verifyCalls, notice, problems };
}

describe("web chat widget: phone verification in Chromium", () => {
  it("checks the number in the browser, in plain words, then confirms where the code went", async () => {
    const { page, texts, verifyCalls, notice, problems } = await setUp();
    await page.getByRole("button", { name: "Verify your phone" }).click();
    const phone = page.getByRole("textbox", { name: "Your phone number" });
    const send = page.getByRole("button", { name: "Send code" });
    // Empty, then no country code, then too short: refused here, no request, no backticks.
    await send.click();
    await expect.poll(() => notice.textContent()).toContain("Enter your phone number");
    await phone.fill("555 123 0001");
    await send.click();
    await expect.poll(() => notice.textContent()).toContain("country code");
    await phone.fill("+1 555");
    await send.click();
    await expect.poll(() => notice.textContent()).toContain("doesn't look like a phone number");
    expect(await notice.textContent()).not.toContain("`");
    expect(await phone.getAttribute("aria-invalid")).toBe("true");
    expect(verifyCalls).toEqual([]);
    // A good number: the red error goes, the masked number is confirmed.
    await phone.fill("+1 (555) 123-0001");
    await send.click();
    await page.getByRole("textbox", { name: "The code we sent you" }).waitFor();
    await expect.poll(() => notice.textContent()).toBe("Code sent to +1555***0001.");
    expect(await notice.getAttribute("class")).toBe("notice");
    expect(verifyCalls).toEqual(["+15551230001"]);
    expect(texts).toEqual([
      {
        to: "+15551230001",
        text: expect.stringMatching(/^Your Harbor Bikes verification code is \d{6}\. /),
      },
    ]);
    // A code that is not six digits: refused here too.
    const code = page.getByRole("textbox", { name: "The code we sent you" });
    await code.fill("12");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => notice.textContent()).toContain("six-digit code");
    const sent = /is (\d{6})\./.exec(texts[0]!.text)?.[1] ?? "";
    await code.fill(sent);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => notice.textContent()).toBe("Verified: +1555***0001.");
    expect(await notice.getAttribute("class")).toBe("notice");
    expect(problems).toEqual([]);
  });
});

describe("web chat demo page", () => {
  it("carries its own icon, so the browser asks for no /favicon.ico", async () => {
    const demo = await serveHandler(webchatDemoPage());
    cleanups.push(() => demo.close());
    const context = await chrome.browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    const asked: string[] = [];
    page.on("request", (request) => asked.push(new URL(request.url()).pathname));
    await page.goto(`${demo.url}/webchat/demo`);
    await page.waitForTimeout(500);
    expect(asked).not.toContain("/favicon.ico");
    const icon = await page.evaluate(
      () => document.querySelector('link[rel="icon"]')?.getAttribute("href") ?? null,
    );
    expect(icon).toMatch(/^data:image\/svg\+xml,/);
  });
});
