import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../src/chromium.test-support.js";
import { killChildren, requireBuiltCli, startDev } from "./run-cli.js";

/**
 * The product as a person sees it, in Chromium: `npm start`, the console at `/`, an SMS
 * customer written from the console's "be a customer" form, a web chat visitor using the
 * widget embedded on another page; the FAQ agent's answers and typing indicator in both;
 * an operator takes the web chat over, answers as a person, and hands it back.
 * Screenshots: /tmp/e2e-*.png.
 */
let dev: Awaited<ReturnType<typeof startDev>>;
let browser: Browser;
let shop: Server;
let shopUrl: string;

beforeAll(requireBuiltCli);
beforeAll(async () => {
  // A pause before each answer so the typing indicator is on screen long enough to see.
  dev = await startDev({ SWITCHBOARD_AGENT_DELAY_MS: "1500" });
  shop = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html><head><title>Harbor Bikes</title></head>
<body style="font-family: sans-serif; padding: 2rem"><h1>Harbor Bikes</h1><p>Sales, repairs and rentals.</p>
<script src="${dev.url}/webchat.js" data-title="Harbor Bikes" data-open="true"></script></body></html>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (shop ? shop.close(() => resolve()) : resolve()));
  await dev?.stop();
  killChildren();
});

async function newPage(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  return page;
}

describe("console and web chat in a browser", () => {
  it("SMS customer and web chat visitor are answered, with typing; a person takes over and hands back", async () => {
    const consolePage = await newPage(`${dev.url}/`);
    await consolePage.locator("#live").getByText(/live/i).waitFor();

    // Be an SMS customer from the console.
    await consolePage.locator('input[name="channel"][value="sms"]').check();
    await consolePage.locator("#customer-from").fill("+15551230077");
    await consolePage.locator("#customer-text").fill("When are you open?");
    await consolePage.locator("#customer-send").click();
    const transcript = consolePage.locator("#transcript");
    await transcript.getByRole("status", { name: "The agent is typing" }).waitFor();
    await consolePage.screenshot({ path: "/tmp/e2e-console-typing.png" });
    await transcript.getByText(/Tuesday to Friday 9am/).waitFor();
    await transcript
      .getByRole("status", { name: "The agent is typing" })
      .waitFor({ state: "hidden" });
    await consolePage.screenshot({ path: "/tmp/e2e-console-sms-answered.png" });

    // A web chat visitor on the shop's page.
    const shopPage = await newPage(shopUrl);
    const widget = shopPage.locator(".sbw");
    await widget.locator("#sbw-input").fill("Do you rent bikes?");
    await widget.getByRole("button", { name: "Send message" }).click();
    await widget.getByRole("status", { name: "The agent is typing" }).waitFor();
    await shopPage.screenshot({ path: "/tmp/e2e-webchat-typing.png" });
    await widget.locator(".msg.agent").filter({ hasText: /rent/i }).first().waitFor();
    await shopPage.screenshot({ path: "/tmp/e2e-webchat-answered.png" });

    // The operator opens the web chat conversation and takes it over.
    const chatItem = consolePage.locator("#conversations button.conversation", {
      hasText: /web chat|chat/i,
    });
    await chatItem.first().click();
    await transcript.getByText("Do you rent bikes?").waitFor();
    await transcript.getByRole("button", { name: "Take over" }).click();
    await transcript.getByRole("button", { name: "Hand back to bot" }).waitFor();
    await transcript
      .locator("form.composer textarea")
      .fill("Hi, this is Sam from the shop. Yes, from $25 a day!");
    await transcript.getByRole("button", { name: "Send reply" }).click();
    await widget.getByText("Hi, this is Sam from the shop. Yes, from $25 a day!").waitFor();
    await shopPage.screenshot({ path: "/tmp/e2e-webchat-human.png" });

    // While a person has it, the agent stays quiet: the message is recorded for the person
    // (its "For a person" badge in the console), no turn starts (no typing), no answer appears.
    const agentAnswersDuringTakeover = await widget.locator(".msg.agent").count();
    await widget.locator("#sbw-input").fill("Great, can I book one?");
    await widget.getByRole("button", { name: "Send message" }).click();
    const booked = transcript.locator(".message.customer", { hasText: "Great, can I book one?" });
    await booked.waitFor();
    await booked.locator(".badge", { hasText: "For a person" }).waitFor();
    expect(await widget.locator(".msg.agent").count()).toBe(agentAnswersDuringTakeover);
    expect(await widget.getByRole("status", { name: "The agent is typing" }).isVisible()).toBe(
      false,
    );
    expect(await transcript.getByRole("status", { name: "The agent is typing" }).isVisible()).toBe(
      false,
    );
    await consolePage.screenshot({ path: "/tmp/e2e-console-human.png" });

    // Hand back: the question the person left unanswered is flagged (the bot will not
    // answer it), and the agent answers the next question.
    await transcript.getByRole("button", { name: "Hand back to bot" }).click();
    await transcript.getByRole("button", { name: "Take over" }).waitFor();
    await transcript.locator(".banner.notice", { hasText: "nobody has answered it" }).waitFor();
    const agentAnswersBefore = await widget.locator(".msg.agent").count();
    await widget.locator("#sbw-input").fill("Where are you located?");
    await widget.getByRole("button", { name: "Send message" }).click();
    await widget
      .locator(".msg.agent")
      .filter({ hasText: /14 Quay Street/ })
      .waitFor();
    expect(await widget.locator(".msg.agent").count()).toBeGreaterThan(agentAnswersBefore);
    // The agent's Markdown bold is rendered as bold, without its asterisks.
    const located = widget.locator(".msg.agent").filter({ hasText: /14 Quay Street/ });
    expect(await located.locator("strong").first().textContent()).toBe("14 Quay Street");
    expect(await located.textContent()).not.toContain("**");
    await shopPage.screenshot({ path: "/tmp/e2e-webchat-handed-back.png" });
    await consolePage.screenshot({ path: "/tmp/e2e-console-handed-back.png" });
  }, 90_000);
});
