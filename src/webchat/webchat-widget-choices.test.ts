import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { chromiumForTests } from "../chromium.test-support.js";
import { InMemoryWebchat } from "./in-memory-webchat.test-support.js";
import { serveHandler } from "./serve-handler.test-support.js";
import { createWebchatApi } from "./webchat-api.js";

const chrome = chromiumForTests();
const { cleanups } = chrome;

/** The widget on a host page of its own origin, over an in-memory web chat. */
async function setUp() {
  const deps = new InMemoryWebchat();
  const api = await serveHandler(
    createWebchatApi(deps, {
      secret: "widget-test-secret-0123456789abcdefghijkl",
      retryMs: 200,
      heartbeatMs: 60_000,
    }),
  );
  cleanups.push(() => api.close());
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Bikes</h1><script src="${api.url}/webchat.js"></script></body></html>`;
  const host = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        host.closeAllConnections();
        host.close(() => resolve());
      }),
  );
  const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
  return { deps, api, page, problems };
}

describe("web chat widget: choices in Chromium", () => {
  it("shows an agent's options as buttons; a tap sends the title with the option's id", async () => {
    const { deps, page, problems } = await setUp();
    await page.getByRole("button", { name: "Open chat" }).click();
    await expect.poll(() => deps.conversations.size).toBe(1);
    const conversationSid = [...deps.conversations.keys()][0]!;
    deps.replyWithChoices(conversationSid, "What do you need?", [
      { id: "repair", title: "Repairs", description: "Same-day fixes" },
      { id: "rental", title: "Rentals" },
    ]);
    const options = page.getByRole("group", { name: "Options" });
    await options.waitFor();
    await expect(options.getByRole("button").allTextContents()).resolves.toEqual([
      "Repairs",
      "Rentals",
    ]);
    await options.getByRole("button", { name: "Rentals" }).click();
    await page.locator('.msg.visitor[data-index="1"]:not(.pending)').waitFor();
    expect(deps.sends).toEqual([
      { conversationSid, identity: expect.any(String), text: "Rentals", choiceId: "rental" },
    ]);
    // Answered: the buttons cannot send the choice twice.
    await expect(options.getByRole("button", { name: "Repairs" }).isDisabled()).resolves.toBe(true);
    expect(problems).toEqual([]);
  });

  it("lets only the newest menu be picked: older ones are disabled once anything follows", async () => {
    const { deps, page, problems } = await setUp();
    await page.getByRole("button", { name: "Open chat" }).click();
    await expect.poll(() => deps.conversations.size).toBe(1);
    const conversationSid = [...deps.conversations.keys()][0]!;
    const menu = [
      { id: "repair", title: "Repairs" },
      { id: "rental", title: "Rentals" },
    ];
    const menus = page.getByRole("group", { name: "Options" });
    const enabled = (which: number) =>
      menus
        .nth(which)
        .getByRole("button")
        .evaluateAll((buttons) => buttons.map((button) => !(button as HTMLButtonElement).disabled));
    deps.replyWithChoices(conversationSid, "What do you need?", menu);
    await menus.first().waitFor();
    await expect(enabled(0)).resolves.toEqual([true, true]);
    // A second menu: the first is history.
    deps.replyWithChoices(conversationSid, "What do you need?", menu);
    await menus.nth(1).waitFor();
    await expect(enabled(0)).resolves.toEqual([false, false]);
    await expect(enabled(1)).resolves.toEqual([true, true]);
    await menus.nth(1).getByRole("button", { name: "Rentals" }).click();
    await page.locator(".msg.visitor:not(.pending)").waitFor();
    await expect(enabled(0)).resolves.toEqual([false, false]);
    await expect(enabled(1)).resolves.toEqual([false, false]);
    // A tap on the old menu sends nothing (it used to send a plain "Repairs").
    await menus.first().getByRole("button", { name: "Repairs" }).click({ force: true });
    await page.waitForTimeout(200);
    expect(deps.sends.map((send) => send.text)).toEqual(["Rentals"]);
    // A typed message after a fresh menu retires it too.
    deps.replyWithChoices(conversationSid, "Anything else?", menu);
    await menus.nth(2).waitFor();
    await expect(enabled(2)).resolves.toEqual([true, true]);
    await page.getByRole("textbox", { name: "Message" }).fill("No thanks");
    await page.getByRole("button", { name: "Send message" }).click();
    await expect.poll(() => enabled(2)).toEqual([false, false]);
    // After a reload, history's menus come back disabled, the newest one too once answered.
    await page.reload();
    await page.getByRole("button", { name: "Open chat" }).click();
    await menus.nth(2).waitFor();
    await expect(
      menus
        .getByRole("button")
        .evaluateAll((buttons) =>
          buttons.every((button) => (button as HTMLButtonElement).disabled),
        ),
    ).resolves.toBe(true);
    expect(problems).toEqual([]);
  });

  it("refuses a choice id that is not text, losing nothing", async () => {
    const { deps, api } = await setUp();
    const session = await fetch(`${api.url}/webchat/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const { token } = (await session.json()) as { token: string };
    const answer = await fetch(`${api.url}/webchat/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: "Rentals", choiceId: 7 }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toContain(
      "choiceId",
    );
    expect(deps.sends).toEqual([]);
  });
});
